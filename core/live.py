"""The one helper that pushes live events (Channels groups) from services and tasks.
Groups: `account-<uuid>` (everything of an account) and `project-<uuid>` (one template).
Consumers forward messages of type "live.event" as {"type": <event type>, "payload": {...}}.

Sends go out from one background thread per process with its own long-lived event loop, so the
channel layer keeps its Redis connections (async_to_sync would make a new loop — and new
connections — for every message). Best effort and off the caller's critical path: a live update
never makes the write that caused it fail, nor waits for Redis."""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Future

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def account_group(account_id) -> str:
    return f"account-{account_id}"


def project_group(project_id) -> str:
    return f"project-{project_id}"


def live_send(group: str, event_type: str, payload: dict) -> None:
    """Queue `event_type` with `payload` to every socket in `group`."""
    try:
        _pusher().send(group, {"type": "live.event", "event": event_type, "payload": payload})
    except Exception:
        log.warning("live_send to %s failed", group, exc_info=True)


class _Pusher:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        threading.Thread(target=self.loop.run_forever, name="audome-live", daemon=True).start()

    def send(self, group: str, message: dict) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self.loop)
        future.add_done_callback(_log_failure)


def _log_failure(future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("live update failed: %s", future.exception())


_current: _Pusher | None = None
_lock = threading.Lock()


def _pusher() -> _Pusher:
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():  # a forked worker process needs its own
            _current = _Pusher()
        return _current
