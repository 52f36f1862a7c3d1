"""Outgoing events. An Event row is written in the same transaction as the change that
causes it (an outbox); deliveries to the account's endpoints are made from it."""
from django.conf import settings
from django.db import models

from core.ids import new_id
from core.models import BaseModel


class EventType(models.TextChoices):
    RENDER_COMPLETED = "render.completed"
    RENDER_FAILED = "render.failed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    CREDITS_EXHAUSTED = "credits.exhausted"
    VIDEO_COMPLETED = "video.completed"
    VIDEO_FAILED = "video.failed"
    WEBHOOK_TEST = "webhook.test"


def new_event_id() -> str:
    return new_id("evt")


class Event(BaseModel):
    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
