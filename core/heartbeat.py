"""Workers announce themselves in Redis every few seconds so /readyz can tell, without a
broadcast round trip, whether a render worker is alive."""
import json
import socket
import threading
import time

from celery.signals import worker_ready, worker_shutdown

from core.redis import get_redis

KEY_PREFIX = "audome:workers:"
INTERVAL_SECONDS = 5
TTL_SECONDS = 15
_stop = threading.Event()


def _beat(hostname: str, queues: list[str]) -> None:
    key = KEY_PREFIX + hostname
    payload = json.dumps({"queues": queues, "host": socket.gethostname()})
    while not _stop.is_set():
        try:
            get_redis().set(key, payload, ex=TTL_SECONDS)
        except Exception:  # Redis restarting: try again on the next beat
            pass
        _stop.wait(INTERVAL_SECONDS)


@worker_ready.connect
def _start(sender=None, **kwargs):
    consumer = getattr(sender, "consumer", None) or sender
    queues = sorted(q.name for q in consumer.task_consumer.queues) if getattr(consumer, "task_consumer", None) else []
    thread = threading.Thread(target=_beat, args=(sender.hostname, queues), daemon=True, name="audome-heartbeat")
    thread.start()


@worker_shutdown.connect
def _stop_beat(sender=None, **kwargs):
    _stop.set()
    try:
        get_redis().delete(KEY_PREFIX + sender.hostname)
    except Exception:
        pass


def live_workers() -> list[dict]:
    redis = get_redis()
    workers = []
    for key in redis.scan_iter(KEY_PREFIX + "*", count=100):
        raw = redis.get(key)
        if raw:
            info = json.loads(raw)
            info["name"] = key.decode()[len(KEY_PREFIX):]
            workers.append(info)
    return workers


def wait_for_worker(queue: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(queue in w.get("queues", []) for w in live_workers()):
            return True
        time.sleep(0.2)
    return False
