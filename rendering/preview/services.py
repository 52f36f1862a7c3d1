"""Previews: the web side (cache look-up, single flight, queue, wait) and the worker side (render
on the `preview` queue, store, cache, wake the waiters).

A miss goes like this. The first request for a key takes the key's lock (single flight) and
becomes the *leader*: it records a job in Redis (`audome:pv:job:<id>`, state `queued`, with the
document snapshot it read), adds it to the waiting set and queues the Celery task on the `preview`
queue. The preview worker, started with PREVIEW_MAX_CONCURRENCY processes and never serving the
`render` queue, *claims* the job (queued → running, atomically; a job that was abandoned or is past
its slot deadline is skipped), renders WebP q70 with the same engine and job builder as generate,
stores the file, inserts the cache entry and publishes the outcome on the key's channel. Identical
requests arriving meanwhile are *followers*: they find the lock taken and wait on the same channel,
so the preview renders once: the leader answers `cached: false` with the render's
`generationTime`, the followers `cached: true` (they rendered nothing).

The leader waits at most PREVIEW_QUEUE_TIMEOUT for a slot: then it abandons the job (queued →
abandoned, atomically; if the worker claimed it in that instant, it keeps waiting) and answers
503 `preview_busy`. When the waiting set already holds more work than the slots can clear in that
time, it answers 503 at once instead of queueing behind it."""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
import uuid
from dataclasses import dataclass
from typing import cast

import redis
from django.conf import settings

from core.errors import PreviewBusy, RenderFailed
from core.redis import get_redis
from projects.selectors import project_get
from rendering import engine
from rendering.jobs import render_job
from rendering.models import IN_FLIGHT, Generation
from rendering.preview import cache
from rendering.preview.cache import PREFIX, now_ms, script
from rendering.preview.ratelimit import preview_limit_take
from rendering.storage import absolute_url
from rendering.waiting import release_db_connection

log = logging.getLogger(__name__)

JOB = PREFIX + "job:{}"
WAITING = PREFIX + "waiting"  # sorted set: job id → queued at (ms)
RUNNING = PREFIX + "running"  # sorted set: job id → claimed at (ms)
CHANNEL = PREFIX + "ch:{}"  # per cache key: started / done / failed / busy
RECENT_MS = PREFIX + "recent_ms"  # list of the last render times (ms), for the wait estimate
RENDERS = PREFIX + "renders"  # counter of preview renders done (stats, tests)
DEFAULT_RENDER_MS = 1500


@dataclass
class PreviewOutcome:
    entry: dict  # name, url, createdAt, expiresAt, generationTime
    cached: bool


def project_for_preview(*, account, credential, project_id: str):
    """The account's project, as generate finds it (404 for another account's or a bad id,
    403 for an embed token restricted to other templates)."""
    return project_get(account=account, credential=credential, project_id=project_id)


def _lock_ttl_ms() -> int:
    return (settings.PREVIEW_QUEUE_TIMEOUT + settings.PREVIEW_RENDER_TIMEOUT + 15) * 1000


# --- the web side ---------------------------------------------------------------------------

def preview_digest(*, project, data: dict | None, frame_ms: float | None = None) -> str:
    return cache.cache_key(project_id=project.pk, data=data or {}, updated_at=project.updated_at,
                           width=project.width, height=project.height, frame_ms=frame_ms)


def preview_limit_and_lookup(*, account, project, data: dict | None, frame_ms: float | None = None):
    """Take from the account's buckets and look the preview up, in one Redis round trip.
    Returns (PreviewLimit, cached entry or None); the entry means nothing when the limit refused."""
    pipe = get_redis().pipeline(transaction=False)
    interpret = preview_limit_take(account_id=account.pk, client=pipe)
    cache.cache_get(preview_digest(project=project, data=data, frame_ms=frame_ms), client=pipe)
    limit_raw, entry_raw = pipe.execute()
    return interpret(limit_raw), (json.loads(entry_raw) if entry_raw else None)


def preview_get(*, account, project, data: dict | None, entry: dict | None = None,
                frame_ms: float | None = None) -> PreviewOutcome:
    """The preview of `project` with `data`: from the cache (`entry` when the caller already looked
    it up), or rendered once on the preview queue. With `frame_ms` (a frame's time), the frame of
    the video at that time, full size, as PNG. Raises PreviewBusy (503) or RenderFailed (500)."""
    data = data or {}
    digest = preview_digest(project=project, data=data, frame_ms=frame_ms)
    if entry is None:
        entry = cache.cache_get(digest)
    if entry is not None:
        return PreviewOutcome(entry, cached=True)
    release_db_connection()  # a miss waits on Redis for up to 30 s: don't sit on a database connection
    payload = {
        "accountId": str(account.pk), "projectId": str(project.pk), "digest": digest,
        "document": project.document, "data": data, "width": project.width, "height": project.height,
        "frameMs": frame_ms,
        # The web process's policy travels with the job.
        "ttlMs": settings.PREVIEW_CACHE_TTL * 1000, "cap": settings.PREVIEW_CACHE_MAX_ENTRIES,
        "renderTimeout": settings.PREVIEW_RENDER_TIMEOUT,
    }
    give_up = time.monotonic() + settings.PREVIEW_QUEUE_TIMEOUT + settings.PREVIEW_RENDER_TIMEOUT + 10
    while True:
        job_id = uuid.uuid4().hex
        if cache.lock_acquire(digest, job_id, _lock_ttl_ms()):
            try:
                entry = cache.cache_get(digest)  # the previous flight may have finished just now
                if entry is not None:
                    cache.lock_release(digest, job_id)
                    return PreviewOutcome(entry, cached=True)
                return _lead(job_id, digest, payload)
            except BaseException:
                cache.lock_release(digest, job_id)
                raise
        outcome = _follow(digest)
        if outcome is not None:
            return outcome
        if time.monotonic() > give_up:
            raise RenderFailed("The preview could not be rendered in time.")


def _subscribe(digest: str):
    pubsub = _pubsub_redis().pubsub(ignore_subscribe_messages=False)
    pubsub.subscribe(CHANNEL.format(digest))
    # Read the confirmation so the subscription is live before anything can be published.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "subscribe":
            return pubsub
    pubsub.close()
    raise RenderFailed("Could not reach the preview queue.")


_pubsub_client = None


def _pubsub_redis():
    global _pubsub_client
    if _pubsub_client is None:
        _pubsub_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=2)
    return _pubsub_client


def _next_event(pubsub, timeout: float, job_id: str, *, started: bool = True) -> dict | None:
    """The next event about `job_id` within `timeout` seconds (None if none; "started" only when
    the caller doesn't know yet). Falls back to the job record every second, so a missed message
    only costs a second."""
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        left = deadline - time.monotonic()
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=max(0.0, min(left, 1.0)))
        if message and message.get("type") == "message":
            try:
                event = json.loads(message["data"])
            except (TypeError, ValueError):
                event = None
            if event and event.get("job") == job_id and not (started and event.get("event") == "started"):
                return event
            if time.monotonic() < deadline:
                continue
        state = _job_state(job_id)
        if state.get("state") in ("done", "failed"):
            return {"event": state["state"], "job": job_id, "entry": state.get("entry")}
        if state.get("state") == "running" and not started:
            return {"event": "started", "job": job_id}
        if state.get("state") == "abandoned":
            return {"event": "busy", "job": job_id}
        if time.monotonic() >= deadline:
            return None


def _job_state(job_id: str) -> dict:
    # The client answers bytes (redis-py types them bytes | str: it can't know decode_responses).
    raw = cast("list[bytes | None]", get_redis().hmget(JOB.format(job_id), "state", "result"))
    state = raw[0].decode() if raw[0] else None
    entry = json.loads(raw[1]) if raw[1] else None
    return {"state": state, "entry": entry}


def _estimated_wait_ms() -> int:
    """How long a job queued now would wait for a slot (roughly)."""
    r = get_redis()
    now = now_ms()
    pipe = r.pipeline()
    pipe.zremrangebyscore(WAITING, "-inf", now - settings.PREVIEW_QUEUE_TIMEOUT * 1000 - 5000)
    pipe.zremrangebyscore(RUNNING, "-inf", now - (settings.PREVIEW_RENDER_TIMEOUT + 30) * 1000)
    pipe.zcard(WAITING)
    pipe.zcard(RUNNING)
    pipe.lrange(RECENT_MS, 0, 19)
    _, _, waiting, running, recent = pipe.execute()
    slots = max(1, settings.PREVIEW_MAX_CONCURRENCY)
    ahead = waiting + running
    if ahead < slots:
        return 0
    samples = [int(x) for x in recent if x]
    per_render = sum(samples) / len(samples) if samples else DEFAULT_RENDER_MS
    # The running ones are half done on average; then every `slots` queued jobs take one render.
    return int(((ahead - slots) / slots + 0.5) * per_render)


def _busy(estimate_ms: int | None = None) -> PreviewBusy:
    if estimate_ms is None:
        estimate_ms = _estimated_wait_ms()
    retry_after = max(1, math.ceil(estimate_ms / 1000)) if estimate_ms else max(1, settings.PREVIEW_QUEUE_TIMEOUT // 6)
    return PreviewBusy("The preview queue is busy; retry after a few seconds.", headers={"Retry-After": str(retry_after)},
                       extra={"retryAfter": retry_after})


# KEYS: job, waiting. ARGV: job id. Abandon a job nobody has claimed yet.
_ABANDON = """
if redis.call('HGET', KEYS[1], 'state') == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'abandoned')
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0
"""


def _publish(digest: str, event: dict) -> None:
    try:
        get_redis().publish(CHANNEL.format(digest), json.dumps(event))
    except redis.RedisError:
        log.warning("could not publish preview event %s", event.get("event"), exc_info=True)


def _lead(job_id: str, digest: str, payload: dict) -> PreviewOutcome:
    estimate = _estimated_wait_ms()
    if estimate > settings.PREVIEW_QUEUE_TIMEOUT * 1000:
        raise _busy(estimate)
    pubsub = _subscribe(digest)
    try:
        r = get_redis()
        now = now_ms()
        pipe = r.pipeline()
        pipe.hset(JOB.format(job_id), mapping={
            "state": "queued", "payload": json.dumps(payload), "digest": digest,
            "deadline": now + settings.PREVIEW_QUEUE_TIMEOUT * 1000,
        })
        pipe.pexpire(JOB.format(job_id), _lock_ttl_ms())
        pipe.zadd(WAITING, {job_id: now})
        pipe.execute()
        from rendering.preview.tasks import preview_render

        preview_render.apply_async((job_id,), queue=settings.PREVIEW_QUEUE,
                                   expires=settings.PREVIEW_QUEUE_TIMEOUT + 5)
        started = False
        deadline = time.monotonic() + settings.PREVIEW_QUEUE_TIMEOUT
        while True:
            event = _next_event(pubsub, deadline - time.monotonic(), job_id, started=started)
            if event is None:
                if started:
                    raise RenderFailed("The preview took too long to render.")
                if script(_ABANDON)(keys=[JOB.format(job_id), WAITING], args=[job_id]):
                    busy = _busy()
                    _publish(digest, {"event": "busy", "job": job_id, "retryAfter": busy.extra["retryAfter"]})
                    raise busy
                event = {"event": "started"}  # claimed at the last moment: wait for the render
            kind = event.get("event")
            if kind == "started" and not started:
                started = True
                deadline = time.monotonic() + settings.PREVIEW_RENDER_TIMEOUT + 5
            elif kind == "done" and event.get("entry"):
                return PreviewOutcome(event["entry"], cached=False)
            elif kind == "failed":
                raise RenderFailed("The preview could not be rendered.")
    finally:
        pubsub.close()


def _follow(digest: str) -> PreviewOutcome | None:
    """Wait for the flight that holds the key's lock. None when there is nothing to wait for
    (the lock went away without a result): the caller then tries to lead."""
    pubsub = _subscribe(digest)
    try:
        entry = cache.cache_get(digest)
        if entry is not None:
            return PreviewOutcome(entry, cached=True)
        owner = cache.lock_owner(digest)
        if owner is None:
            return None
        if owner.startswith("cleanup:"):
            time.sleep(0.05)
            return None
        job_id = owner
        deadline = time.monotonic() + settings.PREVIEW_QUEUE_TIMEOUT + settings.PREVIEW_RENDER_TIMEOUT + 10
        while time.monotonic() < deadline:
            event = _next_event(pubsub, min(2.0, deadline - time.monotonic()), job_id)
            if event is None:
                if cache.lock_owner(digest) != job_id:  # the flight ended and we missed why
                    entry = cache.cache_get(digest)
                    return PreviewOutcome(entry, cached=True) if entry else None
                continue
            kind = event.get("event")
            if kind == "done" and event.get("entry"):
                return PreviewOutcome(event["entry"], cached=True)  # served by another request's render
            if kind == "failed":
                raise RenderFailed("The preview could not be rendered.")
            if kind == "busy":
                retry_after = int(event.get("retryAfter") or 1)
                raise PreviewBusy("The preview queue is busy; retry after a few seconds.",
                                  headers={"Retry-After": str(retry_after)}, extra={"retryAfter": retry_after})
        raise RenderFailed("The preview could not be rendered in time.")
    finally:
        pubsub.close()


# --- the worker side ------------------------------------------------------------------------

# KEYS: job, waiting, running. ARGV: job id, now_ms. queued → running, unless abandoned or too late.
_CLAIM = """
redis.call('ZREM', KEYS[2], ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' then return 0 end
local deadline = tonumber(redis.call('HGET', KEYS[1], 'deadline'))
if deadline and tonumber(ARGV[2]) > deadline then return 0 end
redis.call('HSET', KEYS[1], 'state', 'running')
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
"""


def _render_job(payload: dict) -> engine.RenderJob:
    """The engine job, built by the job builder generate uses (same document, fonts, isolation).
    A frame preview is the video's frame at frameMs: posed like the video's frames, lossless."""
    frame_ms = payload.get("frameMs")
    options = engine.RenderOptions(width=payload["width"], height=payload["height"],
                                   format="webp" if frame_ms is None else "png", quality=settings.PREVIEW_QUALITY)
    job = render_job(account_id=payload["accountId"], options=options, document=payload["document"],
                     data=payload["data"])
    return job if frame_ms is None else dataclasses.replace(job, time_ms=frame_ms)


def _yield_to_renders() -> None:
    """Paid renders first: while any generation is in flight, hold the preview back a little
    (at most PREVIEW_YIELD_MAX_MS), so on a machine short of cores the preview's Chromium starts in
    the gaps between renders rather than on top of them."""
    limit = getattr(settings, "PREVIEW_YIELD_MAX_MS", 0) / 1000
    if limit <= 0:
        return
    deadline = time.monotonic() + limit
    try:
        while Generation.objects.filter(status__in=IN_FLIGHT).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    except Exception:  # never let the courtesy fail the preview
        log.warning("could not look at the render queue", exc_info=True)


def _store(name: str, content: bytes) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if default_storage.exists(name):  # the same key rendered again after its entry went away
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        default_storage.delete(saved)
        raise RuntimeError(f"preview file {name} could not be stored under its own name")


def preview_render(*, job_id: str) -> str:
    """The preview task's body. Returns what happened. One engine.render call: the engine's own
    retry is the only one (at most two Chromium attempts)."""
    r = get_redis()
    if not script(_CLAIM)(keys=[JOB.format(job_id), WAITING, RUNNING], args=[job_id, now_ms()]):
        return "skipped"
    # The client answers bytes, and a job the claim took has both fields.
    raw_payload, digest_raw = cast("list[bytes]", r.hmget(JOB.format(job_id), "payload", "digest"))
    digest = digest_raw.decode()
    _publish(digest, {"event": "started", "job": job_id})
    started = time.perf_counter()
    _yield_to_renders()
    outcome = "failed"
    try:
        payload = json.loads(raw_payload)
        job = _render_job(payload)
        result = engine.render(job, timeout=payload.get("renderTimeout") or settings.PREVIEW_RENDER_TIMEOUT)
        name = cache.file_name(account_id=payload["accountId"], digest=digest, ext=result.format)
        _store(name, result.image)
        generation_ms = int(round((time.perf_counter() - started) * 1000))
        entry = cache.cache_put(digest=digest, name=name, url=absolute_url(name), generation_time=generation_ms,
                                ttl_ms=payload.get("ttlMs"), cap=payload.get("cap"))
        pipe = r.pipeline()
        pipe.incr(RENDERS)
        pipe.hset(JOB.format(job_id), mapping={"state": "done", "result": json.dumps(entry)})
        pipe.lpush(RECENT_MS, generation_ms)
        pipe.ltrim(RECENT_MS, 0, 19)
        pipe.execute()
        _publish(digest, {"event": "done", "job": job_id, "entry": entry})
        outcome = "done"
    except Exception:
        log.exception("preview %s failed", job_id)
        r.hset(JOB.format(job_id), "state", "failed")
        _publish(digest, {"event": "failed", "job": job_id})
    finally:
        r.zrem(RUNNING, job_id)
        cache.lock_release(digest, job_id)
    return outcome


def preview_files_cleanup() -> dict:
    return cache.files_cleanup()
