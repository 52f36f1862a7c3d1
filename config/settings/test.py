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
