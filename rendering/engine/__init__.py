"""The render engine: (document + data | inline HTML) → image bytes, in a warm headless Chromium.

    from rendering.engine import render, RenderJob, RenderOptions, FontFace, RenderError
    result = render(RenderJob(RenderOptions(width=1080, height=1080, format="png"), document=doc,
                              data={"title.text": "Hi"}, isolation_key=str(account.id)))
    result.image, result.mime, result.timings, result.warnings

(Outside the engine, build jobs with rendering.jobs: it adds the account's fonts and isolation.)

The parts: types.py (RenderOptions — the output's shape and its rules —, RenderJob,
RenderResult, RenderError), prepare.py (the fetch phase: images and account fonts into
memory, the canvas key), page.py (the page work on the engine thread), frames.py (band
captures of PNGs), browser.py (Chromium, its network rules and recycling), images.py (the
guarded image fetcher). This module ties them: render() with its one retry.

Phases (result.timings, ms): fetch (images and account fonts, by the server), layout (the
page builds the DOM, waits for fonts and images, fits text), capture (CDP
Page.captureScreenshot, Chromium's encoder included), encode (decoding CDP's base64),
total. One Chromium per process, launched lazily; see browser.py for the network and
isolation rules. A crash or a hang restarts Chromium and the render is retried once; a
render that still fails raises RenderError(retryable=False).

Warm path: each account's page keeps the canvas it built last, under a key of the render's
static part (prepare.static_key: document, size and placement, background, account fonts). When a render
has the key the page was last built with, only the key, the data and the image map are sent
and the page redoes just the dynamic values that changed (static/renderer updateDocument);
a page that lost its canvas answers {needDocument: true} and gets the whole payload in the
same call. A PNG render on that path re-captures only the rows it changed (frames.py).
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from . import page
from .browser import Engine
from .prepare import prepare, static_key
from .types import (
    DEFAULT_QUALITY,
    FITS,
    FORMATS,
    MIME,
    Fit,
    FontFace,
    Format,
    InvalidOptions,
    RenderError,
    RenderJob,
    RenderOptions,
    RenderResult,
)

__all__ = ["render", "RenderJob", "RenderOptions", "RenderResult", "RenderError", "InvalidOptions", "FontFace",
           "Fit", "FITS", "Format", "FORMATS", "DEFAULT_QUALITY", "get_engine", "shutdown", "warm_up"]

log = logging.getLogger(__name__)

_engine = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """This process's engine (its thread and warm Chromium), started on first use."""
    global _engine
    with _engine_lock:
        if _engine is None or _engine.pid != os.getpid() or not _engine.alive():
            _engine = Engine()
        return _engine


def shutdown() -> None:
    """Closes Chromium (tests, worker shutdown). The next render starts it again."""
    global _engine
    with _engine_lock:
        eng, _engine = _engine, None
    if eng is not None and eng.pid == os.getpid():
        eng.stop()


atexit.register(shutdown)


def warm_up(timeout: float = 60.0) -> None:
    """Launches Chromium and loads the render page now (e.g. when a worker starts)."""
    render(RenderJob(RenderOptions(width=8, height=8), document={"version": 1, "elements": []},
                     isolation_key="__warmup__"), timeout=timeout)


def render(job: RenderJob, *, timeout: float = 30.0) -> RenderResult:
    """Renders one job, trying Chromium at most twice: this is the render path's only retry
    (callers don't loop). Raises RenderError (retryable=False once the second attempt failed)."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    prep = prepare(job, timeout=timeout / 3)
    if job.document is not None:
        prep.static_key = static_key(job, prep.fonts)
    fetch_ms = (time.perf_counter() - started) * 1000
    engine = get_engine()
    last: Exception | None = None
    for attempt in (1, 2):
        remaining = deadline - time.monotonic()
        budget = max(5.0, remaining / 2 if attempt == 1 else remaining)
        try:
            image, warnings, layout_ms, capture_ms, encode_ms = engine.call(
                lambda state, b=budget: page.in_browser(state, job, prep, b * 1000),
                timeout=budget,
            )
            break
        except RenderError as exc:
            if not exc.retryable:
                raise
            last = exc
        except Exception as exc:  # Chromium crashed or the page failed
            last = exc
        log.warning("render attempt %d failed: %s", attempt, last)
    else:
        raise RenderError(f"The renderer failed twice: {last}", retryable=False)
    total_ms = (time.perf_counter() - started) * 1000
    timings = {
        "fetch": round(fetch_ms, 1),
        "layout": round(layout_ms, 1),
        "capture": round(capture_ms, 1),
        "encode": round(encode_ms, 1),
        "total": round(total_ms, 1),
    }
    options = job.options
    warnings = page.clean_warnings(warnings)
    placed = options.placement_warning() if job.document is not None else None
    if placed:
        warnings.append(placed)
    return RenderResult(image=image, width=options.width, height=options.height, format=options.format,
                        mime=MIME[options.format], timings=timings, warnings=warnings)
