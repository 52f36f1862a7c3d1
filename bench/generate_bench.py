"""End-to-end benchmark of POST /api/render/generate on the real stack.

Starts its own stack — uvicorn (ASGI) + a Celery `render` worker with warm Chromium — on its
own Postgres database (`audome_bench`) and Redis db (14), renders a 1080×1080 card (text, an
uploaded image, shapes) with the text changing on every request (`--vary photo`: the photo
too), and reports end-to-end
latency p50/p95 at concurrency 1, 2 and 4 and renders per second. In the same run it
measures the raw floor (bench/render_floor.measure_floor: a warm page updated through the DOM
and captured, nothing else around it) and prints our figures as ratios of it.

    .venv/bin/python bench/generate_bench.py [--requests 40] [--format png] [--workers 2]

It prints tables; it never fails. Targets: p50 ≤ 1.5× floor at c=1, throughput ≥ 0.8× the
floor's at c=2."""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
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
    percentile,
    reset_database,
    uvicorn_cmd,
)

PHASES = ("queue", "fetch", "layout", "capture", "encode", "store", "total")


# --- the stack ---------------------------------------------------------------------------------

def bench_env(args, port: int, media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "config.settings.test"),
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url, AUDOME_TEST_SLOT=args.redis_url.rsplit("/", 1)[1],
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        MEDIA_ROOT=media,
        LOG_LEVEL="WARNING",
        API_RATE_LIMIT_PER_MINUTE="1000000",  # the bench measures renders, not the account's request limit
        PYTHONUNBUFFERED="1",
    )
    return env


def seed(media: str) -> tuple[str, str, list[str]]:
    """Account with credits, token, the card's photo as an uploaded asset and the 1080×1080
    card of bench/render_floor.py (same document, so the ratios compare like with like), and
    three tinted copies of the photo for `--vary photo`.
    Returns (token, project id, the copies' URLs)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import token_create, user_create
    from bench.render_floor import card_document, photo_variants
    from projects.document import asset_url_prefix
    from projects.models import Project

    account = user_create(email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password=None, starting_credits=100000)
    _token, plain = token_create(account=account, name="bench", scope="render-only")
    urls = []
    for body in photo_variants():
        asset = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"
        path = Path(media) / "assets" / asset
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        urls.append(asset_url_prefix() + asset)
    document = card_document(urls[0])
    project = Project.objects.create(account=account, name="Bench card", width=1080, height=1080, document=document)
    return plain, str(project.pk), urls[1:]


class Stack:
    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.media = tempfile.mkdtemp(prefix="audome-bench-media-")
        self.env = bench_env(args, self.port, self.media)
        self.processes = Processes(BASE_DIR)
        self.logs = self.processes.logs

    def start(self) -> None:
        os.environ.update(self.env)
        reset_database(self.args.database_url)
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.token, self.project_id, self.photos = seed(self.media)
        self.processes.spawn("web", uvicorn_cmd(self.port), dict(self.env, DB_POOL="true"))  # as `make run`
        self.worker_name = f"bench-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        worker_env = dict(self.env)
        if self.args.worker_conn_max_age is not None:
            worker_env["DB_CONN_MAX_AGE"] = str(self.args.worker_conn_max_age)
        celery = os.environ.get("BENCH_CELERY_CMD", "").split() or None
        self.processes.spawn("worker", celery_worker_cmd("render", self.args.workers, self.worker_name, celery),
                             worker_env)
        self.processes.wait_ready(self.port, [self.worker_name], timeout=60)

    def stop(self) -> None:
        self.processes.stop()


# --- load ----------------------------------------------------------------------------------------

def run_level(stack: Stack, concurrency: int, count: int, fmt: str, vary: str = "title") -> dict:
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
                data = {"title.text": f"Summer sale #{i} — up to {i % 90}% off · {uuid.uuid4().hex[:6]}"}
                if vary == "photo":  # most of the canvas changes too: every render is captured whole
                    data["hero.img"] = stack.photos[i % len(stack.photos)]
                body = {"projectId": stack.project_id, "format": fmt, "data": data}
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

    cpu_before = cpu_snapshot()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = cpu_by_group(cpu_before, cpu_snapshot())
    return {
        "cpu_ms_per_render": {g: v * 1000 / max(1, len(latencies)) for g, v in cpu.items()},
        "concurrency": concurrency,
        "ok": len(latencies),
        "errors": errors,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "rps": len(latencies) / wall if wall else 0.0,
        "phases": {p: statistics.mean(v) if v else None for p, v in phases.items()},
    }


def measure_floor_figures(args, levels: list[int]) -> dict:
    """The raw floor (bench/render_floor.measure_floor), same card and format, measured now:
    p50 at concurrency 1 and the combined throughput of 1 and 2 warm browsers in separate
    processes (2 cores: more browsers than cores adds nothing)."""
    from bench.render_floor import measure_floor

    single = measure_floor(n=args.floor_requests, fmt=args.format, concurrency=1)
    figures = {"p50": single["p50_ms"], "p95": single["p95_ms"], "rps": {1: single["renders_per_s"]}, "raw": [single]}
    if any(c > 1 for c in levels):
        double = measure_floor(n=args.floor_requests, fmt=args.format, concurrency=2)
        figures["raw"].append(double)
        for c in levels:
            if c > 1:
                figures["rps"][c] = double["renders_per_s"]
    return figures


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
    parser.add_argument("--vary", default="title", choices=["title", "photo"],
                        help="what changes per request: the title (default), or the title and the photo "
                             "(680 of 1080 rows: no band capture)")
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
            results.append(run_level(stack, concurrency, args.requests, args.format, args.vary))
    finally:
        stack.stop()
    floor = None if args.skip_floor else measure_floor_figures(args, levels)
    print_report(args, results, floor)


def print_report(args, results: list[dict], floor: dict | None) -> None:
    print(f"\n## generate end to end — the render_floor card (1080×1080), {args.format}, {args.vary} changes per request, {args.requests} requests per level, "
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
    groups = sorted({g for r in results for g, v in r["cpu_ms_per_render"].items() if v > 0.05},
                    key=lambda g: -results[0]["cpu_ms_per_render"].get(g, 0.0))
    print("\nCPU ms per render, by process (all processes of this machine; 2 cores = 2000 ms per second):\n")
    print("| concurrency | " + " | ".join(groups) + " | all |")
    print("|---|" + "---|" * (len(groups) + 1))
    for r in results:
        cpu = r["cpu_ms_per_render"]
        print(f"| {r['concurrency']} | " + " | ".join(f"{cpu.get(g, 0.0):.1f}" for g in groups)
              + f" | {sum(cpu.values()):.1f} |")
    for r in results:
        if r["errors"]:
            print(f"\nc={r['concurrency']}: {len(r['errors'])} errors, first: {r['errors'][0]}")
    if floor:
        print(f"\nfloor raw figures: {json.dumps(floor['raw'], default=str)}")


if __name__ == "__main__":
    main()
