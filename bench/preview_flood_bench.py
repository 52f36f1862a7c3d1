"""Do previews get in the way of paid renders? A flood of previews vs. generate latency.

Starts its own stack — uvicorn (ASGI) + a Celery `render` worker (-c 2, as `make run`) + a
Celery `preview` worker (-c PREVIEW_MAX_CONCURRENCY, default 1) — on its own Postgres database
(`audome_bench_preview`) and Redis db (13), with a 1080×1080 card (shapes, Latin and Arabic
text). Then:

1. generate alone: N sequential POST /api/render/generate (1080×1080 card, text changing every
   time) → p50 / p95;
2. the same N generates while 8 clients flood POST /api/render/preview with distinct data (every
   preview a cache miss) from another account → p50 / p95, side by side with (1);
3. cache hits: M identical previews after one miss → server time p50 (the view's `Server-Timing`,
   authentication and limits included) and client round trip p50.

The preview limits (30/min, 200/h) and the API limit are raised for this run through the
environment, or the flood would be mostly 429s. Goal: the flood moves generate p95 by < 20%;
cache-hit server time p50 < 5 ms.

    .venv/bin/python bench/preview_flood_bench.py [--requests 30] [--flood-clients 8] [--hits 200]

It prints tables; it never fails."""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import Processes, celery_worker_cmd, free_port, percentile, reset_database, uvicorn_cmd  # noqa: E402

CARD = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "panel", "type": "shape", "shape": "rect", "x": 0, "y": 420, "width": 1080, "height": 660,
         "fill": "#1d4ed8"},
        {"id": "bar", "type": "shape", "shape": "rect", "x": 80, "y": 80, "width": 240, "height": 12,
         "fill": "#f59e0b", "borderRadius": 6},
        {"id": "dot", "type": "shape", "shape": "ellipse", "x": 900, "y": 60, "width": 120, "height": 120,
         "fill": "#22c55e"},
        {"id": "title", "type": "text", "x": 80, "y": 130, "width": 920, "height": 200, "dynamicKey": "title",
         "text": "Summer sale", "style": {"fontFamily": "Noto Sans", "fontSize": 80, "fontWeight": 700,
                                           "color": "#ffffff", "lineHeight": 1.1, "autoFit": True}},
        {"id": "sub", "type": "text", "x": 80, "y": 330, "width": 920, "height": 60, "dynamicKey": "subtitle",
         "text": "Up to 50% off", "style": {"fontFamily": "Noto Sans", "fontSize": 36, "color": "#cbd5e1"}},
        {"id": "ar", "type": "text", "x": 80, "y": 520, "width": 920, "height": 120, "text": "تخفيضات الصيف",
         "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 64, "color": "#ffffff", "textAlign": "end"}},
    ],
}


def seed() -> tuple[str, str]:
    """An account with credits, a render-only token and a 1080×1080 card. Returns (token, project id)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import token_create, user_create
    from projects.document import validate_document
    from projects.models import Project

    account = user_create(email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password=None, starting_credits=100000)
    _token, plain = token_create(account=account, name="bench", scope="render-only")
    document = validate_document(CARD, width=1080, height=1080)
    project = Project.objects.create(account=account, name="Bench card", width=1080, height=1080, document=document)
    return plain, str(project.pk)


class FloodStack:
    """uvicorn + a `render` worker (-c 2, as make run) + a `preview` worker, with the preview limits
    out of the way, on the bench's own database and Redis db."""

    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.media = tempfile.mkdtemp(prefix="audome-bench-media-")
        self.processes = Processes(BASE_DIR)
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, AUDOME_TEST_SLOT=args.redis_url.rsplit("/", 1)[1],
            PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}", PORT=str(self.port), MEDIA_ROOT=self.media,
            DB_CONN_MAX_AGE="60", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
            PREVIEW_RATE_PER_MINUTE="1000000", PREVIEW_RATE_PER_HOUR="1000000", API_RATE_LIMIT_PER_MINUTE="1000000",
            MAX_RENDERS_IN_FLIGHT="1000", PREVIEW_MAX_CONCURRENCY=str(args.preview_concurrency),
        )
        if args.db_pool:
            # Django under ASGI opens a database connection per request (each request runs in its own
            # thread); psycopg's pool (Django ≥ 5.1, `pip install psycopg-pool`) hands them out instead.
            folder = tempfile.mkdtemp(prefix="audome-bench-settings-")
            Path(folder, "bench_pool_settings.py").write_text(
                "from config.settings.test import *  # noqa\n"
                "DATABASES['default']['CONN_MAX_AGE'] = 0\n"
                "DATABASES['default'].setdefault('OPTIONS', {})['pool'] = {'min_size': 2, 'max_size': 8}\n"
            )
            # The web process only: Celery's Django fixup doesn't get along with the pool (workers keep
            # their persistent connections, which work there: a worker process is one thread).
            self.web_env = dict(self.env, DJANGO_SETTINGS_MODULE="bench_pool_settings",
                                PYTHONPATH=os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")])))
        else:
            # As `make run`: under ASGI every request runs in a thread of its own, so a persistent
            # connection (CONN_MAX_AGE > 0) would be left open per request until Postgres runs out.
            self.web_env = dict(self.env, DB_CONN_MAX_AGE="0")

    def start(self) -> None:
        os.environ.update(self.env)
        reset_database(self.args.database_url)
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.token, self.project_id = seed()
        self.flood_token, self.flood_project_id = seed()  # a second account floods
        self.processes.spawn("web", uvicorn_cmd(self.port), self.web_env)
        names = []
        for name, queue, concurrency in (("render", "render", self.args.workers),
                                         ("preview", "preview", self.args.preview_concurrency)):
            hostname = f"bench-{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
            names.append(hostname)
            self.processes.spawn(f"{name}-worker", celery_worker_cmd(queue, concurrency, hostname), self.env)
        self.processes.wait_ready(self.port, names, timeout=90)

    def stop(self) -> None:
        self.processes.stop()


def generate_run(stack: FloodStack, count: int) -> dict:
    import httpx

    url = f"http://127.0.0.1:{stack.port}/api/render/generate"
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"}
    latencies, errors = [], []
    phases: dict[str, list[float]] = {}
    with httpx.Client(timeout=120) as client:
        for i in range(count):
            body = {"projectId": stack.project_id, "format": "png",
                    "data": {"title.text": f"Order #{i} — {uuid.uuid4().hex[:8]}", "subtitle.text": f"Code {i:05d}"}}
            started = time.perf_counter()
            response = client.post(url, content=json.dumps(body), headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 200:
                latencies.append(elapsed)
                for phase, value in (response.json().get("timings") or {}).items():
                    if isinstance(value, (int, float)):
                        phases.setdefault(phase, []).append(value)
            else:
                errors.append(f"{response.status_code} {response.text[:160]}")
    return {"ok": len(latencies), "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "errors": errors, "latencies": latencies, "phases": phases}


def merged(runs: list[dict]) -> dict:
    latencies = [x for run in runs for x in run["latencies"]]
    phases: dict[str, list[float]] = {}
    for run in runs:
        for phase, values in run["phases"].items():
            phases.setdefault(phase, []).extend(values)
    return {"ok": len(latencies), "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "errors": [e for run in runs for e in run["errors"]], "latencies": latencies, "phases": phases}


class Flood:
    """`clients` threads posting previews with distinct data until stopped."""

    def __init__(self, stack: FloodStack, clients: int):
        self.stack, self.clients = stack, clients
        self.stop_event = threading.Event()
        self.statuses: dict[int, int] = {}
        self.miss_ms: list[float] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(clients)]

    def run(self, n: int) -> None:
        import httpx

        url = f"http://127.0.0.1:{self.stack.port}/api/render/preview"
        headers = {"Authorization": f"Bearer {self.stack.flood_token}", "Content-Type": "application/json"}
        i = 0
        with httpx.Client(timeout=120) as client:
            while not self.stop_event.is_set():
                i += 1
                body = {"projectId": self.stack.flood_project_id,
                        "data": {"title.text": f"Preview {n}-{i} {uuid.uuid4().hex[:6]}"}}
                try:
                    response = client.post(url, content=json.dumps(body), headers=headers)
                except httpx.HTTPError:
                    continue
                with self.lock:
                    self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
                    if response.status_code == 200 and response.json().get("generationTime") is not None:
                        self.miss_ms.append(response.json()["generationTime"])
                if response.status_code in (429, 503):
                    time.sleep(min(5, int(response.headers.get("Retry-After", "1"))))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(3)  # let the preview queue fill up before measuring
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for thread in self.threads:
            thread.join()


SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")


def cache_hits(stack: FloodStack, count: int, title: str = "Cached card") -> dict:
    import httpx

    url = f"http://127.0.0.1:{stack.port}/api/render/preview"
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"}
    body = json.dumps({"projectId": stack.project_id, "data": {"title.text": title}})
    server, client_ms, cached = [], [], 0
    with httpx.Client(timeout=120) as client:
        miss = client.post(url, content=body, headers=headers)
        miss_server = SERVER_TIMING.search(miss.headers.get("Server-Timing", ""))
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            client_ms.append((time.perf_counter() - started) * 1000)
            match = SERVER_TIMING.search(response.headers.get("Server-Timing", ""))
            if match:
                server.append(float(match.group(1)))
            cached += bool(response.status_code == 200 and response.json().get("cached"))
    return {"count": count, "cached": cached, "server_p50": percentile(server, 50),
            "server_p95": percentile(server, 95), "client_p50": percentile(client_ms, 50),
            "miss_server_ms": float(miss_server.group(1)) if miss_server else None,
            "miss_generation_ms": miss.json().get("generationTime")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="sequential generates per phase and round")
    parser.add_argument("--rounds", type=int, default=3, help="alone/flood phases, alternated")
    parser.add_argument("--flood-clients", type=int, default=8)
    parser.add_argument("--hits", type=int, default=200, help="cache-hit previews")
    parser.add_argument("--workers", type=int, default=2, help="render worker processes (-c), as make run")
    parser.add_argument("--preview-concurrency", type=int, default=1, help="PREVIEW_MAX_CONCURRENCY")
    parser.add_argument("--db-pool", action="store_true",
                        help="run the stack with psycopg's connection pool (needs psycopg-pool)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/audome_bench_preview"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args()

    stack = FloodStack(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so `finally` stops the stack
    try:
        stack.start()
        generate_run(stack, 4)  # warm both render processes
        cache_hits(stack, 5, title="Warm-up")  # warm the preview worker
        # Alternate the two conditions so a change in the machine's other load hits both alike.
        alone_runs, flood_runs = [], []
        statuses: dict[int, int] = {}
        miss_ms: list[float] = []
        for _ in range(args.rounds):
            alone_runs.append(generate_run(stack, args.requests))
            with Flood(stack, args.flood_clients) as flood:
                flood_runs.append(generate_run(stack, args.requests))
            for code, n in flood.statuses.items():
                statuses[code] = statuses.get(code, 0) + n
            miss_ms += flood.miss_ms
        flood.statuses, flood.miss_ms = statuses, miss_ms
        alone, flooded = merged(alone_runs), merged(flood_runs)
        hits = cache_hits(stack, args.hits)
    finally:
        stack.stop()
    print_report(args, alone, flooded, flood, hits)


def print_report(args, alone: dict, flooded: dict, flood: Flood, hits: dict) -> None:
    print(f"\n## generate latency with and without a preview flood — 1080×1080 card, png, {args.rounds} rounds × "
          f"{args.requests} sequential generates per phase; render worker -c {args.workers}, preview worker -c "
          f"{args.preview_concurrency}; flood: {args.flood_clients} clients, every preview a cache miss\n")
    print("| | generate p50 ms | generate p95 ms | ok |")
    print("|---|---|---|---|")
    total = args.rounds * args.requests
    print(f"| alone | {alone['p50']:.0f} | {alone['p95']:.0f} | {alone['ok']}/{total} |")
    print(f"| during the flood | {flooded['p50']:.0f} | {flooded['p95']:.0f} | {flooded['ok']}/{total} |")
    p50_change = (flooded["p50"] / alone["p50"] - 1) * 100 if alone["p50"] else float("nan")
    p95_change = (flooded["p95"] / alone["p95"] - 1) * 100 if alone["p95"] else float("nan")
    print(f"| change | {p50_change:+.1f}% | {p95_change:+.1f}% | goal for p95: < 20% |")
    print("\nServer-side phases of those generates (p50 ms, from the responses' `timings`):\n")
    names = ("queue", "fetch", "layout", "capture", "encode", "store", "total")
    print("| | " + " | ".join(names) + " | client − total |")
    print("|---|" + "---|" * (len(names) + 1))
    for label, run in (("alone", alone), ("during the flood", flooded)):
        cells = [percentile(run["phases"].get(n, []), 50) for n in names]
        overhead = run["p50"] - cells[-1]
        print(f"| {label} | " + " | ".join(f"{c:.1f}" for c in cells) + f" | {overhead:.1f} |")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(flood.statuses.items()))
    miss_p50 = percentile(flood.miss_ms, 50) if flood.miss_ms else float("nan")
    print(f"\nflood answers during the run: {statuses or 'none'}; rendered previews: {len(flood.miss_ms)}, "
          f"generationTime p50 {miss_p50:.0f} ms")
    print(f"\n## preview cache hits — {hits['count']} identical requests ({hits['cached']} cached)\n")
    print(f"database connections: {'psycopg pool' if args.db_pool else 'one per request (Django under ASGI)'}\n")
    print("| server time p50 ms | server time p95 ms | client round trip p50 ms | first (miss) server ms | miss generationTime ms |")
    print("|---|---|---|---|---|")
    print(f"| {hits['server_p50']:.2f} | {hits['server_p95']:.2f} | {hits['client_p50']:.2f} | "
          f"{hits['miss_server_ms'] or float('nan'):.0f} | {hits['miss_generation_ms']} |")
    for name, run in (("alone", alone), ("flood", flooded)):
        if run["errors"]:
            print(f"\n{name}: {len(run['errors'])} generate errors, first: {run['errors'][0]}")


if __name__ == "__main__":
    main()
