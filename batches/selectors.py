"""Reads of batches, limited to the acting account: another account's batch is not found."""
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Value, When
from django.db.models.functions import Coalesce

from batches.models import Batch, BatchRow, BatchStatus, RowStatus
from core.errors import NotFound, ValidationFailed

# A row's status as clients see it: a queued row is whatever its generation is (a generation
# deleted meanwhile had finished: it counts as failed unless the row was settled before).
EFFECTIVE_STATUS = Case(
    When(status=RowStatus.QUEUED, then=Coalesce(F("generation__status"), Value(RowStatus.FAILED))),
    default=F("status"),
    output_field=CharField(),
)
ROW_STATUSES = ("pending", "processing", "completed", "failed", "canceled")


def batch_get(*, account, batch_id: str) -> Batch:
    batch = Batch.objects.filter(account=account, pk=str(batch_id)).first()
    if batch is None:
        raise NotFound("Batch not found.")
    return batch


def batch_list(*, account, status: str | None = None, project_id: str | None = None):
    rows = Batch.objects.filter(account=account)
    if status:
        if status not in BatchStatus.values:
            raise ValidationFailed("status must be one of " + ", ".join(BatchStatus.values) + ".",
                                   details={"status": ["Must be one of " + ", ".join(BatchStatus.values) + "."]})
        rows = rows.filter(status=status)
    if project_id:
        rows = rows.filter(Exists(BatchRow.objects.filter(batch=OuterRef("pk"), project_ref=project_id)))
    return rows.order_by("-created_at", "-id")


def row_counts(batch_ids: list[str]) -> dict[str, dict]:
    """{batch id: {effective status: rows}} in one query."""
    out: dict[str, dict] = {batch_id: {} for batch_id in batch_ids}
    grouped = (BatchRow.objects.filter(batch_id__in=batch_ids).annotate(effective=EFFECTIVE_STATUS)
               .values("batch_id", "effective").annotate(n=Count("id")).order_by())
    for item in grouped:
        out[item["batch_id"]][item["effective"]] = item["n"]
    return out


def batch_rows(*, batch: Batch, status: str | None = None):
    rows = BatchRow.objects.filter(batch=batch).select_related("generation")
    if status:
        if status not in ROW_STATUSES:
            raise ValidationFailed("status must be one of " + ", ".join(ROW_STATUSES) + ".",
                                   details={"status": ["Must be one of " + ", ".join(ROW_STATUSES) + "."]})
        rows = rows.annotate(effective=EFFECTIVE_STATUS).filter(effective=status)
    return rows.order_by("row", "project_ref", "id")
