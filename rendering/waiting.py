"""The wake-up channel between a render worker and the web process waiting for its result.

A synchronous generate (and a signed URL's first request) waits in the web process while a
worker renders. When the worker — or whoever cancels or fails the job — finishes the row, it
RPUSHes the finished state to a per-generation Redis key (`notify_done`); the waiter BLPOPs it
(`generation_wait`): one blocking call, no polling, and no re-read of the row unless the
message is missing or unreadable."""
from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection

from rendering.models import FINISHED, Generation

log = logging.getLogger(__name__)

DONE_KEY = "audome:gen:done:{}"
DONE_KEY_TTL = 300

# What a waiter needs of a finished generation: the worker sends it with the wake-up, so the
# web process answers without reading the row back (it falls back to reading it).
DONE_FIELDS = ("status", "output", "error", "error_code", "credits_used", "timings", "warnings", "render_ms")
DONE_TIMES = ("started_at", "completed_at")


def release_db_connection() -> None:
    """Give this request's database connection back (to the pool, or close it) before a long wait
    that needs none; Django opens a new one if anything after the wait touches the database."""
    if not connection.in_atomic_block:
        connection.close()


@lru_cache(maxsize=1)
def _blocking_redis() -> redis.Redis:
    # No socket timeout: BLPOP's own timeout bounds the wait.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=2)


def notify_done(generation: Generation) -> None:
    """Wake whoever waits for `generation` (now finished), handing it the finished state."""
    message = {field: getattr(generation, field) for field in DONE_FIELDS}
    message.update({field: getattr(generation, field).isoformat() if getattr(generation, field) else None
                    for field in DONE_TIMES})
    try:
        pipe = _blocking_redis().pipeline(transaction=False)
        pipe.rpush(DONE_KEY.format(generation.id), json.dumps(message, separators=(",", ":")))
        pipe.expire(DONE_KEY.format(generation.id), DONE_KEY_TTL)
        pipe.execute()
    except (redis.RedisError, TypeError, ValueError):
        log.warning("could not wake the waiter of %s", generation.id, exc_info=True)


def _apply_done(generation: Generation, raw: bytes | str) -> bool:
    """Copy a finished state sent by notify_done onto generation; False if it isn't one."""
    try:
        message = json.loads(raw)
        if message.get("status") not in FINISHED:
            return False
        for field in DONE_TIMES:
            message[field] = dt.datetime.fromisoformat(message[field]) if message.get(field) else None
    except (TypeError, ValueError, AttributeError):
        return False
    for field in (*DONE_FIELDS, *DONE_TIMES):
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
