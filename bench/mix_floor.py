"""The raw Chromium floor of the multi-tenant mix (bench/mixed_bench.py): the same pixels, the
least work.

    .venv/bin/python bench/mix_floor.py [-n 80] [--concurrency 1,2]

bench/render_floor.py's floor is one 1080² card whose title changes: the cheapest render there
is. The mix asks for more than that per request — a 1080×1920 story is 1.8× the card's pixels,
the photo changes on most requests (so every row is repainted and re-encoded) and 30 % are
JPEG or WebP. This floor does the mix's work with nothing around it: one Chromium per process,
one page per template shape (card, link, story, quote) built once with the render page's own
renderer, and per request only the DOM writes — the texts (`textContent`) and the photo
(`img.src`, awaited `decode()`) — and one CDP capture at the template's size in the request's
format. No accounts, no isolation, no text fitting, no queue, no storage: what any renderer of
this mix must at least pay. The request plan (template, data, format) is mixed_bench's own.

Importable: `measure_mix_floor(n, concurrency, seed) -> dict` (p50/p95 ms, renders/s)."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.common import percentile, raw_chromium, render_page  # noqa: E402

UPDATE = """async ([texts, image]) => {
    for (const [id, text] of texts) {
        const node = document.querySelector(`#audome-root [data-element-id="${CSS.escape(id)}"] > div`);
        if (node) node.textContent = text;
    }
    if (image) {
        const img = document.querySelector(`#audome-root [data-element-id="${CSS.escape(image[0])}"] img`);
        if (img && img.getAttribute('src') !== image[1]) { img.src = image[1]; await img.decode().catch(() => null); }
    }
}"""


def _plan(n: int, seed: int, photo_count: int) -> list[tuple[int, dict, str]]:
    """(template index, data, format) per request: mixed_bench's choices, photos as /i/<k>."""
    from bench.mixed_bench import _data, _format, _keys, templates
    from rendering.engine.browser import ORIGIN

    rng = random.Random(seed)
    shapes = templates(0, "", "")
    urls = [f"{ORIGIN}/i/{k}" for k in range(photo_count)]
    plan = []
    for _ in range(n):
        index = rng.randrange(len(shapes))
        plan.append((index, _data(rng, _keys(shapes[index][3]), urls), _format(rng)))
    return plan


def _worker(n: int, seed: int, photo_count: int) -> list[float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    import pybase64
    from playwright.sync_api import sync_playwright

    from bench.mixed_bench import photos, templates
    from rendering.engine.browser import ORIGIN

    images = {f"/i/{k}": ("image/jpeg" if ext == "jpg" else f"image/{ext}", body)
              for k, (ext, body) in enumerate(photos(photo_count))}
    backdrop = f"{ORIGIN}/i/0"
    shapes = templates(0, f"{ORIGIN}/i/1", backdrop)
    plan = _plan(n + 4, seed, photo_count)
    result: dict = {}

    def run():
        with sync_playwright() as pw:
            browser, context = raw_chromium(pw, images=images, viewport=(1200, 1920))
            pages = []
            for _name, width, height, document in shapes:
                page = render_page(context)
                page.set_viewport_size({"width": width, "height": height})
                page.evaluate("(p) => window.__audome.render(p)", {
                    "width": width, "height": height, "document": document,
                    "images": {f"{ORIGIN}/i/{k}": f"{ORIGIN}/i/{k}" for k in range(len(images))}})
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setDefaultBackgroundColorOverride", {"color": {"r": 0, "g": 0, "b": 0, "a": 0}})
                pages.append((page, cdp, width, height))
            samples = []
            for i, (index, data, fmt) in enumerate(plan):
                page, cdp, width, height = pages[index]
                texts = [[key[:-5], value] for key, value in data.items() if key.endswith(".text")]
                image = next(([key[:-4], value] for key, value in data.items() if key.endswith(".img")), None)
                params = {"format": fmt, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                          "fromSurface": True, "captureBeyondViewport": False, "optimizeForSpeed": True}
                if fmt != "png":
                    params["quality"] = 90
                t0 = time.perf_counter()
                page.evaluate(UPDATE, [texts, image])
                pybase64.b64decode(cdp.send("Page.captureScreenshot", params)["data"], validate=True)
                if i >= 4:  # warm-up
                    samples.append((time.perf_counter() - t0) * 1000)
            browser.close()
            result["samples"] = samples

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["samples"]


def _process(args) -> list[float]:
    return _worker(*args)


def measure_mix_floor(n: int = 80, concurrency: int = 1, seed: int = 17, photo_count: int = 20) -> dict:
    """p50/p95 ms per render and renders/s of the mix's floor; concurrency > 1 runs that many
    browsers in their own processes (as the prefork workers) and adds up their throughput."""
    if concurrency <= 1:
        samples = _worker(n, seed, photo_count)
        loop_s = sum(samples) / 1000
    else:
        per = max(1, n // concurrency)
        with mp.get_context("spawn").Pool(concurrency) as pool:
            runs = pool.map(_process, [(per, seed + k, photo_count) for k in range(concurrency)])
        samples = [s for run in runs for s in run]
        loop_s = max(sum(run) / 1000 for run in runs)
    return {"kind": "mix floor", "concurrency": concurrency, "n": len(samples),
            "p50_ms": round(percentile(samples, 50), 1), "p95_ms": round(percentile(samples, 95), 1),
            "renders_per_s": round(len(samples) / loop_s, 2) if loop_s else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=80)
    parser.add_argument("--concurrency", default="1,2")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    print("| c | n | p50 ms | p95 ms | renders/s |\n|---|---|---|---|---|")
    for c in (int(v) for v in args.concurrency.split(",")):
        r = measure_mix_floor(args.n, c, args.seed)
        print(f"| {c} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['renders_per_s']} |", flush=True)


if __name__ == "__main__":
    main()
