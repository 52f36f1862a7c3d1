"""End-to-end benchmark of POST /api/render/generate on the real stack.

Starts its own stack — uvicorn (ASGI) + a Celery `render` worker with warm Chromium — on its
own Postgres database (`audome_bench`) and Redis db (14), renders a 1080×1080 card (text, an
uploaded image, shapes) with the text changing on every request, and reports end-to-end
latency p50/p95 at concurrency 1, 2 and 4 and renders per second. In the same run it
measures the raw floor (bench/render_floor.measure_floor: a warm page updated through the DOM
and captured, nothing else around it) and prints our figures as ratios of it.

    .venv/bin/python bench/generate_bench.py [--requests 40] [--format png] [--workers 2]

It prints tables; it never fails. Targets: p50 ≤ 1.5× floor at c=1, throughput ≥ 0.8× the
floor's at c=2."""
from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
VENV_BIN = Path(sys.executable).parent
PHASES = ("queue", "fetch", "layout", "capture", "encode", "store", "total")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the stack ---------------------------------------------------------------------------------

def bench_env(args, port: int, media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        MEDIA_ROOT=media,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def reset_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def card_image_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 500), (30, 64, 175))
    draw = ImageDraw.Draw(image)
    for i in range(0, 800, 40):
        draw.ellipse((i, (i * 7) % 400, i + 120, (i * 7) % 400 + 120), fill=(250, 200 - i // 8, 60 + i // 8))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(media: str) -> tuple[str, str]:
    """Account with credits, token, the uploaded image and the 1080×1080 card. Returns (token, project id)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import token_create, user_create
    from projects.document import asset_url_prefix
    from projects.models import Project

    account = user_create(email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password=None, starting_credits=100000)
    _token, plain = token_create(account=account, name="bench", scope="render-only")
    asset = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.png"
    path = Path(media) / "assets" / asset
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(card_image_bytes())
    document = card_document(asset_url_prefix() + asset)
    project = Project.objects.create(account=account, name="Bench card", width=1080, height=1080, document=document)
    return plain, str(project.pk)


def card_document(image_url: str) -> dict:
    return {
        "version": 1,
        "background": {"color": "#0f172a"},
        "elements": [
            {"id": "hero", "type": "image", "x": 0, "y": 420, "width": 1080, "height": 660, "dynamicKey": "hero",
             "src": image_url, "fit": "cover", "borderRadius": 0},
            {"id": "bar", "type": "shape", "shape": "rect", "x": 80, "y": 80, "width": 240, "height": 12,
             "fill": "#f59e0b", "borderRadius": 6},
            {"id": "dot", "type": "shape", "shape": "ellipse", "x": 900, "y": 60, "width": 120, "height": 120,
             "fill": "#22c55e"},
            {"id": "title", "type": "text", "x": 80, "y": 130, "width": 920, "height": 200, "dynamicKey": "title",
             "text": "Summer sale", "style": {"fontFamily": "Noto Sans", "fontSize": 80, "fontWeight": 700,
                                               "color": "#ffffff", "textAlign": "left", "lineHeight": 1.1,
                                               "autoFit": True}},
            {"id": "sub", "type": "text", "x": 80, "y": 330, "width": 920, "height": 60, "dynamicKey": "subtitle",
             "text": "Up to 50% off", "style": {"fontFamily": "Noto Sans", "fontSize": 36, "color": "#cbd5e1"}},
        ],
    }


class Stack:
    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.media = tempfile.mkdtemp(prefix="audome-bench-media-")
        self.env = bench_env(args, self.port, self.media)
        self.procs: list[subprocess.Popen] = []
        self.logs = Path(tempfile.mkdtemp(prefix="audome-bench-logs-"))

    def start(self) -> None:
        os.environ.update(self.env)
        reset_database(self.args.database_url)
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.token, self.project_id = seed(self.media)
        self._spawn("web", [str(VENV_BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port",
                            str(self.port), "--lifespan", "off", "--no-access-log", "--log-level", "warning"])
        self.worker_name = f"bench-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        celery = os.environ.get("BENCH_CELERY_CMD", "").split() or [str(VENV_BIN / "celery")]
        self._spawn("worker", [*celery, "-A", "config", "worker", "-Q", "render", "-c",
                               str(self.args.workers), "-n", self.worker_name, "--without-gossip",
                               "--without-mingle", "--without-heartbeat", "-l", "WARNING"])
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        from core.heartbeat import KEY_PREFIX
        from core.redis import get_redis

        while time.monotonic() < deadline and not get_redis().exists(KEY_PREFIX + self.worker_name):
            time.sleep(0.2)

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "wb")
        env = dict(self.env)
        if name == "worker" and self.args.worker_conn_max_age is not None:
            env["DB_CONN_MAX_AGE"] = str(self.args.worker_conn_max_age)
        self.procs.append(subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))

    def stop(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:  # Chromium left in the groups
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


# --- load ----------------------------------------------------------------------------------------

def run_level(stack: Stack, concurrency: int, count: int, fmt: str) -> dict:
    import httpx

    url = f"http://127.0.0.1:{stack.port}/api/render/generate"
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    phases: dict[str, list[float]] = {p: [] for p in PHASES}
    errors: list[str] = []
    counter = iter(range(count))
    lock = threading.Lock()

    def worker():
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                body = {"projectId": stack.project_id, "format": fmt,
                        "data": {"title.text": f"Sale #{i} — {uuid.uuid4().hex[:8]}", "subtitle.text": f"Code {i:05d}"}}
                started = time.perf_counter()
                response = client.post(url, content=json.dumps(body), headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                        for phase, value in response.json().get("timings", {}).items():
                            if phase in phases and isinstance(value, (int, float)):
                                phases[phase].append(value)
                    else:
                        errors.append(f"{response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "ok": len(latencies),
        "errors": errors,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "rps": len(latencies) / wall if wall else 0.0,
        "phases": {p: statistics.mean(v) if v else None for p, v in phases.items()},
    }


def measure_floor_figures(args) -> dict:
    """The raw floor from the engine engineer's bench/render_floor.py, same card, same format."""
    from bench.render_floor import measure_floor

    return measure_floor(format=args.format, requests=args.floor_requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40, help="requests per concurrency level")
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--format", default="png", choices=["png", "jpeg", "webp"])
    parser.add_argument("--workers", type=int, default=2, help="Celery render worker processes (-c)")
    parser.add_argument("--floor-requests", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/audome_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--worker-conn-max-age", type=int, default=None,
                        help="DB_CONN_MAX_AGE for the render worker only (default: as `make run`)")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    stack = Stack(args)
    results = []
    try:
        stack.start()
        run_level(stack, args.workers, args.workers * 3, args.format)  # warm Chromium in every pool process
        for concurrency in levels:
            results.append(run_level(stack, concurrency, args.requests, args.format))
    finally:
        stack.stop()
    floor = None if args.skip_floor else measure_floor_figures(args)
    print_report(args, results, floor)


def print_report(args, results: list[dict], floor: dict | None) -> None:
    print(f"\n## generate end to end — 1080×1080 card, {args.format}, {args.requests} requests per level, "
          f"{args.workers} render worker processes\n")
    floor_p50 = floor.get("p50") if floor else None
    floor_rps = (floor.get("rps") or {}) if floor else {}
    print("| concurrency | p50 ms | p95 ms | renders/s | floor p50 ms | p50 ÷ floor | floor renders/s | renders/s ÷ floor |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        c = r["concurrency"]
        f_rps = floor_rps.get(c) if isinstance(floor_rps, dict) else None
        ratio = f"{r['p50'] / floor_p50:.2f}×" if floor_p50 else "–"
        t_ratio = f"{r['rps'] / f_rps:.2f}×" if f_rps else "–"
        print(f"| {c} | {r['p50']:.0f} | {r['p95']:.0f} | {r['rps']:.1f} | "
              f"{floor_p50 or float('nan'):.0f} | {ratio} | {f_rps or float('nan'):.1f} | {t_ratio} |")
    print("\nServer-side phases (mean ms, from the responses' `timings`):\n")
    print("| concurrency | " + " | ".join(PHASES) + " | client − total |")
    print("|---|" + "---|" * (len(PHASES) + 1))
    for r in results:
        ph = r["phases"]
        overhead = r["p50"] - ph["total"] if ph.get("total") else float("nan")
        print(f"| {r['concurrency']} | " + " | ".join(f"{ph[p]:.1f}" if ph[p] is not None else "–" for p in PHASES)
              + f" | {overhead:.1f} |")
    for r in results:
        if r["errors"]:
            print(f"\nc={r['concurrency']}: {len(r['errors'])} errors, first: {r['errors'][0]}")
    if floor:
        print(f"\nfloor raw figures: {json.dumps(floor, default=str)}")


if __name__ == "__main__":
    main()
