"""One test run's slot: its own Redis database and its own test database name.

`make test` may run while `make run` serves on the same machine (Redis db 0), and several test
runs may overlap (two checkouts, two terminals). A slot is claimed with SET NX in Redis db 0 under
`audome:test-slot:<n>` and held for the run's lifetime (refreshed, released at exit); the claimed
Redis database is flushed first so a crashed earlier run's queued tasks can't be consumed. The test
process exports AUDOME_TEST_SLOT so the workers and servers it starts use the same slot."""
from __future__ import annotations

import atexit
import os
import threading
from urllib.parse import urlsplit, urlunsplit

SLOTS = range(1, 13)  # 13 and 14 belong to the benches, 0 to `make run`
TTL = 600


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def claim_slot(redis_url: str) -> tuple[int, str]:
    inherited = os.environ.get("AUDOME_TEST_SLOT")
    if inherited:
        slot = int(inherited)
        return slot, _with_db(redis_url, slot)

    import redis

    admin = redis.Redis.from_url(_with_db(redis_url, 0), socket_timeout=5, socket_connect_timeout=2)
    token = f"{os.uname().nodename}:{os.getpid()}"
    for slot in SLOTS:
        key = f"audome:test-slot:{slot}"
        if admin.set(key, token, nx=True, ex=TTL):
            break
    else:
        raise RuntimeError("All test slots are taken (audome:test-slot:* in Redis db 0): too many test runs at once")

    url = _with_db(redis_url, slot)
    redis.Redis.from_url(url, socket_timeout=5).flushdb()
    os.environ["AUDOME_TEST_SLOT"] = str(slot)
    os.environ["REDIS_URL"] = url

    stop = threading.Event()

    def refresh() -> None:
        while not stop.wait(TTL / 3):
            try:
                admin.set(key, token, ex=TTL)
            except redis.RedisError:
                pass

    threading.Thread(target=refresh, name="test-slot-refresh", daemon=True).start()

    def release() -> None:
        stop.set()
        try:
            if admin.get(key) == token.encode():
                admin.delete(key)
        except redis.RedisError:
            pass

    atexit.register(release)
    return slot, url
