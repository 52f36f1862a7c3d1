"""Batch renders end to end on the real stack (issue #13).

Starts the same stack as bench/generate_bench.py — uvicorn (ASGI) + a Celery `render` worker
with warm Chromium, its own Postgres database and Redis db — and for each format submits one
batch of N rows of the bench card (bench/render_floor.card_document: the title and the photo
change on every row), then reports:

- time to accepted (the POST: every row validated, credits reserved, rows recorded),
- time to completed (POST → `completedAt`), renders/s over that time and sustained (first
  finished row → last),
- the raw floor's renders/s at the same concurrency, measured in the same run
  (bench/render_floor.measure_floor with as many browsers as the worker has processes), twice:
  the card whose title changes (the issue's floor) and the card whose title *and* photo change,
  as every batch row's do (`vary="photo"`: the least a renderer of these rows must pay),
- the ZIP download: time to first byte and MB/s while streaming,
- fairness: another account's sync `generate` p50/p95 while the batch runs vs. idle.

    .venv/bin/python bench/batch_bench.py [--rows 1000] [--formats png,jpeg] [--workers 2]

It prints tables; it never fails. Targets: renders/s ≥ 0.85× the floor's, ZIP first byte < 1 s,
the other account's p95 within 1.5× of idle."""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import cpu_by_group, cpu_snapshot, percentile  # noqa: E402
from bench.generate_bench import Stack  # noqa: E402


def _client():
    import httpx

    return httpx.Client(timeout=300)


def second_account(stack: Stack) -> tuple[str, str]:
    """Another account with its own copy of the card: its sync renders measure fairness."""
    from accounts.services import token_create, user_create
    from projects.models import Project

    source = Project.objects.get(pk=stack.project_id)
    account = user_create(email=f"bench-b-{uuid.uuid4().hex[:6]}@example.com", password=None, starting_credits=100000)
    _token, plain = token_create(account=account, name="bench-b", scope="render-only")
    project = Project.objects.create(account=account, name="Bench card B", width=1080, height=1080,
                                     document=source.document)
    return plain, str(project.pk)


def sync_latencies(stack: Stack, token: str, project_id: str, *, count: int | None = None,
                   until: threading.Event | None = None, pause: float = 0.2) -> list[float]:
    """Sequential sync generates of the bench card (title changes), one every `pause` s."""
    url = f"http://127.0.0.1:{stack.port}/api/render/generate"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    out: list[float] = []
    with _client() as client:
        i = 0
        while (count is None or i < count) and not (until is not None and until.is_set()):
            body = {"projectId": project_id, "data": {"title.text": f"Account B #{i} {uuid.uuid4().hex[:6]}"}}
            started = time.perf_counter()
            response = client.post(url, content=json.dumps(body), headers=headers)
            if response.status_code == 200:
                out.append((time.perf_counter() - started) * 1000)
            i += 1
            time.sleep(pause)
    return out


def run_batch(stack: Stack, rows: int, fmt: str, fairness: tuple[str, str] | None) -> dict:
    url = f"http://127.0.0.1:{stack.port}/api/render/batches"
    headers = {"Authorization": f"Bearer {stack.token}"}
    photos = stack.photos
    body = {"projectId": stack.project_id, "format": fmt, "rows": [
        {"data": {"title.text": f"Summer sale #{i} — up to {i % 90}% off", "hero.img": photos[i % len(photos)]},
         "metadata": {"n": i}}
        for i in range(rows)
    ]}
    during: list[float] = []
    stop = threading.Event()
    fair_thread = None
    if fairness:
        fair_thread = threading.Thread(target=lambda: during.extend(sync_latencies(stack, *fairness, until=stop)))
    with _client() as client:
        cpu_before = cpu_snapshot()
        started = time.perf_counter()
        response = client.post(url, json=body, headers=headers)
        accepted = time.perf_counter() - started
        if response.status_code != 202:
            return {"format": fmt, "error": f"{response.status_code} {response.text[:300]}"}
        batch_id = response.json()["batchId"]
        if fair_thread:
            fair_thread.start()
        first_done = None
        while True:
            state = client.get(f"{url}/{batch_id}?limit=1", headers=headers).json()
            if first_done is None and state["counts"]["done"]:
                first_done = time.perf_counter()
            if state.get("completedAt"):
                break
            time.sleep(0.1)
        finished = time.perf_counter()
        cpu = cpu_by_group(cpu_before, cpu_snapshot())
        stop.set()
        if fair_thread:
            fair_thread.join()
        total = finished - started
        done = state["counts"]["done"]
        ttfb, size, stream_s = zip_download(client, f"{url}/{batch_id}/download", headers)
    rows_done_after_first = max(0, done - 1)
    return {
        "format": fmt, "batch": batch_id, "status": state["status"], "rows": rows, "done": done,
        "failed": state["counts"]["failed"], "accepted_s": accepted, "completed_s": total,
        "rps": done / total if total else 0.0,
        "rps_sustained": rows_done_after_first / (finished - first_done) if first_done and finished > first_done else 0.0,
        "zip_ttfb_ms": ttfb * 1000, "zip_mb": size / 1e6, "zip_mb_s": size / 1e6 / stream_s if stream_s else 0.0,
        "during": during,
        "cpu_ms_per_row": {g: v * 1000 / max(1, done) for g, v in cpu.items() if v > 0},
    }


def zip_download(client, url: str, headers: dict) -> tuple[float, int, float]:
    """(seconds to the first byte, bytes, seconds streaming) of a GET of the ZIP."""
    started = time.perf_counter()
    first = None
    size = 0
    with client.stream("GET", url, headers=headers) as response:
        for chunk in response.iter_bytes():
            if first is None and chunk:
                first = time.perf_counter()
            size += len(chunk)
    end = time.perf_counter()
    first = first or end
    return first - started, size, end - first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--formats", default="png,jpeg")
    parser.add_argument("--workers", type=int, default=2, help="Celery render worker processes (-c)")
    parser.add_argument("--in-flight", type=int, default=None, help="BATCH_IN_FLIGHT_PER_ACCOUNT (default: settings)")
    parser.add_argument("--floor-requests", type=int, default=60)
    parser.add_argument("--fairness-requests", type=int, default=20, help="idle sync generates of account B")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--no-fairness", action="store_true",
                        help="no account B renders during the batches: their throughput alone")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/audome_batch_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    # Stack() reads these of generate_bench's options
    parser.set_defaults(worker_conn_max_age=None)
    args = parser.parse_args()
    # The test settings give each run a Redis database of its own (config/test_isolation.py): the
    # bench's processes must share the bench's, not claim one each.
    os.environ["AUDOME_TEST_SLOT"] = args.redis_url.rsplit("/", 1)[1]
    if args.in_flight:
        os.environ["BATCH_IN_FLIGHT_PER_ACCOUNT"] = str(args.in_flight)
    os.environ.setdefault("BATCH_MAX_ROWS", str(max(5000, args.rows)))

    stack = Stack(args)
    results, idle = [], []
    try:
        stack.start()
        fairness = None if args.no_fairness else second_account(stack)
        sync_latencies(stack, stack.token, stack.project_id, count=args.workers * 3, pause=0)  # warm every process
        if fairness:
            idle = sync_latencies(stack, *fairness, count=args.fairness_requests)
        for fmt in args.formats.split(","):
            results.append(run_batch(stack, args.rows, fmt, fairness))
    finally:
        stack.stop()
    floors = {}
    if not args.skip_floor:
        from bench.render_floor import measure_floor

        for fmt in args.formats.split(","):
            floors[fmt] = measure_floor(n=args.floor_requests, fmt=fmt, concurrency=args.workers)
            floors[f"{fmt}+photo"] = measure_floor(n=args.floor_requests, fmt=fmt, concurrency=args.workers,
                                                   vary="photo")
    print_report(args, results, floors, idle)


def print_report(args, results: list[dict], floors: dict, idle: list[float]) -> None:
    print(f"\n## batch renders — {args.rows} rows of the render_floor card (1080×1080, title + photo change "
          f"per row), {args.workers} render worker processes\n")
    print("| format | accepted s | completed s | renders/s | sustained/s | floor renders/s (c="
          f"{args.workers}) | ÷ floor | floor title + photo renders/s | ÷ that floor | ZIP first byte ms | ZIP MB | "
          "ZIP MB/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['format']} | error: {r['error']} |")
            continue
        floor = floors.get(r["format"], {}).get("renders_per_s")
        ratio = f"{r['rps'] / floor:.2f}×" if floor else "–"
        photo_floor = floors.get(f"{r['format']}+photo", {}).get("renders_per_s")
        photo_ratio = f"{r['rps'] / photo_floor:.2f}×" if photo_floor else "–"
        print(f"| {r['format']} | {r['accepted_s']:.2f} | {r['completed_s']:.1f} | {r['rps']:.1f} | "
              f"{r['rps_sustained']:.1f} | {floor or float('nan'):.1f} | {ratio} | "
              f"{photo_floor or float('nan'):.1f} | {photo_ratio} | {r['zip_ttfb_ms']:.0f} | "
              f"{r['zip_mb']:.0f} | {r['zip_mb_s']:.0f} |")
    groups = sorted({g for r in results for g in r.get("cpu_ms_per_row", {})},
                    key=lambda g: -max(r.get("cpu_ms_per_row", {}).get(g, 0.0) for r in results))
    print("\nCPU ms per row by process group, POST → completed (account B's renders included when measured):\n")
    print("| format | " + " | ".join(groups) + " | total |")
    print("|---|" + "---|" * (len(groups) + 1))
    for r in results:
        if "cpu_ms_per_row" in r:
            cpu = r["cpu_ms_per_row"]
            print(f"| {r['format']} | " + " | ".join(f"{cpu.get(g, 0.0):.1f}" for g in groups)
                  + f" | {sum(cpu.values()):.1f} |")
    if idle:
        print("\nFairness — account B's sync generate (sequential, one every 0.2 s) while A's batch runs:\n")
        print("| when | n | p50 ms | p95 ms | p95 ÷ idle |")
        print("|---|---|---|---|---|")
        idle_p95 = percentile(idle, 95)
        print(f"| idle | {len(idle)} | {percentile(idle, 50):.0f} | {idle_p95:.0f} | 1.00× |")
        for r in results:
            if "during" in r:
                p95 = percentile(r["during"], 95)
                print(f"| during {r['format']} batch | {len(r['during'])} | {percentile(r['during'], 50):.0f} | "
                      f"{p95:.0f} | {p95 / idle_p95:.2f}× |")
    for r in results:
        if r.get("failed"):
            print(f"\n{r['format']}: {r['failed']} rows failed ({r['status']})")
    if floors:
        print(f"\nfloor raw figures: {json.dumps(floors, default=str)}")


if __name__ == "__main__":
    main()
