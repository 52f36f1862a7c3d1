"""The life of a batch after it was accepted: the feeder turns pending rows into generations a
few at a time per account, rows settle as their generations finish, and the batch finishes
(batch.completed, once) when its last row has. Called from the render task's after-hook
(batches.signals), the beat sweeper (batches.tasks) and the API (create, cancel).

Fairness: an account's batches have at most BATCH_IN_FLIGHT_PER_ACCOUNT generations in flight
(and never more than MAX_RENDERS_IN_FLIGHT with the account's other renders), so the render
queue holds a handful of any batch's rows at a time and everyone else's renders queue behind
those few, not behind thousands. While single renders are being queued (anyone's, within the
last BATCH_YIELD_SECONDS) the batches keep only BATCH_IN_FLIGHT_SHARED rows in flight, so a
renderer is free when the next single render arrives instead of busy with a row. The slots are counted under the lock generation_create takes
(the account's balance row), so batches and single renders share the in-flight limit exactly."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from batches.models import OPEN, Batch, BatchRow, BatchStatus, RowStatus
from batches.selectors import row_counts
from batches.serializers import batch_to_dict, counts_dict, webhook_data
from billing.models import CreditBalance, LedgerKind
from billing.services import credits_add
from core.errors import Conflict
from core.live import account_group, live_send, project_group
from core.redis import get_redis, hint_present, hint_set
from rendering.jobs import options_row
from rendering.models import IN_FLIGHT, Generation, GenerationSource, GenerationStatus
from rendering.validation import render_options

log = logging.getLogger(__name__)

SETTLED = {
    GenerationStatus.COMPLETED: RowStatus.COMPLETED,
    GenerationStatus.FAILED: RowStatus.FAILED,
    GenerationStatus.CANCELED: RowStatus.CANCELED,
}
LIVE_KEY = "audome:batch:live:{}"
# Present while some batch may be unfinished: set by every feed (batch creation, retry, the
# sweeper for each account with an unfinished batch, every settle), so it outlives the last open
# batch by at most its expiry. Without it the render hook has no batch to settle or feed and
# skips its two queries — the common case of a render worker that serves single renders (#17).
OPEN_KEY = "audome:batches:open"


def batches_may_be_open() -> bool:
    """False only when no batch can be unfinished (no feed within OPEN_KEY's expiry); True when
    Redis can't say (the hook then does its queries, the sweeper the rest)."""
    return hint_present(OPEN_KEY, if_unknown=True)


# --- feeding ---------------------------------------------------------------------------------

def _generation_for(batch: Batch, row: BatchRow, now: dt.datetime) -> Generation:
    """The row's render as a generation, built like generate builds one (rendering.jobs) from the
    template as the batch captured it. Paid already: the batch reserved a credit per row, so the
    generation carries credits_used=1 and rendering refunds it if it fails or is canceled."""
    template = batch.templates[row.project_ref]
    options = render_options(width=template["width"], height=template["height"], format=row.format,
                             quality=batch.quality)
    stored = options_row(options, html=None)
    if not batch.notify_each_row:
        stored["webhooks"] = False  # per-row render.completed / render.failed only when asked
    return Generation(
        account_id=batch.account_id, project_id=row.project_id, project_ref=row.project_ref,
        source=GenerationSource.BATCH,
        data=row.data, options=stored, document=template["document"], metadata=row.metadata, credits_used=1,
        deadline=now + dt.timedelta(seconds=settings.RENDER_PENDING_TIMEOUT),
    )


def _lock_account(account_id) -> bool:
    """Lock the account's balance row — generation_create's lock, taken FIRST by every batch
    transaction that moves credits or fills slots, so they never wait on each other in a cycle.
    False when the account has no balance row (it never had credits)."""
    return CreditBalance.objects.select_for_update().filter(account_id=account_id).values_list(
        "pk", flat=True).first() is not None


def batch_feed(*, account_id) -> int:
    """Give the account's open batches the render slots they may use now (oldest batch first,
    rows in order). Returns how many rows were queued."""
    from rendering.services import generation_enqueue, single_renders_active

    hint_set(OPEN_KEY, max(60, 6 * settings.BATCH_SWEEP_INTERVAL))
    limit = settings.BATCH_IN_FLIGHT_PER_ACCOUNT
    if single_renders_active():  # someone is waiting on single renders: leave a renderer free
        limit = min(limit, max(1, settings.BATCH_IN_FLIGHT_SHARED))
    queued: list[str] = []
    with transaction.atomic():
        # The lock generation_create holds while it counts: the counts below are exact.
        if not _lock_account(account_id):
            return 0
        flight = Generation.objects.filter(account_id=account_id, status__in=IN_FLIGHT).aggregate(
            total=Count("id"), batches=Count("id", filter=Q(batch_row__isnull=False)))
        slots = min(limit - flight["batches"],
                    settings.MAX_RENDERS_IN_FLIGHT - flight["total"])
        if slots <= 0:
            return 0
        rows = list(BatchRow.objects.filter(batch__account_id=account_id, batch__status__in=OPEN,
                                            status=RowStatus.PENDING)
                    .select_related("batch").order_by("batch__created_at", "batch_id", "row", "id")[:slots])
        now = timezone.now()
        started: set[str] = set()
        for row in rows:
            if row.project_id is None:  # the template was deleted after the batch was accepted
                _fail_unfed(row, "The template was deleted before this row was rendered.")
                continue
            generation = _generation_for(row.batch, row, now)
            # Rows first (a concurrent cancel wins the row), then the generation it points at
            # (the foreign key is checked at commit).
            if not BatchRow.objects.filter(pk=row.pk, status=RowStatus.PENDING).update(
                    status=RowStatus.QUEUED, generation_id=generation.id):
                continue
            generation.save(force_insert=True)
            queued.append(generation.id)
            if row.batch.status == BatchStatus.PENDING:  # its first row: the batch is now processing
                started.add(row.batch_id)
        if started:
            Batch.objects.filter(pk__in=started, status=BatchStatus.PENDING).update(status=BatchStatus.PROCESSING)

        def enqueue_all() -> None:
            for generation_id in queued:
                generation_enqueue(generation_id, bulk=True)

        transaction.on_commit(enqueue_all)
    return len(queued)


def _fail_unfed(row: BatchRow, message: str) -> None:
    """A row that never got a generation fails: its reserved credit comes back (once)."""
    with transaction.atomic():
        if BatchRow.objects.filter(pk=row.pk, status=RowStatus.PENDING).update(status=RowStatus.FAILED,
                                                                                error=message):
            credits_add(account=row.batch.account, amount=1, kind=LedgerKind.REFUND, reference=row.batch_id,
                        description=f"Refund: batch row {row.row} failed")


# --- rows settling, batches finishing ---------------------------------------------------------

def _image_problem(document: dict | None, data: dict, warnings: list) -> str | None:
    """Why a completed render doesn't show the row's own image: an IMAGE_FALLBACK on an element
    whose `<key>.img` the row set (the template's image was drawn instead). None when it does."""
    fallbacks = {w.get("elementId"): w.get("message", "") for w in warnings or []
                 if isinstance(w, dict) and w.get("code") == "IMAGE_FALLBACK"}
    if not fallbacks:
        return None
    for element in (document or {}).get("elements") or []:
        key = element.get("dynamicKey") if isinstance(element, dict) else None
        if key and f"{key}.img" in data and element.get("id") in fallbacks:
            return f"The image of '{key}.img' could not be used: {fallbacks[element.get('id')]}"
    return None


def rows_settle(*, batch_id: str | None = None, generation_id: str | None = None) -> int:
    """Queued rows whose generation has finished take its outcome (conditional updates: safe to
    repeat). A completed render that had to draw the template's image instead of the row's
    (the URL failed) fails the row and gives its credit back; a generation deleted under a
    queued row fails it too."""
    rows = BatchRow.objects.filter(status=RowStatus.QUEUED)
    if batch_id is not None:
        rows = rows.filter(batch_id=batch_id)
    if generation_id is not None:
        rows = rows.filter(generation_id=generation_id)
    moved = 0
    completed = rows.filter(generation__status=GenerationStatus.COMPLETED)
    fallback = Q(generation__warnings__icontains="IMAGE_FALLBACK")
    suspects = list(completed.filter(fallback).select_related("generation"))
    templates: dict[str, dict] = {}
    for row in suspects:
        if row.batch_id not in templates:
            templates[row.batch_id] = Batch.objects.values_list("templates", flat=True).get(pk=row.batch_id)
        document = (templates[row.batch_id].get(row.project_ref) or {}).get("document")
        problem = _image_problem(document, row.data, row.generation.warnings)
        if problem:
            moved += _fail_rendered(row, problem)
        else:
            moved += BatchRow.objects.filter(pk=row.pk, status=RowStatus.QUEUED).update(status=RowStatus.COMPLETED)
    moved += completed.exclude(fallback).update(status=RowStatus.COMPLETED)
    for generation_status in (GenerationStatus.FAILED, GenerationStatus.CANCELED):
        moved += rows.filter(generation__status=generation_status).update(status=SETTLED[generation_status])
    moved += rows.filter(generation__isnull=True).update(status=RowStatus.FAILED,
                                                         error="The render was deleted before it was recorded.")
    return moved


def _fail_rendered(row: BatchRow, message: str) -> int:
    """A row whose render completed without its own image: failed, and its credit back, once."""
    with transaction.atomic():
        _lock_account(Batch.objects.values_list("account_id", flat=True).get(pk=row.batch_id))
        if not BatchRow.objects.filter(pk=row.pk, status=RowStatus.QUEUED).update(status=RowStatus.FAILED,
                                                                                   error=message[:2000]):
            return 0
        Generation.objects.filter(pk=row.generation_id, credits_used=1).update(credits_used=0)
        batch = Batch.objects.select_related("account").only("account").get(pk=row.batch_id)
        credits_add(account=batch.account, amount=1, kind=LedgerKind.REFUND, reference=row.generation_id,
                    description=f"Refund: batch row {row.row} ({row.batch_id}) could not use its image")
    return 1


def batch_finish(batch: Batch) -> bool:
    """When no row is waiting or rendering: the batch's final status and batch.completed, once."""
    from webhooks.services import event_emit

    batch.refresh_from_db(fields=["status", "completed_at"])
    if batch.completed_at is not None:
        return False
    by_status = row_counts([batch.id])[batch.id]
    if by_status.get("pending") or by_status.get("processing"):
        return False
    counts = counts_dict(batch.total, by_status)
    if batch.status == BatchStatus.CANCELED:
        final = BatchStatus.CANCELED
    elif counts["done"] == batch.total:
        final = BatchStatus.COMPLETED
    elif counts["done"] == 0:
        final = BatchStatus.FAILED
    else:
        final = BatchStatus.PARTIAL
    now = timezone.now()
    with transaction.atomic():
        moved = Batch.objects.filter(pk=batch.pk, status=batch.status, completed_at__isnull=True).update(
            status=final, completed_at=now)
        if not moved:
            return False
        batch.status, batch.completed_at = final, now
        event_emit(account=batch.account, type="batch.completed", data=webhook_data(batch, by_status))
    batch_push(batch, force=True)
    return True


def _settle_one(row: BatchRow) -> int:
    """rows_settle for the row of the render that just finished, from what the hook already
    read: one conditional update (the general path when its image may have fallen back)."""
    generation = row.generation
    if row.status != RowStatus.QUEUED or generation is None:
        return rows_settle(generation_id=row.generation_id) if row.status == RowStatus.QUEUED else 0
    target = SETTLED.get(generation.status)
    if target is None:  # still rendering (a retry) — settled when it finishes
        return 0
    fallback = any(isinstance(w, dict) and w.get("code") == "IMAGE_FALLBACK" for w in generation.warnings or [])
    if target == RowStatus.COMPLETED and fallback:
        return rows_settle(generation_id=row.generation_id)  # checks the row's own image, refunds
    return BatchRow.objects.filter(pk=row.pk, status=RowStatus.QUEUED).update(status=target)


def generation_settled(*, generation_id: str) -> None:
    """After a render task: if the generation is a batch row's, settle it, give the account's
    batches the freed slot and finish the batch if that was its last row."""
    row = (BatchRow.objects.filter(generation_id=generation_id).select_related("batch", "generation")
           .defer("data", "metadata", "batch__templates", "generation__document", "generation__data",
                  "generation__options", "generation__metadata")
           .first())
    if row is None:
        # Another render of an account with open batches freed a slot of its in-flight limit.
        waiting = Batch.objects.filter(status__in=OPEN, account__generations__pk=generation_id).values_list(
            "account_id", flat=True).first()
        if waiting is not None:
            batch_feed(account_id=waiting)
        return
    _settle_one(row)
    batch_feed(account_id=row.batch.account_id)
    # The last row to settle finishes the batch (each hook settles its own row before it looks,
    # so the last one sees none left); until then only a throttled progress update.
    if BatchRow.objects.filter(batch_id=row.batch_id, status__in=(RowStatus.PENDING, RowStatus.QUEUED)).exists():
        batch_push(row.batch)
    elif not batch_finish(row.batch):
        batch_push(row.batch)


def batches_sweep() -> dict:
    """Beat: settle, feed and finish every batch that isn't finished — whatever a killed
    worker or a missed hook left behind."""
    unfinished = list(Batch.objects.filter(completed_at__isnull=True).select_related("account")
                      .order_by("created_at")[:500])
    counts = {"settled": 0, "queued": 0, "finished": 0}
    for batch in unfinished:
        counts["settled"] += rows_settle(batch_id=batch.id)
    for account_id in dict.fromkeys(b.account_id for b in unfinished):
        counts["queued"] += batch_feed(account_id=account_id)
    for batch in unfinished:
        batch.refresh_from_db(fields=["status", "completed_at"])
        if batch.completed_at is None and batch_finish(batch):
            counts["finished"] += 1
    return counts


# --- cancel ----------------------------------------------------------------------------------

def batch_cancel(*, batch: Batch) -> Batch:
    """Stop what hasn't started: rows still waiting are canceled and refunded at once, rows
    whose generation is still pending are canceled (rendering refunds each); rows being
    rendered finish. 409 when the batch had already finished or been canceled."""
    from rendering.services import generation_cancel

    now = timezone.now()
    with transaction.atomic():
        _lock_account(batch.account_id)
        if not Batch.objects.filter(pk=batch.pk, status__in=OPEN).update(status=BatchStatus.CANCELED, canceled_at=now):
            batch.refresh_from_db()
            raise Conflict(f"Only a pending or processing batch can be canceled; this one is {batch.status}.",
                           extra={"status": batch.status})
        waiting = BatchRow.objects.filter(batch=batch, status=RowStatus.PENDING).update(status=RowStatus.CANCELED)
        if waiting:
            credits_add(account=batch.account, amount=waiting, kind=LedgerKind.REFUND, reference=batch.id,
                        description=f"Refund: {waiting} batch rows canceled")
    for generation in Generation.objects.filter(batch_row__batch=batch, status=GenerationStatus.PENDING):
        try:
            generation_cancel(generation=generation)
        except Conflict:
            pass  # a worker claimed it meanwhile: it finishes
    rows_settle(batch_id=batch.id)
    batch.refresh_from_db()
    if not batch_finish(batch):
        batch_push(batch, force=True)
    return batch


# --- live progress ---------------------------------------------------------------------------

def batch_push(batch: Batch, *, force: bool = False) -> None:
    """`batch.updated` to the account's and the batch's projects' live groups, at most once per
    BATCH_LIVE_INTERVAL_MS per batch (the final state always)."""
    try:
        if not force and not get_redis().set(LIVE_KEY.format(batch.id), 1, nx=True,
                                             px=settings.BATCH_LIVE_INTERVAL_MS):
            return
        batch.refresh_from_db(fields=["status", "completed_at", "canceled_at"])
        payload = batch_to_dict(batch, row_counts([batch.id])[batch.id])
    except Exception:
        log.warning("live update of %s failed", batch.id, exc_info=True)
        return
    for group in (account_group(batch.account_id), *(project_group(p) for p in batch.project_refs)):
        live_send(group, "batch.updated", payload)

