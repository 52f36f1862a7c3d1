"""The worker's side of a generation: claim it (pending → processing, or take it over from a
dead process), render it with the engine, store the image, finish it (→ completed, or failed
and refunded via services.generation_fail), and the sweeper that re-queues or fails jobs
stuck past their deadline. Called by the thin tasks in rendering.tasks."""
from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.processes import process_is_gone, process_label
from rendering import engine
from rendering.jobs import generation_job
from rendering.models import IN_FLIGHT, Generation, GenerationSource, GenerationStatus, IdempotencyRecord
from rendering.serializers import webhook_data
from rendering.services import generation_enqueue, generation_fail, generation_push
from rendering.storage import delete_output, save_output
from rendering.video.processing import video_render
from rendering.video.serializers import is_video
from rendering.waiting import notify_done
from webhooks.services import event_emit

log = logging.getLogger(__name__)


# --- the worker's part -----------------------------------------------------------------------

@contextmanager
def _fast_commit():
    """A transaction whose COMMIT doesn't wait for the WAL flush (Postgres `synchronous_commit
    = off`, this transaction only). Used for the worker's claim and completion, which move no
    money: if Postgres itself crashed within the next fraction of a second the row would fall
    back to `processing` and the sweeper would render it again (same bytes, same name). Charges
    and refunds keep full durability."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield


def _claim(generation_id: str, me: str) -> bool:
    now = timezone.now()
    changes = dict(status=GenerationStatus.PROCESSING, claimed_by=me, started_at=now, attempts=F("attempts") + 1,
                   deadline=now + dt.timedelta(seconds=settings.RENDER_JOB_TIMEOUT))
    with _fast_commit():
        claimed = Generation.objects.filter(pk=generation_id, status=GenerationStatus.PENDING).update(**changes)
    if claimed:
        return True
    current = Generation.objects.filter(pk=generation_id).values("status", "claimed_by", "attempts").first()
    if not current or current["status"] != GenerationStatus.PROCESSING or not process_is_gone(current["claimed_by"]):
        return False  # finished, canceled, or still being rendered by a live process
    if current["attempts"] >= settings.RENDER_MAX_ATTEMPTS:
        generation = Generation.objects.get(pk=generation_id)
        generation_fail(generation, message="The render worker was lost repeatedly.", claimed_by=current["claimed_by"])
        return False
    log.warning("taking over %s from dead worker %s", generation_id, current["claimed_by"])
    return bool(
        Generation.objects.filter(
            pk=generation_id, status=GenerationStatus.PROCESSING, claimed_by=current["claimed_by"]
        ).update(**changes)
    )


def _ms(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() * 1000, 1)


def generation_render(*, generation_id: str) -> str:
    """The render task's body: claim, render (the engine retries once itself), store, finish.
    Returns what happened."""
    me = process_label()
    if not _claim(generation_id, me):
        return "skipped"
    generation = Generation.objects.select_related("account").get(pk=generation_id)
    generation_push(generation)
    if is_video(generation):  # frames and ffmpeg, inline or as a chord of chunks (rendering/video)
        return video_render(generation, me=me)
    try:
        job = generation_job(generation)
    except Exception:
        log.exception("could not prepare the render of %s", generation_id)
        generation_fail(generation, message="Render failed: the job could not be prepared.", claimed_by=me)
        return "failed"
    try:
        result = engine.render(job, timeout=settings.RENDER_TIMEOUT)
    except Exception as error:  # RenderError, or a bug in the engine: it must not take the worker down
        if isinstance(error, engine.RenderError):
            log.warning("render of %s failed: %s", generation_id, error)
        else:
            log.exception("render of %s crashed", generation_id)
        generation_fail(generation, message=f"Render failed: {str(error) or 'The renderer failed.'}", claimed_by=me)
        return "failed"

    started_store = time.perf_counter()
    name = save_output(result.image, result.format)
    store_ms = round((time.perf_counter() - started_store) * 1000, 1)
    now = timezone.now()
    timings = {"queue": _ms(generation.created_at, generation.started_at)}
    for phase in ("fetch", "layout", "capture", "encode"):
        value = (result.timings or {}).get(phase)
        timings[phase] = round(float(value), 1) if isinstance(value, (int, float)) else 0.0
    timings["store"] = store_ms
    timings["total"] = _ms(generation.created_at, now)
    outcome = dict(
        status=GenerationStatus.COMPLETED, output=name, completed_at=now, deadline=None, error="", error_code="",
        timings=timings, warnings=list(result.warnings or []),
        render_ms=int((now - generation.started_at).total_seconds() * 1000),
    )
    with _fast_commit():
        moved = Generation.objects.filter(pk=generation_id, status=GenerationStatus.PROCESSING, claimed_by=me).update(
            **outcome
        )
        if moved:
            for field, value in outcome.items():  # what the row now holds, without reading it back
                setattr(generation, field, value)
            if generation.options.get("webhooks", True):  # a batch row's render asks for none (batches)
                event_emit(account=generation.account, type="render.completed", data=webhook_data(generation))
    if not moved:  # the sweeper gave the job to another worker meanwhile: its result wins
        delete_output(name)
        return "superseded"
    notify_done(generation)
    generation_push(generation)
    return "completed"


# --- the sweeper -----------------------------------------------------------------------------

def generations_sweep(*, now: dt.datetime | None = None) -> dict:
    """Re-queue or fail generations stuck past their deadline; drop expired idempotency keys."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    stuck = Generation.objects.filter(status__in=IN_FLIGHT, deadline__lt=now).order_by("deadline")[:500]
    for generation in stuck:
        if generation.status == GenerationStatus.PROCESSING:
            if generation.attempts >= settings.RENDER_MAX_ATTEMPTS:
                if generation_fail(generation, message="The render did not finish in time.",
                                   claimed_by=generation.claimed_by):
                    counts["failed"] += 1
                continue
            moved = Generation.objects.filter(
                pk=generation.pk, status=GenerationStatus.PROCESSING, claimed_by=generation.claimed_by,
                deadline__lt=now,
            ).update(status=GenerationStatus.PENDING, claimed_by="", requeues=F("requeues") + 1,
                     deadline=now + dt.timedelta(seconds=settings.RENDER_PENDING_TIMEOUT))
        else:
            if generation.requeues >= settings.RENDER_MAX_REQUEUES:
                if generation_fail(generation, message="No render worker picked the job up in time.",
                                   expected=cast(str, GenerationStatus.PENDING)):
                    counts["failed"] += 1
                continue
            moved = Generation.objects.filter(
                pk=generation.pk, status=GenerationStatus.PENDING, deadline=generation.deadline
            ).update(requeues=F("requeues") + 1, deadline=now + dt.timedelta(seconds=settings.RENDER_PENDING_TIMEOUT))
        if moved:
            generation_enqueue(generation.pk, bulk=generation.source == GenerationSource.BATCH)
            counts["requeued"] += 1
    counts["idempotencyExpired"] = IdempotencyRecord.objects.filter(
        created_at__lt=now - dt.timedelta(seconds=settings.IDEMPOTENCY_TTL)
    ).delete()[0]
    return counts
