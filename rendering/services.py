"""Every write to generations. A generation is a state machine moved only by conditional
updates — pending → processing → completed | failed | canceled — so whichever worker, sweeper
or API call changes the row is the one that goes on (charges, refunds, events, files).

Credits: one is taken when the job is accepted (reference = generation id) and given back
(`refund`) by whoever moves the row to failed or canceled, in the same transaction. A video
(rendering/video) takes one per started second the same way, and gives them all back."""
from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import LedgerKind
from billing.services import credits_add, credits_take
from core.auth import Credential
from core.errors import Conflict, Forbidden, RateLimited, ValidationFailed
from core.live import account_group, live_send
from core.redis import hint_present, hint_set
from projects.document import validate_data
from rendering.engine import RenderOptions
from rendering.jobs import options_row
from rendering.models import FINISHED, IN_FLIGHT, Generation, GenerationSource, GenerationStatus
from rendering.serializers import generation_to_dict, webhook_data
from rendering.storage import delete_output
from rendering.waiting import notify_done
from webhooks.services import event_emit

log = logging.getLogger(__name__)


# --- accepting a job -----------------------------------------------------------------------

def _check_data(*, project, data: dict) -> None:
    if project is None:
        if data:
            key = next(iter(data))
            raise ValidationFailed(
                f"Unknown data key '{key}': inline html renders take no data.", details={f"data.{key}": ["Unknown key."]}
            )
        return
    validate_data(project.document, data)


def generation_create(
    *, account, credential: Credential, project, html: str | None = None, data: dict | None,
    options: RenderOptions, metadata: dict | None, idempotency_key: str | None = None,
    source: str = cast(str, GenerationSource.API), video: dict | None = None, credits: int = 1,
) -> Generation:
    """Render `project` with `data` (or, without a project, the inline `html`) with `options`
    (checked by rendering.validation): validate the data against the template, take one credit,
    record the job and queue it. The returned generation's `credits_remaining` is the balance
    right after its charge. A video passes its plan (rendering.video.services.video_plan: format,
    fps, frames, durationMs — kept in the options) and the credits it costs.
    Raises ValidationFailed (400), InsufficientCredits (402), RateLimited (429); changes nothing then."""
    data = data or {}
    if project is None and credential.kind == "embed":
        raise Forbidden("Embed sessions render their templates only, not inline html.")
    _check_data(project=project, data=data)
    now = timezone.now()
    generation = Generation(
        account=account,
        project=project,
        project_ref=str(project.pk) if project is not None else "",
        source=source,
        data=data,
        options={**options_row(options, html=html), **(video or {})},
        document=project.document if project is not None else None,
        metadata=metadata or {},
        credits_used=credits,
        frames=(video or {}).get("frames", 0),
        idempotency_key=idempotency_key or "",
        deadline=now + dt.timedelta(seconds=settings.RENDER_PENDING_TIMEOUT),
    )
    with transaction.atomic():
        # credits_take locks the account's balance row: the in-flight count below is exact too.
        balance = credits_take(account=account, amount=credits, kind=LedgerKind.CHARGE, reference=generation.id,
                               description="Video render" if video else "Render")
        in_flight = Generation.objects.filter(account=account, status__in=IN_FLIGHT).count()
        if in_flight >= settings.MAX_RENDERS_IN_FLIGHT:
            raise RateLimited(
                f"At most {settings.MAX_RENDERS_IN_FLIGHT} renders may be in flight; wait for one to finish.",
                retry_after=settings.RENDER_IN_FLIGHT_RETRY_AFTER,
            )
        generation.save(force_insert=True)
        transaction.on_commit(lambda: generation_enqueue(generation.id))
    generation.credits_remaining = balance  # the balance right after this render was paid for
    generation_push(generation)
    return generation


# Kombu's Redis transport keeps one list per priority step (0, 3, 6, 9) and a worker pops the
# lower steps first: a single render (0) never waits behind queued bulk work, only behind the
# renders already running. Batch rows are bulk; video chunks come after them (9).
BULK_PRIORITY = 6


# Set (with a short expiry) whenever a single render is queued: while it is, bulk work keeps its
# renders in flight down to BATCH_IN_FLIGHT_SHARED, so a renderer stays free for the next one.
SINGLE_RENDERS_KEY = "audome:render:singles-active"


def generation_enqueue(generation_id: str, *, bulk: bool = False) -> None:
    """Queue the render task of a pending generation (on accepting it, or when the sweeper
    re-queues it); `bulk` (a batch row) queues it behind every single render."""
    from rendering.tasks import render_generation  # tasks → processing → services: imported when used

    if bulk:
        render_generation.apply_async((generation_id,), queue=settings.RENDER_QUEUE, priority=BULK_PRIORITY)
    else:
        render_generation.apply_async((generation_id,), queue=settings.RENDER_QUEUE)
        hint_set(SINGLE_RENDERS_KEY, settings.BATCH_YIELD_SECONDS)  # lost: batches just don't yield


def single_renders_active() -> bool:
    """Whether a single render was queued in the last BATCH_YIELD_SECONDS (any account's)."""
    return hint_present(SINGLE_RENDERS_KEY, if_unknown=False)


def generation_push(generation: Generation) -> None:
    """`generation.updated` to the account's dashboards and Studio."""
    live_send(account_group(generation.account_id), "generation.updated", generation_to_dict(generation))


# --- finishing: fail, cancel, delete ---------------------------------------------------------

def _refund(generation: Generation, why: str, amount: int) -> None:
    if amount > 0:
        credits_add(account=generation.account, amount=amount, kind=LedgerKind.REFUND, reference=generation.id,
                    description=f"Refund: {why}")


def _failure_event(generation: Generation) -> tuple[str, dict]:
    from rendering.video.serializers import is_video, video_webhook_data

    if is_video(generation):
        return "video.failed", video_webhook_data(generation)
    return "render.failed", webhook_data(generation)


def generation_fail(
    generation: Generation, *, message: str, code: str = "RENDER_FAILED",
    expected: str = cast(str, GenerationStatus.PROCESSING), claimed_by: str | None = None,
) -> bool:
    """Move the row from `expected` to failed, refund the credit and emit render.failed — once.
    Returns False when someone else had already moved it."""
    rows = Generation.objects.filter(pk=generation.pk, status=expected)
    if claimed_by is not None:
        rows = rows.filter(claimed_by=claimed_by)
    now = timezone.now()
    with transaction.atomic():
        held = rows.values_list("credits_used", flat=True).first()
        moved = rows.update(status=GenerationStatus.FAILED, error=message[:2000], error_code=code, credits_used=0,
                            completed_at=now, deadline=None)
        if not moved:
            return False
        generation.refresh_from_db()
        _refund(generation, "render failed", held or 0)
        event_type, data = _failure_event(generation)
        if generation.options.get("webhooks", True):  # a batch row's render asks for none (batches)
            event_emit(account=generation.account, type=event_type, data=data)
    notify_done(generation)
    generation_push(generation)
    return True


def generation_cancel(*, generation: Generation) -> Generation:
    """A pending job can be canceled; a video also while it renders (its chunks stop at their
    next batch of frames, rendering/video). A running image is already using the renderer."""
    from rendering.video.serializers import is_video

    cancelable = IN_FLIGHT if is_video(generation) else (GenerationStatus.PENDING,)
    with transaction.atomic():
        rows = Generation.objects.filter(pk=generation.pk, status__in=cancelable)
        held = rows.values_list("credits_used", flat=True).first()
        moved = rows.update(status=GenerationStatus.CANCELED, credits_used=0, completed_at=timezone.now(), deadline=None)
        generation.refresh_from_db()
        if not moved:
            what = "Only pending or processing videos" if is_video(generation) else "Only pending generations"
            raise Conflict(f"{what} can be canceled; this one is {generation.status}.",
                           extra={"status": generation.status})
        _refund(generation, "render canceled", held or 0)
    notify_done(generation)
    generation_push(generation)
    return generation


def generation_delete(*, generation: Generation) -> None:
    """Delete a finished generation and its file (unless another generation has the same bytes)."""
    if generation.status in IN_FLIGHT:
        raise Conflict(f"A {generation.status} generation can't be deleted; cancel it or wait for it to finish.",
                       extra={"status": generation.status})
    deleted, _ = Generation.objects.filter(pk=generation.pk, status__in=FINISHED).delete()
    if not deleted:
        raise Conflict("The generation changed state; try again.")
    if generation.output:
        delete_output(generation.output)
    live_send(account_group(generation.account_id), "generation.deleted", {"generationId": generation.id})
