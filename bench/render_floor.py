"""The raw render floor: a warm page updated through the DOM and captured, nothing else.

    .venv/bin/python bench/render_floor.py [-n 60] [--formats png,jpeg,webp] [--concurrency 1,2]

For a 1080×1080 card (text, a photo-like image, shapes) whose title changes every iteration,
prints p50/p95 ms and renders/s for PNG, JPEG and WebP:
  - floor: one warm page, `textContent` updated, two animation frames, CDP
    Page.captureScreenshot (optimizeForSpeed) — the least any renderer can do;
  - engine: the same card through `rendering.engine.render()` (fetch phase, per-account
    context, renderer, capture) — what a Celery render worker does per render;
and, with --capture-paths, the capture/encode variants we compared.

Importable: `measure_floor(n, fmt, concurrency=1) -> dict` and `measure_engine(n, fmt) -> dict`
(the end-to-end bench prints the floor in the same run).
"""
from __future__ import annotations

import argparse
import base64
import io
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import pybase64

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import cpu_by_group, cpu_snapshot, raw_chromium, render_page  # noqa: E402

WIDTH = HEIGHT = 1080


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def photo_png() -> bytes:
    """A photo-like 1080×680 image (gradients + noise) so the encoders have real work."""
    from PIL import Image, ImageFilter

    w, h = 1080, 680
    noise = Image.effect_noise((w, h), 64).convert("L")
    grad = Image.linear_gradient("L").resize((w, h))
    im = Image.merge("RGB", (grad, noise.filter(ImageFilter.GaussianBlur(2)), grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def photo_variants() -> list[bytes]:
    """The photo and three tinted copies of it (red, green, blue cast): what a bench changes
    per request when the photo changes too (`--vary photo`, batch rows)."""
    from PIL import Image

    photo = photo_png()
    variants = [photo]
    for tint in ((1.0, 0.6, 0.6), (0.6, 1.0, 0.6), (0.6, 0.6, 1.0)):
        bands = [b.point(lambda v, f=f: int(v * f)) for b, f in zip(Image.open(io.BytesIO(photo)).split(), tint, strict=True)]
        buf = io.BytesIO()
        Image.merge("RGB", bands).save(buf, "JPEG", quality=85)
        variants.append(buf.getvalue())
    return variants


_PHOTO: bytes | None = None


def photo_data_url() -> str:
    global _PHOTO
    if _PHOTO is None:
        _PHOTO = photo_png()
    return "data:image/jpeg;base64," + base64.b64encode(_PHOTO).decode()


def photo_storage_url() -> str:
    """The photo as an uploaded asset in our own storage (how templates reference images)."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = "bench/render-floor-photo.jpg"
    if not default_storage.exists(name):
        global _PHOTO
        _PHOTO = _PHOTO or photo_png()
        name = default_storage.save(name, ContentFile(_PHOTO))
    return settings.PUBLIC_BASE_URL + settings.MEDIA_URL + name


def card_document(image_src: str) -> dict:
    return {
        "version": 1,
        "background": {"color": "#0f172a"},
        "elements": [
            {"id": "hero", "type": "image", "x": 0, "y": 400, "width": 1080, "height": 680, "dynamicKey": "hero",
             "src": image_src, "fit": "cover", "borderRadius": 24},
            {"id": "title", "type": "text", "x": 80, "y": 120, "width": 920, "height": 200, "dynamicKey": "title",
             "text": "Summer sale", "style": {"fontFamily": "Noto Sans", "fontSize": 72, "fontWeight": 700,
                                              "color": "#ffffff", "textAlign": "center", "verticalAlign": "middle",
                                              "lineHeight": 1.2, "autoFit": True}},
            {"id": "sub", "type": "text", "x": 80, "y": 320, "width": 920, "height": 60, "dynamicKey": "sub",
             "text": "خصم ٣٠٪ على كل شيء", "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 40,
                                                      "color": "#f59e0b", "textAlign": "center"}},
            {"id": "bar", "type": "shape", "shape": "rect", "x": 40, "y": 40, "width": 200, "height": 8,
             "fill": "#f59e0b", "borderRadius": 4},
            {"id": "dot", "type": "shape", "shape": "ellipse", "x": 900, "y": 40, "width": 120, "height": 120,
             "fill": "#22c55e", "stroke": "#ffffff", "strokeWidth": 6},
        ],
    }


def _stats(samples_ms: list[float], wall_s: float, n: int, **extra) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {**extra, "n": n, "p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "mean_ms": round(statistics.fmean(ordered), 1), "renders_per_s": round(n / wall_s, 2)}


# --- the raw floor ---------------------------------------------------------------------------

PHOTO_UPDATE = """async (src) => {
    const img = document.querySelector('#audome-root [data-element-id="hero"] img');
    img.src = src;
    await img.decode();
}"""


def _floor_worker(n: int, fmt: str, quality: int, capture: str, out=None, cpu_out: dict | None = None,
                  vary: str = "title") -> list[float]:
    """Runs in its own thread (Playwright's sync API wants a thread without an event loop).
    vary="photo": each iteration also swaps the photo for the next of `photo_variants()`
    (`img.src` and an awaited `decode()`), as a batch row or `generate_bench --vary photo` does."""
    _django()
    from playwright.sync_api import sync_playwright

    from rendering.engine.browser import ORIGIN

    photos = photo_variants() if vary == "photo" else [photo_png()]
    images = {"/i/photo": ("image/jpeg", photos[0])}
    images.update({f"/i/photo{k}": ("image/jpeg", body) for k, body in enumerate(photos)})
    result: dict = {}

    def run():
        with sync_playwright() as pw:
            browser, context = raw_chromium(pw, images=images, viewport=(WIDTH, HEIGHT))
            page = render_page(context)
            page.evaluate("(p) => window.__audome.render(p)", {
                "width": WIDTH, "height": HEIGHT, "document": card_document(ORIGIN + "/i/photo"),
                "images": {ORIGIN + "/i/photo": ORIGIN + "/i/photo"}})
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setDefaultBackgroundColorOverride", {"color": {"r": 0, "g": 0, "b": 0, "a": 0}})
            params = {"format": fmt, "clip": {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "scale": 1},
                      "fromSurface": True, "captureBeyondViewport": False, "optimizeForSpeed": capture != "cdp-slow"}
            if fmt != "png":
                params["quality"] = quality
            # CDP's capture makes a fresh frame of the DOM as it is: no animation-frame wait needed.
            update = "(t) => window.__audome.setText('title', t)"
            samples = []
            for i in range(n + 3):  # 3 warm-up iterations
                if i == 3:
                    cpu_before = cpu_snapshot()
                t0 = time.perf_counter()
                page.evaluate(update, f"Summer sale #{i} — up to {i % 90}% off")
                if vary == "photo":
                    # the tinted copies in turn, as the stack benches' rows use them
                    page.evaluate(PHOTO_UPDATE, f"{ORIGIN}/i/photo{1 + i % (len(photos) - 1)}")
                if capture == "playwright":
                    data = page.screenshot(type="jpeg" if fmt == "jpeg" else "png",
                                           clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT},
                                           **({"quality": quality} if fmt == "jpeg" else {}))
                elif capture == "cdp-png+pillow":
                    from PIL import Image

                    raw = pybase64.b64decode(cdp.send("Page.captureScreenshot", {**params, "format": "png"})["data"], validate=True)
                    im = Image.open(io.BytesIO(raw)).convert("RGB")
                    buf = io.BytesIO()
                    im.save(buf, "JPEG" if fmt == "jpeg" else fmt.upper(), quality=quality)
                    data = buf.getvalue()
                else:
                    data = pybase64.b64decode(cdp.send("Page.captureScreenshot", params)["data"], validate=True)
                if i >= 3:
                    samples.append((time.perf_counter() - t0) * 1000)
                if out is not None and i == n + 2:
                    Path(out).write_bytes(data)
            result["cpu"] = cpu_by_group(cpu_before, cpu_snapshot())
            browser.close()
            result["samples"] = samples

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if cpu_out is not None:
        cpu_out.update(result["cpu"])
    return result["samples"]


def _floor_process(args):
    n, fmt, quality, capture, vary = args
    t0 = time.perf_counter()
    samples = _floor_worker(n, fmt, quality, capture, vary=vary)
    return samples, time.perf_counter() - t0


def measure_floor(n: int = 60, fmt: str = "png", concurrency: int = 1, quality: int = 90,
                  capture: str = "cdp", vary: str = "title") -> dict:
    """The raw floor for the 1080² card: p50/p95 ms per render and renders/s.

    concurrency > 1 runs that many independent browsers in separate processes (like Celery's
    prefork workers) and reports their combined throughput."""
    if concurrency <= 1:
        t0 = time.perf_counter()
        cpu: dict[str, float] = {}
        samples = _floor_worker(n, fmt, quality, capture, cpu_out=cpu, vary=vary)
        # the loop's own wall time, without the browser launch
        stats = _stats(samples, sum(samples) / 1000, n, kind="floor", format=fmt, concurrency=1, capture=capture, vary=vary,
                       setup_s=round(time.perf_counter() - t0 - sum(samples) / 1000, 2))
        stats["cpu_ms_per_render"] = {g: round(v * 1000 / n, 1) for g, v in cpu.items() if v > 0}
        return stats
    per = max(1, n // concurrency)
    ctx = mp.get_context("spawn")
    with ctx.Pool(concurrency) as pool:
        results = pool.map(_floor_process, [(per, fmt, quality, capture, vary)] * concurrency)
    samples = [s for r, _ in results for s in r]
    # throughput: renders done / the slowest worker's render loop time
    loop_s = max(sum(r) / 1000 for r, _ in results)
    return _stats(samples, loop_s, len(samples), kind="floor", format=fmt, concurrency=concurrency, capture=capture,
                  vary=vary)


# --- through the engine ----------------------------------------------------------------------

def measure_engine(n: int = 60, fmt: str = "png", quality: int = 90) -> dict:
    """The same card through rendering.engine.render(): fetch, layout, capture per render."""
    _django()
    from rendering import engine

    doc = card_document(photo_storage_url())
    phases = {"fetch": [], "layout": [], "capture": [], "encode": []}
    samples = []
    for i in range(n + 3):
        job = engine.RenderJob(engine.RenderOptions(width=WIDTH, height=HEIGHT, format=fmt, quality=quality),
                               document=doc,
                               data={"title.text": f"Summer sale #{i} — up to {i % 90}% off"},
                               isolation_key="bench-account")
        t0 = time.perf_counter()
        result = engine.render(job, timeout=60)
        if i >= 3:
            samples.append((time.perf_counter() - t0) * 1000)
            for k in phases:
                phases[k].append(result.timings[k])
    stats = _stats(samples, sum(samples) / 1000, n, kind="engine", format=fmt, concurrency=1)
    stats["phases_p50_ms"] = {k: round(statistics.median(v), 1) for k, v in phases.items()}
    return stats


def _row(s: dict) -> str:
    phases = s.get("phases_p50_ms")
    extra = " ".join(f"{k}={v}" for k, v in phases.items()) if phases else s.get("capture", "")
    return (f"| {s['kind']:<6} | {s['format']:<4} | {s['concurrency']} | {s['p50_ms']:>7} | {s['p95_ms']:>7} | "
            f"{s['renders_per_s']:>6} | {extra} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=60, help="renders per measurement (after 3 warm-up ones)")
    parser.add_argument("--formats", default="png,jpeg,webp")
    parser.add_argument("--concurrency", default="1", help="comma-separated, e.g. 1,2")
    parser.add_argument("--no-engine", action="store_true", help="only the raw floor")
    parser.add_argument("--vary", default="title", choices=["title", "photo"],
                        help="what the floor changes per render: the title, or the title and the photo")
    parser.add_argument("--capture-paths", action="store_true",
                        help="also compare capture paths: Playwright screenshot, CDP without optimizeForSpeed, CDP PNG + Pillow")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    levels = [int(c) for c in args.concurrency.split(",")]
    changes = "title and photo change" if args.vary == "photo" else "title changes"
    print(f"1080×1080 card (text, Arabic text, photo, shapes), {changes} every render; n={args.n}\n")
    print("| kind   | fmt  | c | p50 ms  | p95 ms  | rend/s | notes |")
    print("|--------|------|---|---------|---------|--------|-------|")
    for fmt in formats:
        for c in levels:
            print(_row(measure_floor(args.n, fmt, concurrency=c, vary=args.vary)), flush=True)
        if not args.no_engine:
            print(_row(measure_engine(args.n, fmt)), flush=True)
    if args.capture_paths:
        for fmt, capture in (("png", "playwright"), ("png", "cdp-slow"), ("jpeg", "playwright"),
                             ("jpeg", "cdp-png+pillow"), ("webp", "cdp-png+pillow")):
            print(_row(measure_floor(max(10, args.n // 3), fmt, capture=capture)), flush=True)
    if not args.no_engine:
        from rendering import engine

        engine.shutdown()


if __name__ == "__main__":
    main()
