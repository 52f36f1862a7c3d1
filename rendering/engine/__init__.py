"""The render engine: (document + data | inline HTML) → image bytes, in a warm headless Chromium.

    from rendering.engine import render, RenderJob, FontFace, RenderError
    result = render(RenderJob(width=1080, height=1080, format="png", document=doc,
                              data={"title.text": "Hi"}, isolation_key=str(account.id)))
    result.image, result.mime, result.timings, result.warnings

Phases (result.timings, ms): fetch (images and account fonts, by the server), layout (the
page builds the DOM, waits for fonts and images, fits text), capture (CDP
Page.captureScreenshot, Chromium's encoder included), encode (decoding CDP's base64),
total. One Chromium per process, launched lazily; see browser.py for the network and
isolation rules. A crash or a hang restarts Chromium and the render is retried once; a
render that still fails raises RenderError(retryable=False).

Warm path: each account's page keeps the canvas it built last, under a key of the render's
static part (_static_key: document, size, background, account fonts, scale). When a render
has the key the page was last built with, only the key, the data and the image map are sent
and the page redoes just the dynamic values that changed (static/renderer updateDocument);
a page that lost its canvas answers {needDocument: true} and gets the whole payload in the
same call. A PNG render on that path re-captures only the rows it changed (frames.py).
"""
from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from html.parser import HTMLParser

from django.conf import settings

from . import images as _images
from .fonts import valid_family_name
from .frames import capture_render_page
from .types import MIME, FontFace, RenderError, RenderJob, RenderResult

__all__ = ["render", "RenderJob", "RenderResult", "RenderError", "FontFace", "shutdown", "warm_up"]

log = logging.getLogger(__name__)

FORMATS = ("png", "jpeg", "webp")
_engine = None
_engine_lock = threading.Lock()


def _get_engine():
    global _engine
    from .browser import Engine

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
    render(RenderJob(width=8, height=8, format="png", document={"version": 1, "elements": []},
                     isolation_key="__warmup__"), timeout=timeout)


# --- validation ------------------------------------------------------------------------------

def _normalise(job: RenderJob) -> tuple[str, int, int, int]:
    max_canvas = getattr(settings, "MAX_CANVAS", 4096)
    try:
        width, height = int(job.width), int(job.height)
    except (TypeError, ValueError):
        raise RenderError("width and height must be integers.", retryable=False) from None
    if not (1 <= width <= max_canvas and 1 <= height <= max_canvas):
        raise RenderError(f"The canvas must be 1…{max_canvas} px each way.", retryable=False)
    fmt = str(job.format or "png").lower()
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in FORMATS:
        raise RenderError(f"Unknown format {job.format!r}.", retryable=False)
    if job.background == "transparent":
        fmt = "png"  # only PNG keeps an alpha channel
    try:
        quality = max(1, min(100, int(job.quality if job.quality is not None else 90)))
    except (TypeError, ValueError):
        quality = 90
    if (job.document is None) == (job.html is None):
        raise RenderError("Exactly one of document and html is needed.", retryable=False)
    if job.document is not None and not isinstance(job.document, dict):
        raise RenderError("The document must be an object.", retryable=False)
    return fmt, width, height, quality


# --- the fetch phase -------------------------------------------------------------------------

def _document_image_urls(doc: dict, data: dict) -> list[str]:
    urls = []
    bg = doc.get("background")
    if isinstance(bg, dict) and isinstance(bg.get("image"), str) and bg["image"].strip():
        urls.append(bg["image"])
    for el in doc.get("elements") or []:
        if not isinstance(el, dict) or el.get("type") != "image":
            continue
        if el.get("hidden") is True or el.get("visible") is False:
            continue
        if isinstance(el.get("src"), str) and el["src"].strip():
            urls.append(el["src"])
        key = el.get("dynamicKey")
        if isinstance(key, str) and key:
            value = (data or {}).get(f"{key}.img")
            if isinstance(value, str) and value.strip():
                urls.append(value)
    return urls


class _ImgCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "image", "input", "source", "video"):
            for name, value in attrs:
                if name in ("src", "poster", "href") and value:
                    self.urls.append(value.strip())
                elif name == "srcset" and value:
                    self.urls.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())


_CSS_URL = re.compile(r"""url\(\s*(['"]?)(https?://[^'")\s]+)\1\s*\)""", re.IGNORECASE)


def _html_image_urls(html: str) -> list[str]:
    collector = _ImgCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:
        pass
    urls = [u for u in collector.urls if u.lower().startswith(("https://", "http://"))]
    urls += [m.group(2) for m in _CSS_URL.finditer(html)]
    return list(dict.fromkeys(urls))[:32]


_font_cache: dict[str, tuple[float, tuple[str, bytes] | None]] = {}
_font_lock = threading.Lock()


def _font_mime(content: bytes) -> str | None:
    head = content[:4]
    if head == b"wOF2":
        return "font/woff2"
    if head == b"wOFF":
        return "font/woff"
    if head == b"OTTO":
        return "font/otf"
    if head in (b"\x00\x01\x00\x00", b"true"):
        return "font/ttf"
    return None


def _load_font(storage_name: str) -> tuple[str, bytes] | None:
    now = time.monotonic()
    with _font_lock:
        hit = _font_cache.get(storage_name)
        if hit and hit[0] > now:
            return hit[1]
    from django.core.files.storage import default_storage

    value = None
    try:
        with default_storage.open(storage_name, "rb") as fh:
            content = fh.read(25 * 1024 * 1024 + 1)
        mime = _font_mime(content)
        if mime and len(content) <= 25 * 1024 * 1024:
            value = (mime, content)
    except Exception:
        log.warning("account font %s could not be read", storage_name)
    with _font_lock:
        if len(_font_cache) > 256:
            _font_cache.clear()
        _font_cache[storage_name] = (now + 600, value)
    return value


class _Prepared:
    def __init__(self):
        self.blobs: dict[str, tuple[str, bytes]] = {}
        self.external: dict[str, tuple[str, bytes]] = {}
        self.images: dict[str, object] = {}
        self.fonts: list[dict] = []
        self.font_css = ""
        self.static_key = ""  # documents only: see _static_key


def _static_key(job: RenderJob, fonts: list[dict], width: int, height: int) -> str:
    """What a page's canvas is built from, apart from the data: equal keys → the same canvas."""
    static = {"document": job.document, "width": width, "height": height, "background": job.background,
              "fonts": fonts, "scale": _scale(job)}
    canonical = json.dumps(static, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _prepare(job: RenderJob, timeout: float) -> _Prepared:
    from .browser import ORIGIN

    prep = _Prepared()
    # Account fonts.
    for face in job.fonts or []:
        family = getattr(face, "family", "")
        if not valid_family_name(family):
            continue
        loaded = _load_font(face.storage_name)
        if loaded is None:
            continue
        mime, content = loaded
        sha = hashlib.sha256(content).hexdigest()
        path = f"/f/{sha}"
        prep.blobs[path] = (mime, content)
        weight = str(face.weight) if re.fullmatch(r"\d{1,4}", str(face.weight)) else "400"
        style = "italic" if face.style == "italic" else "normal"
        prep.fonts.append({"family": family.strip(), "url": ORIGIN + path, "weight": weight, "style": style})
        prep.font_css += (f'@font-face{{font-family:"{family.strip()}";src:url("{ORIGIN}{path}");'
                          f"font-weight:{weight};font-style:{style};font-display:block}}")
    # Images.
    if job.html is not None:
        urls = _html_image_urls(job.html)
    else:
        urls = _document_image_urls(job.document, job.data or {})
    fetched = _images.fetch_images(urls, timeout=max(1.0, min(10.0, timeout)))
    for url, value in fetched.items():
        if isinstance(value, _images.Blob):
            path = f"/i/{value.sha}"
            prep.blobs[path] = (value.mime, value.content)
            prep.external[url] = (value.mime, value.content)
            prep.images[url] = ORIGIN + path
        else:
            prep.images[url] = {"error": value.reason}
    return prep


# --- the browser part (runs on the engine thread) --------------------------------------------

def _in_browser(state, job: RenderJob, prep: _Prepared, fmt: str, width: int, height: int, quality: int,
                budget_ms: float):
    # Launching Chromium or warming a context for a new account counts as layout time.
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
            frame, ctx.frame = ctx.frame, None  # the page's pixels are about to change
            out = _render_in_page(page, ctx, job, prep, width, height, budget_ms)
            layout_ms = (time.perf_counter() - t0) * 1000
            warnings = out.get("warnings") or []
            image, capture_ms, encode_ms, ctx.frame = capture_render_page(
                state, ctx.cdp, frame, out, width, height, fmt, quality, _scale(job))
        else:
            page = state.html_page(ctx)
            ctx.html_viewport = state.set_viewport(page, ctx.html_viewport, width, height)
            path = f"/__html/{uuid.uuid4().hex}"
            background = job.background if job.background else "#ffffff"
            t0 = setup_started
            bg_css = ""
            if background != "transparent":
                # The browser parses the colour; we write it back as rgba() ourselves (no injection).
                c = _css_rgba(page, background) or {"r": 255, "g": 255, "b": 255, "a": 1}
                bg_css = f"html{{background-color:rgba({int(c['r'])},{int(c['g'])},{int(c['b'])},{float(c['a']):.3f})}}"
            state.html_docs = {path: state.assets.html_document(job.html, font_faces_css=prep.font_css + bg_css)}
            from .browser import ORIGIN

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
            image, capture_ms, encode_ms = state.capture(ctx.html_cdp, width, height, fmt, quality, _scale(job))
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


def _render_in_page(page, ctx, job: RenderJob, prep: _Prepared, width: int, height: int, budget_ms: float) -> dict:
    """The page's render: only the data when it holds this document's canvas, else everything."""
    key = prep.static_key
    payload = {"key": key, "data": job.data or {}, "images": prep.images,
               "imageTimeoutMs": min(15_000, budget_ms), "fontTimeoutMs": min(10_000, budget_ms)}
    held, ctx.built_key = ctx.built_key == key, None  # unknown until this render is through
    out = page.evaluate(_RENDER_CALL, payload) if held else {"needDocument": True}
    if out.get("needDocument"):
        out = page.evaluate(_RENDER_CALL, {**payload, "document": job.document, "width": width, "height": height,
                                           "background": job.background, "fonts": prep.fonts})
    ctx.built_key = key
    return out


def _scale(job: RenderJob) -> float:
    try:
        scale = float(getattr(job, "scale", 1.0) or 1.0)
    except (TypeError, ValueError):
        return 1.0
    return min(1.0, max(0.05, scale)) if scale == scale else 1.0


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


def _clean_warnings(raw) -> list[dict]:
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


def render(job: RenderJob, *, timeout: float = 30.0) -> RenderResult:
    """Renders one job. Raises RenderError (retryable=False once the internal retry failed)."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    fmt, width, height, quality = _normalise(job)
    prep = _prepare(job, timeout=timeout / 3)
    if job.document is not None:
        prep.static_key = _static_key(job, prep.fonts, width, height)
    fetch_ms = (time.perf_counter() - started) * 1000
    engine = _get_engine()
    last: Exception | None = None
    for attempt in (1, 2):
        remaining = deadline - time.monotonic()
        budget = max(5.0, remaining / 2 if attempt == 1 else remaining)
        try:
            image, warnings, layout_ms, capture_ms, encode_ms = engine.call(
                lambda state, b=budget: _in_browser(state, job, prep, fmt, width, height, quality, b * 1000),
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
    scale = _scale(job)
    if scale != 1.0:
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
    return RenderResult(image=image, width=width, height=height, format=fmt, mime=MIME[fmt],
                        timings=timings, warnings=_clean_warnings(warnings))
