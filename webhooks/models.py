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
    BATCH_COMPLETED = "batch.completed"
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


def new_endpoint_id() -> str:
    return new_id("wh")


def new_delivery_id() -> str:
    return new_id("dlv")


class EndpointStatus(models.TextChoices):
    ACTIVE = "active"
    DISABLED = "disabled"


class WebhookEndpoint(BaseModel):
    """A destination URL of an account, the event types it wants, and its signing secret.
    During a rotation the previous secret keeps signing (a second `v1=`) until it expires."""

    id = models.CharField(primary_key=True, max_length=40, default=new_endpoint_id, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2048)
    events = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    failure_count = models.PositiveIntegerField(default=0)  # consecutive failed attempts
    last_triggered_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self):
        return f"{self.id} {self.url}"

    def wants(self, event_type: str) -> bool:
        return self.status == EndpointStatus.ACTIVE and event_type in (self.events or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Delivery(BaseModel):
    """One event to one endpoint. Attempts are recorded in DeliveryAttempt (each written before
    its POST). `locked_until` is the lease of the worker making an attempt: a worker that dies
    mid-attempt leaves it to expire, and the sweeper re-queues the delivery."""

    id = models.CharField(primary_key=True, max_length=40, default=new_delivery_id, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    retry_step = models.PositiveIntegerField(default=0)  # failed attempts that used a step of the schedule
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=200, blank=True, default="")  # "<host>:<pid>" of the lease holder
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_response_excerpt = models.TextField(blank=True, default="")
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="redeliveries")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.id} {self.event_id} → {self.endpoint_id} ({self.status})"


class AttemptOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: written before it is sent, completed after."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_PROGRESS)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")  # ≤ 1 KB
    error = models.CharField(max_length=500, blank=True, default="")
    next_retry_at = models.DateTimeField(null=True, blank=True)
    url = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_unique_number")]
