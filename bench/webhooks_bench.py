"""Webhook delivery latency, and whether dead destinations hold up healthy ones.

Runs its own stack: a Postgres database (`audome_bench_webhooks`, migrated here), Redis db 13,
one Celery worker on the `webhooks` queue, and two local receivers — a healthy one (answers at
once) and a dead one (never answers within the 10 s timeout). Phase 1 sends events to the
healthy destination alone; phase 2 first floods the dead destinations of another account, then
sends the same events to the healthy one. It prints latency (event written → receiver got it)
p50/p95/max for both phases; it never fails.

    .venv/bin/python bench/webhooks_bench.py [--events 40] [--pool threads] [--concurrency 8] [--dead 3]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import percentile  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork"])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--dead", type=int, default=3, help="dead destinations (on one other account)")
    parser.add_argument("--dead-events", type=int, default=20, help="events sent to EACH dead destination")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/audome_bench_webhooks")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=args.database_url,
                      REDIS_URL=args.redis_url, AUDOME_TEST_SLOT=args.redis_url.rsplit("/", 1)[1], AUDOME_ALLOW_PRIVATE_URLS="1", WEBHOOK_TIMEOUT="10",
                      WEBHOOK_RETRY_SCHEDULE="3600")
    _ensure_database(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0", "--skip-checks"], cwd=BASE_DIR, check=True)

    import django

    django.setup()
    from conftest import make_account
    from core.redis import get_redis
    from core.testing.worker import WorkerProcess
    from core.tests.tlsserver import LocalServer
    from webhooks.models import Delivery, Event, WebhookEndpoint
    from webhooks.services import endpoint_create, event_emit

    get_redis().delete("webhooks")
    Delivery.objects.all().delete()
    Event.objects.all().delete()
    WebhookEndpoint.objects.all().delete()
    arrivals: dict[str, float] = {}
    lock = threading.Lock()

    def healthy(received, index):
        with lock:
            arrivals[received.json()["id"]] = time.time()
        return 200, {}, b"ok"

    def dead(received, index):
        time.sleep(12)
        return 200, {}, b"late"

    ok_srv, dead_srv = LocalServer(handler=healthy), LocalServer(handler=dead)
    stamp = int(time.time())
    customer = make_account(f"healthy-{stamp}@bench.local")
    other = make_account(f"dead-{stamp}@bench.local")
    endpoint_create(account=customer, url=ok_srv.url("/in"), events=["render.completed"])
    for i in range(args.dead):
        endpoint_create(account=other, url=dead_srv.url(f"/dead/{i}"), events=["render.completed"])

    worker = WorkerProcess(queues="webhooks", concurrency=args.concurrency, pool=args.pool,
                           env={"AUDOME_ALLOW_PRIVATE_URLS": "1", "WEBHOOK_RETRY_SCHEDULE": "3600"}).start()
    try:
        results = {}
        results["alone"] = _phase(args.events, customer, event_emit, arrivals)
        for _ in range(args.dead_events):
            event_emit(account=other, type="render.completed", data={"flood": True})
        time.sleep(0.5)
        results[f"after flooding {args.dead} dead destinations"] = _phase(args.events, customer, event_emit, arrivals)
    finally:
        if os.environ.get("BENCH_WORKER_LOG"):
            Path(os.environ["BENCH_WORKER_LOG"]).write_text(worker.log())
        worker.stop()
        ok_srv.close()
        dead_srv.close()

    print(f"\nWebhook delivery latency (event written → received), pool={args.pool} -c {args.concurrency}, "
          f"{args.events} events per phase, dead destinations: {args.dead} × {args.dead_events} events")
    print(f"{'phase':<40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        print(f"{name:<40} {len(ms):>4} {percentile(ms, 50):>8.0f} {percentile(ms, 95):>8.0f} "
              f"{max(ms) if ms else float('nan'):>8.0f}")


def _phase(n, account, event_emit, arrivals, spacing=0.05, timeout=120):
    ids = []
    for _ in range(n):
        ids.append(event_emit(account=account, type="render.completed", data={"bench": True}))
        time.sleep(spacing)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(e.id in arrivals for e in ids):
        time.sleep(0.05)
    return [arrivals[e.id] - e.created_at.timestamp() for e in ids if e.id in arrivals]


def _ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
