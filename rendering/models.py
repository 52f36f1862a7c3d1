"""Generations: one paid render each, moved pending → processing → completed | failed |
canceled by conditional updates (see services.py), and the Idempotency-Key records of
POST /api/render/generate."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.ids import new_id
from core.models import BaseModel


def new_generation_id() -> str:
    return new_id("gen")


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


IN_FLIGHT = (GenerationStatus.PENDING, GenerationStatus.PROCESSING)
FINISHED = (GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.CANCELED)


class GenerationSource(models.TextChoices):
    API = "api", "API"
    SIGNED_URL = "signed-url", "Signed URL"
    STUDIO = "studio", "Studio"
    BATCH = "batch", "Batch"  # a row of a batch (batches/), from the API or the dashboard


class Generation(BaseModel):
    id = models.CharField(primary_key=True, max_length=40, default=new_generation_id, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generations")
    # The project may be deleted later; its id stays on the record (`project_ref`).
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="generations"
    )
    project_ref = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=GenerationStatus.choices, default=GenerationStatus.PENDING)
    source = models.CharField(max_length=12, choices=GenerationSource.choices, default=GenerationSource.API)
    # What to render: the dynamic values, the resolved options (width, height, format, quality,
    # backgroundColor, html) and the template's document as it was when the job was accepted.
    data = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    document = models.JSONField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The outcome.
    output = models.CharField(max_length=255, blank=True)  # storage name, renders/…
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    credits_used = models.PositiveSmallIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    # Videos (rendering/video): the frames to render (0 for an image) and those done so far.
    frames = models.PositiveIntegerField(default=0)
    frames_done = models.PositiveIntegerField(default=0)
    # Bookkeeping of the job.
    attempts = models.PositiveSmallIntegerField(default=0)
    requeues = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)  # "<host>:<pid>" of the worker rendering it
    idempotency_key = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "status"], name="gen_account_status"),
            models.Index(fields=["account", "-created_at"], name="gen_account_created"),
            models.Index(fields=["status", "deadline"], name="gen_status_deadline"),
            models.Index(fields=["output"], name="gen_output"),
        ]
        constraints = [
            # An image costs one credit; a video one per started second (rendering/video/spec.py).
            models.CheckConstraint(condition=Q(credits_used__lte=1) | Q(frames__gt=0),
                                   name="generation_credits_used_le_1_or_video"),
            models.CheckConstraint(condition=Q(frames_done__lte=F("frames")), name="generation_frames_done_le_frames"),
        ]

    def __str__(self):
        return f"{self.id} ({self.status})"

    @property
    def width(self) -> int | None:
        return self.options.get("width")

    @property
    def height(self) -> int | None:
        return self.options.get("height")

    @property
    def format(self) -> str:
        return self.options.get("format", "png")


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying `Idempotency-Key`, per account, kept 24 h."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    running = models.BooleanField(default=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    generation_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_per_account")]

    def __str__(self):
        return f"{self.key} ({self.response_status or 'running'})"
