"""The shapes of a batch and its rows that leave the process (REST, live events, webhooks)."""
from django.conf import settings

from batches.models import RowStatus
from core.timefmt import iso
from rendering.storage import absolute_url

COUNT_NAMES = ("pending", "processing", "completed", "failed", "canceled")


def status_url(batch_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/render/batches/{batch_id}"


def download_url(batch_id: str) -> str:
    return f"{status_url(batch_id)}/download"


def counts_dict(total: int, by_status: dict) -> dict:
    """by_status: effective row statuses (see selectors.EFFECTIVE_STATUS) → number of rows."""
    counts = {name: int(by_status.get(name, 0)) for name in COUNT_NAMES}
    return {
        "total": total,
        "done": counts["completed"],
        "failed": counts["failed"],
        "canceled": counts["canceled"],
        "pending": counts["pending"],
        "processing": counts["processing"],
    }


def progress_of(counts: dict) -> float:
    finished = counts["done"] + counts["failed"] + counts["canceled"]
    return round(finished / counts["total"], 4) if counts["total"] else 1.0


def batch_to_dict(batch, by_status: dict) -> dict:
    counts = counts_dict(batch.total, by_status)
    return {
        "batchId": batch.id,
        "status": batch.status,
        "projectId": batch.project_refs[0] if batch.project_refs else None,
        "projectIds": list(batch.project_refs),
        "format": batch.format,
        "quality": batch.quality,
        "notifyEachRow": batch.notify_each_row,
        "source": batch.source,
        "counts": counts,
        "progress": progress_of(counts),
        "creditsReserved": batch.total,
        "retryOf": batch.retry_of_id,
        "createdAt": iso(batch.created_at),
        "canceledAt": iso(batch.canceled_at),
        "completedAt": iso(batch.completed_at),
        "downloadUrl": download_url(batch.id),
    }


def row_status(row) -> str:
    """The row's status as clients see it: a queued row shows its generation's."""
    if row.status == RowStatus.QUEUED:
        generation = row.generation
        return generation.status if generation is not None else "processing"
    return row.status


def row_error(row) -> str | None:
    if row.error:
        return row.error
    generation = row.generation
    if generation is not None and generation.status == "failed":
        return generation.error or "Render failed."
    if row.status == RowStatus.CANCELED:
        return "Canceled."
    return None


def row_to_dict(row) -> dict:
    generation = row.generation
    status = row_status(row)
    image_url = absolute_url(generation.output) if status == "completed" and generation and generation.output else None
    return {
        "row": row.row,
        "projectId": row.project_ref,
        "generationId": row.generation_id,
        "status": status,
        "imageUrl": image_url,
        "error": row_error(row),
        "format": row.format,
        "metadata": row.metadata,
    }


def webhook_data(batch, by_status: dict) -> dict:
    """`data` of batch.completed."""
    counts = counts_dict(batch.total, by_status)
    return {
        "batchId": batch.id,
        "status": batch.status,
        "projectIds": list(batch.project_refs),
        "counts": counts,
        "downloadUrl": download_url(batch.id),
        "createdAt": iso(batch.created_at),
        "completedAt": iso(batch.completed_at),
    }
