"""Liveness and readiness (contract §9)."""
from django.db import connection
from django.http import JsonResponse

from core.heartbeat import live_workers
from core.redis import get_redis


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
        workers = [w for w in live_workers() if "render" in w.get("queues", [])]
        checks["renderWorker"] = "ok" if workers else "down: no render worker answering"
    except Exception as exc:
        checks["redis"] = f"down: {exc.__class__.__name__}"
        checks["renderWorker"] = "unknown: redis is down"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def api_not_found(request, *args, **kwargs):
    from core.errors import NotFound, error_json_response

    return error_json_response(NotFound(f"No API endpoint at {request.path}."), request)
