"""The page work of a render, run on the engine thread: set the viewport, build or update the
render page's canvas (or load the inline html), wait for fonts and images, capture. A document
page that holds the canvas of the job's static key only gets the data (see the package's
docstring); the capture is frames.capture_render_page's."""
from __future__ import annotations

import time
import uuid

from django.conf import settings

from .browser import ORIGIN
from .frames import capture_render_page
from .prepare import Prepared
from .types import RenderJob


def in_browser(state, job: RenderJob, prep: Prepared, budget_ms: float):
    # Launching Chromium or warming a context for a new account counts as layout time.
    options = job.options
    width, height, fmt, quality = options.width, options.height, options.format, options.quality
    setup_started = time.perf_counter()
    state.ensure()
    state.recycle_if_needed()
    state.ensure()
    ctx = state.context_for(str(job.isolation_key or "default"))
    state.blobs = prep.blobs
    state.external = prep.external if job.html is not None else {}
    try:
        if job.html is None:
            page = state.render_page(ctx)
            ctx.viewport = state.set_viewport(page, ctx.viewport, width, height)
            t0 = setup_started
            frame = ctx.frames.get(prep.static_key)  # that canvas's last PNG, if kept
            out = render_in_page(page, ctx, job, prep, budget_ms)
            layout_ms = (time.perf_counter() - t0) * 1000
            warnings = out.get("warnings") or []
            image, capture_ms, encode_ms, ctx.frame = capture_render_page(
                state, ctx.cdp, frame, out, width, height, fmt, quality)
            state.trim_frames(ctx)
        else:
            page = state.html_page(ctx)
            ctx.html_viewport = state.set_viewport(page, ctx.html_viewport, width, height)
            path = f"/__html/{uuid.uuid4().hex}"
            background = job.options.background or "#ffffff"
            t0 = setup_started
            bg_css = ""
            if background != "transparent":
                # The browser parses the colour; we write it back as rgba() ourselves (no injection).
                c = _css_rgba(page, background) or {"r": 255, "g": 255, "b": 255, "a": 1}
                bg_css = f"html{{background-color:rgba({int(c['r'])},{int(c['g'])},{int(c['b'])},{float(c['a']):.3f})}}"
            state.html_docs = {path: state.assets.html_document(job.html, font_faces_css=prep.font_css + bg_css)}
            page.goto(ORIGIN + path, wait_until="load", timeout=max(1000, budget_ms))
            page.evaluate(
                """async (ms) => {
                    const t = new Promise((r) => setTimeout(r, ms));
                    await Promise.race([document.fonts.ready, t]);
                    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                }""",
                min(10_000, budget_ms),
            )
            layout_ms = (time.perf_counter() - t0) * 1000
            image, capture_ms, encode_ms = state.capture(ctx.html_cdp, width, height, fmt, quality)
            warnings = [
                {"code": "IMAGE_FALLBACK", "message": f"Image {url[:200]} could not be used ({v['error']})."}
                for url, v in prep.images.items() if isinstance(v, dict)
            ]
    finally:
        state.blobs = {}
        state.external = {}
        state.html_docs = {}
    state.renders += 1
    return image, warnings, layout_ms, capture_ms, encode_ms


_RENDER_CALL = "(p) => window.__audome.render(p)"


def render_in_page(page, ctx, job: RenderJob, prep: Prepared, budget_ms: float) -> dict:
    """The page's render: only the data when it holds this document's canvas (shown or kept
    hidden), else everything. The page keeps RENDER_PAGE_CANVASES canvases, so an account
    that alternates between templates switches canvases instead of rebuilding them. The
    canvas is laid out at the template's size; an output of another size gets a frame of its
    size with the canvas scaled into it (RenderOptions.placement), so the capture is always
    the output's pixels from the page's top-left corner."""
    key = prep.static_key
    limit = max(1, int(getattr(settings, "RENDER_PAGE_CANVASES", 4)))
    payload = {"key": key, "data": job.data or {}, "images": prep.images, "timeMs": job.time_ms, "keep": limit,
               "imageTimeoutMs": min(15_000, budget_ms), "fontTimeoutMs": min(10_000, budget_ms)}
    held = ctx.take(key)  # neither held nor shown until this render is through
    out = page.evaluate(_RENDER_CALL, payload) if held else {"needDocument": True}
    if out.get("needDocument"):
        options = job.options
        width, height = options.canvas
        placement = options.placement()
        frame = None if placement is None else {"width": options.width, "height": options.height,
                                                "scale": placement.scale, "x": placement.x, "y": placement.y}
        out = page.evaluate(_RENDER_CALL, {**payload, "document": job.document, "width": width, "height": height,
                                           "background": options.background, "fonts": prep.fonts, "frame": frame})
    ctx.keep(key, limit)
    return out


def _css_rgba(page, colour: str) -> dict | None:
    """Parses a CSS colour with the browser itself (on a blank page); None if invalid."""
    try:
        value = page.evaluate(
            """(c) => {
                if (!CSS.supports('color', c)) return null;
                const probe = document.createElement('canvas').getContext('2d');
                probe.fillStyle = '#000'; probe.fillStyle = c;
                probe.clearRect(0, 0, 1, 1); probe.fillRect(0, 0, 1, 1);
                const d = probe.getImageData(0, 0, 1, 1).data;
                return {r: d[0], g: d[1], b: d[2], a: d[3] / 255};
            }""",
            colour,
        )
    except Exception:
        return None
    return value


def clean_warnings(raw) -> list[dict]:
    out = []
    for w in raw or []:
        if not isinstance(w, dict) or not w.get("code"):
            continue
        item = {"code": str(w["code"]), "message": str(w.get("message", ""))}
        if w.get("elementId"):
            item["elementId"] = str(w["elementId"])
        if isinstance(w.get("fontSize"), (int, float)):
            item["fontSize"] = w["fontSize"]
        out.append(item)
    return out
