"""Liveness and readiness (contract §9). /readyz answers within READY_TIMEOUT whatever is down:
each check runs in a thread of its own and one that hasn't answered by then counts as down."""
import threading
import time
from typing import Any

from django.db import connection
from django.http import JsonResponse

from core.heartbeat import live_workers
from core.redis import get_redis

READY_TIMEOUT = 1.0  # seconds for all the checks together: the answer must leave within 2 s, even on a busy host


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    finally:
        connection.close()  # this thread's own connection (or back to the pool)


def _redis_checks() -> dict:
    get_redis().ping()
    workers = [w for w in live_workers() if "render" in w.get("queues", [])]
    return {"redis": "ok", "renderWorker": "ok" if workers else "down: no render worker answering"}


def _run_until(deadline: float, **checks) -> dict:
    """Run each check in a daemon thread of its own; wait for them until `deadline` (monotonic).
    Returns {name: ("value", result) | ("error", exception) | ("late", None)}."""
    outcomes: dict[str, tuple[str, Any]] = {name: ("late", None) for name in checks}

    def run(name, check):
        try:
            outcomes[name] = ("value", check())
        except Exception as exc:  # noqa: BLE001 — every failure is reported as "down: <kind>"
            outcomes[name] = ("error", exc)

    threads = [threading.Thread(target=run, args=item, name=f"readyz-{item[0]}", daemon=True) for item in checks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(outcomes)


def _down(outcome) -> str:
    kind, value = outcome
    return f"down: {value.__class__.__name__}" if kind == "error" else f"down: no answer within {READY_TIMEOUT:g} s"


def readyz(request):
    outcomes = _run_until(time.monotonic() + READY_TIMEOUT, database=_database_check, redis=_redis_checks)
    checks = {"database": "ok" if outcomes["database"][0] == "value" else _down(outcomes["database"])}
    if outcomes["redis"][0] == "value":
        checks.update(outcomes["redis"][1])
    else:
        checks.update(redis=_down(outcomes["redis"]), renderWorker="unknown: redis is down")
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def api_not_found(request, *args, **kwargs):
    from core.errors import NotFound, error_json_response

    return error_json_response(NotFound(f"No API endpoint at {request.path}."), request)
