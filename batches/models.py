"""Batch renders: one Batch per request, one BatchRow per image it asks for (a data row × one
of its projects). A row becomes a rendering Generation only when the feeder gives it a render
slot (batches.processing), so a 5 000-row batch never floods the render queue.

Credits: the batch reserves one per row up front (a single `charge` entry, reference = batch
id). A row whose generation fails or is canceled is refunded by rendering itself (the
generation carries credits_used=1 like any render); a row that never got a generation is
refunded by the batch (reference = batch id) in the same transaction that moves it to failed or
canceled — each by a conditional update, so exactly once."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.ids import new_id
from core.models import BaseModel


def new_batch_id() -> str:
    return new_id("bat")


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


OPEN = (BatchStatus.PENDING, BatchStatus.PROCESSING)


class BatchSource(models.TextChoices):
    API = "api", "API"
    DASHBOARD = "dashboard", "Dashboard"


class Batch(BaseModel):
    id = models.CharField(primary_key=True, max_length=40, default=new_batch_id, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batches")
    # The first of its projects (for the dashboard's per-template list); all of them in project_refs.
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="batches")
    project_refs = models.JSONField(default=list)
    # Each project as it was when the batch was accepted — {"<id>": {"document", "width", "height"}} —
    # so every row renders the same design even if the template is edited meanwhile.
    templates = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    source = models.CharField(max_length=12, choices=BatchSource.choices, default=BatchSource.API)
    format = models.CharField(max_length=8, default="png")
    quality = models.PositiveSmallIntegerField(default=90)
    notify_each_row = models.BooleanField(default=False)
    total = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=255, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    canceled_at = models.DateTimeField(null=True, blank=True)
    # Set once, by whoever saw the last row settle: batch.completed is emitted in that transaction.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="batch_account_created"),
            models.Index(fields=["status", "created_at"], name="batch_status_created"),
            models.Index(fields=["project", "-created_at"], name="batch_project_created"),
        ]
        constraints = [models.CheckConstraint(condition=Q(total__gte=1), name="batch_total_positive")]

    def __str__(self):
        return f"{self.id} ({self.status}, {self.total} rows)"


class RowStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for a render slot: no generation yet
    QUEUED = "queued", "Queued"  # has a generation in flight (its own status says pending or processing)
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


ROW_FINISHED = (RowStatus.COMPLETED, RowStatus.FAILED, RowStatus.CANCELED)


class BatchRow(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()  # 1-based number of the data row in the request / file
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    project_ref = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=8, default="png")
    generation = models.OneToOneField("rendering.Generation", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="batch_row")
    status = models.CharField(max_length=12, choices=RowStatus.choices, default=RowStatus.PENDING)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["row", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row", "project_ref"], name="batch_row_unique"),
        ]
        indexes = [models.Index(fields=["batch", "status", "row"], name="batch_row_status")]

    def __str__(self):
        return f"{self.batch_id} row {self.row} ({self.status})"
