"""Video benchmark: a 10 s 1080×1080 30 fps template — five animated elements, Arabic text and
a photo — rendered to MP4 through the real stack, with 1 and 2 render workers, and the raw
floor measured in the same run.

    .venv/bin/python bench/video_bench.py [--workers 1,2] [--seconds 10] [--fps 30] [--runs 1]

Starts its own stack (uvicorn + a Celery `render` worker with -c N) on its own Postgres
database (`audome_video_bench`) and Redis db (13). For each worker count it renders the video
through POST /api/render/generate (format mp4, async) and waits on the generation's record,
then prints frames/s, seconds of render per second of video and CPU per frame (every
process of the machine: Chromium, the worker, ffmpeg, Postgres…).

The raw floor is seek + capture + encode in one page and nothing else: a Playwright page with
the same render page and template, and per frame `window.__audome.seek(t)`, CDP
Page.captureScreenshot (JPEG) and a write into the same ffmpeg command as the worker's. No
Celery, no chunks, no storage, no database.

It prints tables; it never fails. Targets (issue #12): ≥ 20 frames/s (≤ 1.5 s of render per
second of 30 fps video) and ≥ 0.8× the floor. The machine is shared: note its load."""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import (  # noqa: E402
    Processes,
    celery_worker_cmd,
    cpu_by_group,
    cpu_snapshot,
    free_port,
    raw_chromium,
    render_page,
    reset_database,
    uvicorn_cmd,
)

SIZE = 1080


def video_document(photo_url: str, seconds: float, fps: int) -> dict:
    """Five animated elements: a photo (keyframed slow zoom), an Arabic title (typewriter), an
    English subtitle (slide from the right), a badge (scale + spin) and a bar (slide, fade out)."""
    duration = int(seconds * 1000)
    return {
        "version": 1, "duration": duration, "fps": fps, "background": {"color": "#0f172a"},
        "elements": [
            {"id": "photo", "type": "image", "x": 0, "y": 400, "width": 1080, "height": 680, "src": photo_url,
             "fit": "cover", "enter": {"type": "fade", "duration": 800},
             "keyframes": [{"time": 0, "scale": 1}, {"time": duration, "scale": 1.15, "easing": "easeInOut"}]},
            {"id": "title", "type": "text", "x": 80, "y": 100, "width": 920, "height": 140, "dynamicKey": "title",
             "text": "تخفيضات الصيف على كل شيء", "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 64,
                                                             "fontWeight": 700, "color": "#ffffff", "textAlign": "center"},
             "enter": {"type": "typewriter", "duration": 2500, "easing": "linear"}},
            {"id": "sub", "type": "text", "x": 80, "y": 250, "width": 920, "height": 70, "text": "Up to 30% off — this week only",
             "style": {"fontFamily": "Noto Sans", "fontSize": 40, "color": "#f59e0b", "textAlign": "center"},
             "enter": {"type": "slide", "direction": "right", "start": 1000, "duration": 900}},
            {"id": "badge", "type": "shape", "shape": "ellipse", "x": 880, "y": 330, "width": 160, "height": 160,
             "fill": "#22c55e", "stroke": "#ffffff", "strokeWidth": 6,
             "enter": {"type": "scale", "start": 1500, "duration": 600},
             "keyframes": [{"time": 2100, "rotation": 0}, {"time": duration, "rotation": 360}]},
            {"id": "bar", "type": "shape", "shape": "rect", "x": 40, "y": 40, "width": 300, "height": 10,
             "fill": "#f59e0b", "borderRadius": 5, "enter": {"type": "slide", "direction": "left", "duration": 700},
             "exit": {"type": "fade", "duration": 600}},
        ],
    }


# --- the stack ---------------------------------------------------------------------------------

def bench_env(args, port: int, media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "config.settings.test"),
        DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port), MEDIA_ROOT=media, LOG_LEVEL="WARNING", API_RATE_LIMIT_PER_MINUTE="1000000",
        PYTHONUNBUFFERED="1",
        # config.settings.test claims a Redis db per process unless told the slot: one for the whole stack.
        AUDOME_TEST_SLOT=args.redis_url.rsplit("/", 1)[1],
    )
    return env


def seed(media: str, args) -> tuple[str, str, str, str]:
    """Account, token, the photo as an uploaded asset, the video template and a 1-frame warm-up
    copy. Returns (token, project id, warm-up project id, photo URL)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import token_create, user_create
    from bench.render_floor import photo_png
    from projects.document import asset_url_prefix, validate_document
    from projects.models import Project

    account = user_create(email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password=None, starting_credits=100000)
    _token, plain = token_create(account=account, name="bench", scope="render-only")
    asset = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"
    path = Path(media) / "assets" / asset
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_png())
    photo = asset_url_prefix() + asset
    document = validate_document(video_document(photo, args.seconds, args.fps))
    project = Project.objects.create(account=account, name="Video bench", width=SIZE, height=SIZE, document=document)
    warm = Project.objects.create(account=account, name="Warm-up", width=SIZE, height=SIZE,
                                  document={**document, "duration": 200})
    return plain, str(project.pk), str(warm.pk), photo


class Stack:
    def __init__(self, args, workers: int):
        self.args, self.workers = args, workers
        self.port = free_port()
        self.media = tempfile.mkdtemp(prefix="audome-video-bench-media-")
        self.env = bench_env(args, self.port, self.media)
        self.processes = Processes(BASE_DIR)

    def start(self) -> None:
        os.environ.update(self.env)
        from django.apps import apps

        if apps.ready:  # the stack before this one: let the database be dropped
            from django.db import connections

            connections.close_all()
        reset_database(self.args.database_url)
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.token, self.project_id, self.warm_id, self.photo = seed(self.media, self.args)
        self.processes.spawn("web", uvicorn_cmd(self.port), dict(self.env, DB_POOL="true"))
        name = f"vbench-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        self.processes.spawn("worker", celery_worker_cmd("render", self.workers, name), self.env)
        self.processes.wait_ready(self.port, [name], timeout=90)

    def stop(self) -> None:
        self.processes.stop()


def render_video(stack: Stack, project_id: str, timeout: float = 900) -> dict:
    """POST generate (mp4) and wait for the record to complete; wall time from the POST."""
    import httpx

    base = f"http://127.0.0.1:{stack.port}"
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"}
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        response = client.post(f"{base}/api/render/generate", headers=headers,
                               content=json.dumps({"projectId": project_id, "format": "mp4"}))
        if response.status_code != 202:
            return {"error": f"{response.status_code} {response.text[:300]}"}
        generation_id = response.json()["generationId"]
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            body = client.get(f"{base}/api/render/generations/{generation_id}", headers=headers).json()
            if body.get("status") in ("completed", "failed", "canceled"):
                break
            time.sleep(0.1)
        wall = time.perf_counter() - started
    return {"wall": wall, "status": body.get("status"), "frames": body.get("frames"), "error": body.get("error"),
            "timings": body.get("timings"), "videoUrl": body.get("videoUrl")}


# --- the raw floor ---------------------------------------------------------------------------

def measure_floor(args, photo_jpeg: bytes) -> dict:
    """seek + capture + encode in one page: nothing between the page and ffmpeg's stdin."""
    import subprocess

    import pybase64

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from playwright.sync_api import sync_playwright

    from rendering.engine.browser import ORIGIN
    from rendering.video.ffmpeg import output_args
    from rendering.video.spec import VideoSpec

    frames = round(args.seconds * args.fps)
    spec = VideoSpec(format="mp4", fps=args.fps, frames=frames, width=SIZE, height=SIZE, quality=90)
    document = video_document(ORIGIN + "/i/photo", args.seconds, args.fps)
    out: dict = {}

    def run():
        with sync_playwright() as pw:
            browser, context = raw_chromium(pw, images={"/i/photo": ("image/jpeg", photo_jpeg)}, viewport=(SIZE, SIZE))
            page = render_page(context)
            page.evaluate("(p) => window.__audome.render(p)", {
                "key": "floor", "width": SIZE, "height": SIZE, "document": document,
                "images": {ORIGIN + "/i/photo": ORIGIN + "/i/photo"}})
            cdp = context.new_cdp_session(page)
            params = {"format": "jpeg", "quality": spec.capture_quality, "fromSurface": True,
                      "captureBeyondViewport": False, "optimizeForSpeed": True,
                      "clip": {"x": 0, "y": 0, "width": SIZE, "height": SIZE, "scale": 1}}
            cmd = [os.environ.get("FFMPEG_PATH", "/usr/bin/ffmpeg"), "-hide_banner", "-loglevel", "error", "-nostdin",
                   "-y", "-f", "image2pipe", "-framerate", str(args.fps), "-c:v", "mjpeg", "-i", "pipe:0", "-an",
                   "-threads", "2", *output_args(spec), "-r", str(args.fps), os.devnull]
            cpu_before = cpu_snapshot()
            started = time.perf_counter()
            ffmpeg = subprocess.Popen(cmd, stdin=subprocess.PIPE)
            for i in range(frames):
                cdp.send("Runtime.evaluate", {"expression": f"window.__audome.seek({i * 1000 / args.fps})",
                                              "awaitPromise": True})
                ffmpeg.stdin.write(pybase64.b64decode(cdp.send("Page.captureScreenshot", params)["data"]))
            ffmpeg.stdin.close()
            ffmpeg.wait()
            out["wall"] = time.perf_counter() - started
            out["cpu"] = cpu_by_group(cpu_before, cpu_snapshot())
            browser.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return {"frames": frames, **out}


# --- report ----------------------------------------------------------------------------------

def row(name: str, frames: int, wall: float, cpu_s: float, seconds: float, floor_fps: float | None) -> str:
    fps = frames / wall
    ratio = f"{fps / floor_fps:.2f}×" if floor_fps else "–"
    return (f"| {name} | {frames} | {wall:.1f} | {fps:.1f} | {wall / seconds:.2f} | {cpu_s * 1000 / frames:.0f} | "
            f"{ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2", help="render worker processes (-c), comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1, help="videos per worker count")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/audome_video_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()

    from bench.render_floor import photo_png

    load_before = os.getloadavg()
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
        stack = Stack(args, workers)
        try:
            stack.start()
            render_video(stack, stack.warm_id)  # Chromium warm in the pool processes
            if workers > 1:
                render_video(stack, stack.warm_id)
            for _ in range(args.runs):
                before = cpu_snapshot()
                result = render_video(stack, stack.project_id)
                result["cpu"] = cpu_by_group(before, cpu_snapshot())
                result["workers"] = workers
                results.append(result)
        finally:
            stack.stop()
    # The floor last: Django is set up by then with the stacks' settings (the floor needs no database).
    floor = None if args.skip_floor else measure_floor(args, photo_png())
    floor_fps = floor["frames"] / floor["wall"] if floor else None

    frames = round(args.seconds * args.fps)
    print(f"\n## video: {args.seconds:g} s, {SIZE}×{SIZE}, {args.fps} fps, 5 animated elements (Arabic text, a photo) → MP4 "
          f"(H.264 {os.environ.get('VIDEO_X264_PRESET', 'veryfast')}), chunks of "
          f"{os.environ.get('VIDEO_CHUNK_FRAMES', '150')} frames\n")
    print(f"load average before: {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (2 cores, shared)\n")
    print("| run | frames | wall s | frames/s | s of render per s of video | CPU ms per frame | ÷ floor |")
    print("|---|---|---|---|---|---|---|")
    if floor:
        print(row("raw floor (seek + capture + encode, one page)", floor["frames"], floor["wall"],
                  sum(floor["cpu"].values()), args.seconds, None))
    for r in results:
        if r.get("status") != "completed":
            print(f"| {r['workers']} worker(s) | – | – | – | – | – | {r.get('status')}: {r.get('error')} |")
            continue
        print(row(f"API, {r['workers']} render worker(s)", frames, r["wall"], sum(r["cpu"].values()), args.seconds,
                  floor_fps))
    print("\nCPU seconds by process group:\n")
    for label, cpu in ([("floor", floor["cpu"])] if floor else []) + [(f"{r['workers']} worker(s)", r.get("cpu", {})) for r in results]:
        parts = ", ".join(f"{g} {v:.1f}" for g, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if v > 0.05)
        print(f"- {label}: {parts}")
    for r in results:
        print(f"\n{r['workers']} worker(s) timings: {json.dumps(r.get('timings'))}")
    print(f"\nload average after: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
