"""The Celery app. Queues: `render` (paid renders), `preview` (free previews, own slots),
`webhooks` (outgoing deliveries) and `default` (everything else)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("audome")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules that live in sub-packages of an app.
app.autodiscover_tasks(["rendering.preview"])
