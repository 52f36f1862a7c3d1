"""Every write that starts a batch: accept it (validate every row, reserve the credits, record
the rows) and retry a finished batch's failed rows. What happens next is batches.processing."""
from __future__ import annotations

from typing import cast

from django.db import transaction

from batches.models import Batch, BatchRow, BatchSource, RowStatus
from batches.validation import BatchRequest, check_rows
from billing.models import LedgerKind
from billing.services import credits_take
from core.errors import Conflict


def _templates(projects: list) -> dict:
    return {str(p.pk): {"document": p.document, "width": p.width, "height": p.height} for p in projects}


def batch_create(*, account, projects: list, request: BatchRequest, idempotency_key: str | None = None,
                 source: str = cast(str, BatchSource.API), retry_of: Batch | None = None,
                 only: set[tuple[int, str]] | None = None) -> Batch:
    """Check every row against every template, reserve one credit per image and record the batch;
    the feeder starts it once this commits. Raises ValidationFailed (400, listing the bad rows)
    or InsufficientCredits (402) and changes nothing then. The returned batch's
    `credits_remaining` is the balance right after the reservation."""
    from batches.processing import batch_feed

    check_rows(request, projects)
    pairs = [(row, project) for row in request.rows for project in projects
             if only is None or (row["row"], str(project.pk)) in only]
    batch = Batch(
        account=account, project=projects[0], project_refs=[str(p.pk) for p in projects], templates=_templates(projects),
        source=source, format=request.format, quality=request.quality, notify_each_row=request.notify_each_row,
        total=len(pairs), idempotency_key=idempotency_key or "", retry_of=retry_of,
    )
    rows = [
        BatchRow(batch=batch, row=row["row"], project=project, project_ref=str(project.pk), data=row["data"],
                 metadata=row.get("metadata") or {}, format=row.get("format") or request.format)
        for row, project in pairs
    ]
    with transaction.atomic():
        balance = credits_take(account=account, amount=batch.total, kind=LedgerKind.CHARGE, reference=batch.id,
                               description=f"Batch of {batch.total} renders")
        batch.save(force_insert=True)
        BatchRow.objects.bulk_create(rows, batch_size=1000)
        transaction.on_commit(lambda: batch_feed(account_id=account.pk))
    batch.credits_remaining = balance
    return batch


def batch_retry(*, batch: Batch, projects_by_id: dict) -> Batch:
    """A new batch of this finished batch's failed rows (same row numbers, data, options). The
    projects must still exist (the caller looked them up for the account)."""
    if batch.completed_at is None:
        raise Conflict("Wait until the batch has finished to retry its failed rows.", extra={"status": batch.status})
    failed = list(BatchRow.objects.filter(batch=batch, status=RowStatus.FAILED).order_by("row", "project_ref"))
    if not failed:
        raise Conflict("This batch has no failed rows to retry.", extra={"status": batch.status})
    rows_by_number: dict[int, dict] = {}
    project_ids: list[str] = []
    for row in failed:
        rows_by_number.setdefault(row.row, {"row": row.row, "data": row.data, "metadata": row.metadata,
                                            "format": row.format})
        project_ids.append(row.project_ref)
    projects = [projects_by_id[p] for p in dict.fromkeys(project_ids)]
    request = BatchRequest(project_ids=[str(p.pk) for p in projects], rows=list(rows_by_number.values()),
                           format=batch.format, quality=batch.quality, notify_each_row=batch.notify_each_row)
    return batch_create(account=batch.account, projects=projects, request=request, source=batch.source,
                        retry_of=batch, only={(row.row, row.project_ref) for row in failed})
