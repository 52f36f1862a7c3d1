"""The Celery app. Queues: `render` (paid renders), `preview` (free previews, own slots),
`webhooks` (outgoing deliveries) and `default` (everything else)."""
import os

from celery import Celery
from celery.signals import task_postrun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("audome")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules that live in sub-packages of an app.
app.autodiscover_tasks(["rendering.preview", "rendering.video"])


# Database connections of worker processes. Celery's Django fix-up closes every connection
# before and after each task unless CELERY_DB_REUSE_MAX is set (the settings set it): a new
# Postgres connection per render is several ms on the critical path. Instead, a pool process keeps
# its connection for WORKER_DB_CONN_MAX_AGE seconds, and after each task Django's own rule drops
# one that errored, is unusable or grew too old (so a Postgres restart costs one failed query).

@worker_process_init.connect
def _keep_db_connections(**kwargs):
    from django.conf import settings
    from django.db import connections

    max_age = settings.WORKER_DB_CONN_MAX_AGE
    if max_age is None:
        return
    for conn in connections.all(initialized_only=False):
        conn.settings_dict["CONN_MAX_AGE"] = max_age
        conn.settings_dict["CONN_HEALTH_CHECKS"] = True


@task_postrun.connect
def _drop_broken_db_connections(sender=None, **kwargs):
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # ran inside the caller's process (tests): its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()
