"""Every write to generations. A generation is a state machine moved only by conditional
updates — pending → processing → completed | failed | canceled — so whichever worker, sweeper
or API call changes the row is the one that goes on (charges, refunds, events, files).

Credits: one is taken when the job is accepted (reference = generation id) and given back
(`refund`) by whoever moves the row to failed or canceled, in the same transaction."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import threading
from functools import lru_cache

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import LedgerKind
from billing.services import credits_add, credits_take
from core.errors import Conflict, Forbidden, RateLimited, ValidationFailed
from core.live import account_group, live_send
from rendering.models import FINISHED, IN_FLIGHT, Generation, GenerationSource, GenerationStatus
from rendering.serializers import generation_to_dict, webhook_data
from rendering.storage import delete_output
from rendering.validation import DEFAULT_HTML_SIZE, DEFAULT_QUALITY

log = logging.getLogger(__name__)

DONE_KEY = "audome:gen:done:{}"
DONE_KEY_TTL = 300


# --- accepting a job -----------------------------------------------------------------------

def _resolve_options(*, project, options: dict) -> dict:
    html = options.get("html")
    default_w = project.width if project is not None else DEFAULT_HTML_SIZE
    default_h = project.height if project is not None else DEFAULT_HTML_SIZE
    fmt = options.get("format") or "png"
    background = options.get("backgroundColor")
    if isinstance(background, str) and background.lower() == "transparent":
        background, fmt = "transparent", "png"
    return {
        "width": int(options.get("width") or default_w),
        "height": int(options.get("height") or default_h),
        "format": fmt,
        "quality": int(options.get("quality") or DEFAULT_QUALITY),
        "backgroundColor": background,
        "html": html if project is None else None,
    }


def _check_data(*, project, data: dict) -> None:
    if project is None:
        if data:
            key = next(iter(data))
            raise ValidationFailed(
                f"Unknown data key '{key}': inline html renders take no data.", details={f"data.{key}": ["Unknown key."]}
            )
        return
    from projects.document import validate_data

    validate_data(project.document, data)


def generation_create(
    *, account, credential, project, data: dict | None, options: dict, metadata: dict | None,
    idempotency_key: str | None = None, source: str = GenerationSource.API,
) -> Generation:
    """Validate against the template, take one credit, record the job and queue it. The returned
    generation's `credits_remaining` is the balance right after its charge.
    Raises ValidationFailed (400), InsufficientCredits (402), RateLimited (429); changes nothing then."""
    data = data or {}
    if project is None and not options.get("html"):
        raise ValidationFailed("projectId or html is required.", details={"projectId": ["Required."]})
    if project is None and getattr(credential, "kind", "") == "embed":
        raise Forbidden("Embed sessions render their templates only, not inline html.")
    _check_data(project=project, data=data)
    resolved = _resolve_options(project=project, options=options)
    for field in ("width", "height"):
        if not 1 <= resolved[field] <= settings.MAX_CANVAS:
            raise ValidationFailed(f"{field} must be between 1 and {settings.MAX_CANVAS}.",
                                   details={field: [f"Must be between 1 and {settings.MAX_CANVAS}."]})
    now = timezone.now()
    generation = Generation(
        account=account,
        project=project,
        project_ref=str(project.pk) if project is not None else "",
        source=source,
        data=data,
        options=resolved,
        document=project.document if project is not None else None,
        metadata=metadata or {},
        credits_used=1,
        idempotency_key=idempotency_key or "",
        deadline=now + dt.timedelta(seconds=settings.RENDER_PENDING_TIMEOUT),
    )
    with transaction.atomic():
        # credits_take locks the account's balance row: the in-flight count below is exact too.
        balance = credits_take(account=account, amount=1, kind=LedgerKind.CHARGE, reference=generation.id,
                               description="Render")
        in_flight = Generation.objects.filter(account=account, status__in=IN_FLIGHT).count()
        if in_flight >= settings.MAX_RENDERS_IN_FLIGHT:
            raise RateLimited(
                f"At most {settings.MAX_RENDERS_IN_FLIGHT} renders may be in flight; wait for one to finish.",
                retry_after=settings.RENDER_IN_FLIGHT_RETRY_AFTER,
            )
        generation.save(force_insert=True)
        transaction.on_commit(lambda: _enqueue(generation.id))
    generation.credits_remaining = balance  # the balance right after this render was paid for
    _push(generation)
    return generation


def _enqueue(generation_id: str) -> None:
    from rendering.tasks import render_generation

    render_generation.apply_async((generation_id,), queue=settings.RENDER_QUEUE)


# --- waiting for the outcome -----------------------------------------------------------------

@lru_cache(maxsize=1)
def _blocking_redis() -> redis.Redis:
    # No socket timeout: BLPOP's own timeout bounds the wait.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=2)


# What a waiter needs of a finished generation: the worker sends it with the wake-up, so the
# web process answers without reading the row back (it falls back to reading it).
_DONE_FIELDS = ("status", "output", "error", "error_code", "credits_used", "timings", "warnings", "render_ms")
_DONE_TIMES = ("started_at", "completed_at")


def _notify_done(generation: Generation) -> None:
    message = {field: getattr(generation, field) for field in _DONE_FIELDS}
    message.update({field: getattr(generation, field).isoformat() if getattr(generation, field) else None
                    for field in _DONE_TIMES})
    try:
        pipe = _blocking_redis().pipeline(transaction=False)
        pipe.rpush(DONE_KEY.format(generation.id), json.dumps(message, separators=(",", ":")))
        pipe.expire(DONE_KEY.format(generation.id), DONE_KEY_TTL)
        pipe.execute()
    except (redis.RedisError, TypeError, ValueError):
        log.warning("could not wake the waiter of %s", generation.id, exc_info=True)


def _apply_done(generation: Generation, raw: bytes) -> bool:
    """Copy a finished state sent by _notify_done onto generation; False if it isn't one."""
    try:
        message = json.loads(raw)
        if message.get("status") not in FINISHED:
            return False
        for field in _DONE_TIMES:
            message[field] = dt.datetime.fromisoformat(message[field]) if message.get(field) else None
    except (TypeError, ValueError, AttributeError):
        return False
    for field in (*_DONE_FIELDS, *_DONE_TIMES):
        if field in message:
            setattr(generation, field, message[field])
    return True


def generation_wait(generation: Generation, timeout: float) -> Generation:
    """Block until the generation is finished or `timeout` seconds pass. The worker RPUSHes the
    finished state to a per-generation key: one BLPOP, no polling, no re-read of the row."""
    if generation.status in FINISHED or timeout <= 0:
        return generation
    try:
        popped = _blocking_redis().blpop([DONE_KEY.format(generation.id)], timeout=timeout)
    except redis.RedisError:
        log.warning("waiting for %s failed; answering with its current state", generation.id, exc_info=True)
        popped = None
    if popped is None or not _apply_done(generation, popped[1]):
        generation.refresh_from_db()
    return generation


class _LivePusher:
    """Sends live updates from one background thread with its own long-lived event loop, so the
    channel layer keeps its Redis connections (async_to_sync would make a new loop — and new
    connections — for every message). Best effort and off the request's critical path."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        threading.Thread(target=self.loop.run_forever, name="audome-live", daemon=True).start()

    def send(self, group: str, event_type: str, payload: dict) -> None:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": "live.event", "event": event_type, "payload": payload}
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self.loop)
        future.add_done_callback(_log_live_failure)


def _log_live_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("live update failed: %s", future.exception())


_pusher: _LivePusher | None = None
_pusher_lock = threading.Lock()


def _live_pusher() -> _LivePusher:
    global _pusher
    with _pusher_lock:
        if _pusher is None or _pusher.pid != os.getpid():  # a forked worker process needs its own
            _pusher = _LivePusher()
        return _pusher


def _push(generation: Generation) -> None:
    """`generation.updated` to the account's dashboards and Studio (live_send's message shape)."""
    try:
        _live_pusher().send(account_group(generation.account_id), "generation.updated", generation_to_dict(generation))
    except Exception:
        log.warning("live update of %s failed", generation.id, exc_info=True)


# --- finishing: fail, cancel, delete ---------------------------------------------------------

def _refund(generation: Generation, why: str) -> None:
    credits_add(account=generation.account, amount=1, kind=LedgerKind.REFUND, reference=generation.id,
                description=f"Refund: {why}")


def generation_fail(
    generation: Generation, *, message: str, code: str = "RENDER_FAILED", expected: str = GenerationStatus.PROCESSING,
    claimed_by: str | None = None,
) -> bool:
    """Move the row from `expected` to failed, refund the credit and emit render.failed — once.
    Returns False when someone else had already moved it."""
    from webhooks.services import event_emit

    rows = Generation.objects.filter(pk=generation.pk, status=expected)
    if claimed_by is not None:
        rows = rows.filter(claimed_by=claimed_by)
    now = timezone.now()
    with transaction.atomic():
        moved = rows.update(status=GenerationStatus.FAILED, error=message[:2000], error_code=code, credits_used=0,
                            completed_at=now, deadline=None)
        if not moved:
            return False
        generation.refresh_from_db()
        _refund(generation, "render failed")
        event_emit(account=generation.account, type="render.failed", data=webhook_data(generation))
    _notify_done(generation)
    _push(generation)
    return True


def generation_cancel(*, generation: Generation) -> Generation:
    """Only a pending job can be canceled (a running one is already using the renderer)."""
    with transaction.atomic():
        moved = Generation.objects.filter(pk=generation.pk, status=GenerationStatus.PENDING).update(
            status=GenerationStatus.CANCELED, credits_used=0, completed_at=timezone.now(), deadline=None
        )
        generation.refresh_from_db()
        if not moved:
            raise Conflict(f"Only pending generations can be canceled; this one is {generation.status}.",
                           extra={"status": generation.status})
        _refund(generation, "render canceled")
    _notify_done(generation)
    _push(generation)
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


# --- what the engine is asked to do ---------------------------------------------------------

def _fonts_for(account) -> list:
    from projects.selectors import fonts_for
    from rendering.engine import FontFace

    faces = []
    for font in fonts_for(account=account):
        family = getattr(font, "family_name", None) or getattr(font, "family", "")
        file = getattr(font, "file", None)
        storage_name = getattr(file, "name", None) or getattr(font, "storage_name", "")
        if family and storage_name:
            faces.append(FontFace(family=family, storage_name=storage_name, weight=getattr(font, "weight", 400) or 400,
                                  style=getattr(font, "style", "normal") or "normal"))
    return faces


def _needs_account_fonts(document: dict | None) -> bool:
    """Inline html may use any of the account's fonts; a document only the families it names,
    and a document that names bundled families only needs none (and no query for them)."""
    from rendering.engine.fonts import is_bundled

    if document is None:
        return True
    for element in document.get("elements") or []:
        style = element.get("style") if isinstance(element, dict) else None
        family = style.get("fontFamily") if isinstance(style, dict) else None
        if isinstance(family, str) and family.strip() and not is_bundled(family):
            return True
    return False


def render_job_for(generation: Generation):
    from rendering.engine import RenderJob

    options = generation.options
    return RenderJob(
        width=options["width"],
        height=options["height"],
        format=options["format"],
        quality=options["quality"],
        background=options.get("backgroundColor"),
        document=generation.document,
        data=generation.data or {},
        html=options.get("html"),
        fonts=_fonts_for(generation.account) if _needs_account_fonts(generation.document) else [],
        isolation_key=str(generation.account_id),
    )
