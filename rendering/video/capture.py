"""The frame loop: one render page builds the template once, then for every frame seeks the
animation to the frame's time (window.__audome.seek → static/renderer/animation.ts seek) and
captures the canvas through CDP (Page.captureScreenshot: JPEG for opaque frames, PNG when the
alpha channel counts). Each frame goes to `sink` (the ffmpeg encoder's stdin) as soon as it is
captured; at most one batch of frames is held in memory.

Frames are deterministic — a pure function of the document, the data and the frame's time — so
the loop can resume anywhere: a Chromium crash mid-chunk re-builds the page and re-captures
from the batch that failed, and a chunk re-run by another worker gives the same pixels.
Runs on the engine's thread (rendering.engine: one warm Chromium per process); between batches
the caller's thread writes frames, reports progress and checks for a cancel."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from rendering.engine.types import RenderError, RenderJob

from .spec import VideoSpec, frame_time

log = logging.getLogger(__name__)

BATCH_FRAMES = 8  # frames captured per call to the engine thread (memory: a batch of images)
MAX_RECOVERIES = 2  # page rebuilds after a failed batch, per chunk


class Canceled(Exception):
    """The generation stopped being rendered (canceled, failed elsewhere, taken over)."""


@dataclass
class FrameStats:
    frames: int = 0
    setup_ms: float = 0.0
    seek_ms: float = 0.0
    capture_ms: float = 0.0
    decode_ms: float = 0.0
    write_ms: float = 0.0
    recoveries: int = 0
    warnings: list = field(default_factory=list)


def _setup(state, job: RenderJob, prep, budget_ms: float) -> list:
    """Builds the template on the account's render page (at rest) and sizes the viewport."""
    from rendering.engine.page import render_in_page

    state.ensure()
    state.recycle_if_needed()
    state.ensure()
    ctx = state.context_for(str(job.isolation_key or "default"))
    state.blobs = prep.blobs
    state.external = {}
    try:
        page = state.render_page(ctx)
        options = job.options
        ctx.viewport = state.set_viewport(page, ctx.viewport, options.width, options.height)
        ctx.frame = None  # the page's pixels will be the video's, not a still's
        out = render_in_page(page, ctx, job, prep, budget_ms)
    finally:
        state.blobs = {}
    return out.get("warnings") or []


_SEEK = "window.__audome.seek({})"


def _capture_batch(state, job: RenderJob, key: str, spec: VideoSpec, frames: range, stats: FrameStats) -> list[bytes]:
    ctx = state.contexts.get(str(job.isolation_key or "default"))
    if ctx is None or ctx.page is None or ctx.page.is_closed() or ctx.built_key != key:
        raise RenderError("The render page lost the video's canvas.", retryable=True)
    options = job.options
    out = []
    for index in frames:
        t0 = time.perf_counter()
        answer = ctx.cdp.send("Runtime.evaluate", {
            "expression": _SEEK.format(repr(float(frame_time(index, spec.fps)))),
            "awaitPromise": True, "returnByValue": True,
        })
        value = (answer.get("result") or {}).get("value")
        if answer.get("exceptionDetails") or not isinstance(value, dict) or not value.get("ok"):
            ctx.built_key = None
            raise RenderError(f"Seeking frame {index} failed.", retryable=True)
        t1 = time.perf_counter()
        image, capture_ms, decode_ms = state.capture(ctx.cdp, options.width, options.height, spec.capture_format,
                                                     spec.capture_quality)
        stats.seek_ms += (t1 - t0) * 1000
        stats.capture_ms += capture_ms
        stats.decode_ms += decode_ms
        out.append(image)
    state.renders += 1
    return out


def render_frames(
    job: RenderJob, spec: VideoSpec, first: int, end: int, sink: Callable[[bytes], None], *,
    should_stop: Callable[[], bool] = lambda: False, on_progress: Callable[[int], None] = lambda done: None,
) -> FrameStats:
    """Captures frames [first, end) of the video in order into sink. Raises Canceled when
    should_stop() says so (checked between batches), RenderError when the page keeps failing."""
    from rendering.engine import get_engine
    from rendering.engine.prepare import prepare, static_key

    stats = FrameStats()
    started = time.perf_counter()
    prep = prepare(job, timeout=settings.RENDER_TIMEOUT / 3)
    prep.static_key = static_key(job, prep.fonts)
    engine = get_engine()
    budget = float(settings.RENDER_TIMEOUT)
    stats.warnings = engine.call(lambda state: _setup(state, job, prep, budget * 1000), timeout=budget)
    stats.setup_ms = (time.perf_counter() - started) * 1000
    index = first
    while index < end:
        if should_stop():
            raise Canceled()
        batch = range(index, min(end, index + BATCH_FRAMES))
        try:
            images = engine.call(lambda state, b=batch: _capture_batch(state, job, prep.static_key, spec, b, stats),
                                 timeout=settings.VIDEO_FRAME_TIMEOUT + len(batch))
        except Exception as exc:  # Chromium crashed or hung (and was killed): rebuild, resume here
            if stats.recoveries >= MAX_RECOVERIES:
                raise RenderError(f"The renderer failed at frame {index}: {exc}", retryable=False) from exc
            stats.recoveries += 1
            log.warning("video frames from %d: %s; rebuilding the page", index, exc)
            engine = get_engine()
            engine.call(lambda state: _setup(state, job, prep, budget * 1000), timeout=budget)
            continue
        t0 = time.perf_counter()
        for image in images:
            sink(image)
        stats.write_ms += (time.perf_counter() - t0) * 1000
        index = batch.stop
        stats.frames += len(images)
        on_progress(index - first)
    return stats
