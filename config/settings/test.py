"""The test suite: Postgres and Redis from DATABASE_URL / REDIS_URL when set."""
from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True

# One base URL for the whole test process and every worker it starts: the in-process ASGI live
# server (embed/testing.py) binds this port, so URLs made by a worker started early and by the
# test process agree whatever order tests run in. An explicit PUBLIC_BASE_URL (benches) wins.
if not env("PUBLIC_BASE_URL"):
    import os
    import socket

    with socket.socket() as _sock:
        _sock.bind(("127.0.0.1", 0))
        _port = _sock.getsockname()[1]
    os.environ["PUBLIC_BASE_URL"] = PUBLIC_BASE_URL = f"http://127.0.0.1:{_port}"

# Isolation from a running `make run` (Redis db 0, the dev database) and from other test runs on
# the same machine: each test run claims a slot (1–12) in Redis and uses its own Redis database and
# its own test database name for it. Queues, heartbeats, rate limits, the cache and the channel
# layer all live in that Redis database, so no run can take another's Celery tasks, whatever
# REDIS_URL says. Subprocesses (workers, live servers) inherit the slot through the environment.
from config.test_isolation import claim_slot  # noqa: E402

_slot, REDIS_URL = claim_slot(env("REDIS_URL", "redis://127.0.0.1:6379/0"))
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_slot}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_slot}"}  # noqa: F405
