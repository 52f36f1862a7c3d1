"""The Celery app. Queues: `render` (paid renders), `preview` (free previews, own slots),
`webhooks` (outgoing deliveries) and `default` (everything else)."""
import os
import threading

from celery import Celery, Task
from celery.signals import task_postrun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class ProcessBackendTask(Task):
    """Celery's Task with its result backend made once per process instead of once per thread.

    Celery keeps `app.backend` per thread. Under ASGI every request runs on a thread of its own
    (Django's ThreadSensitiveContext), so every `apply_async` from a request built a new Redis
    result backend — a connection pool, driver info read from package metadata: ~1.6 ms of CPU,
    13 % of the web process's CPU per render in the #17 mix — only to hand back an AsyncResult
    nobody waits on. The backend's Redis client is thread-safe; the one part that is not (the
    result consumer's pub/sub) starts only when a caller waits on a result, which this codebase
    never does (chords wait in Redis, not in a caller)."""

    _process_backends: dict[int, object] = {}
    _process_backends_lock = threading.Lock()

    @property
    def backend(self):
        if self._backend is not None:
            return self._backend
        pid = os.getpid()  # a forked pool child makes its own
        backend = self._process_backends.get(pid)
        if backend is None:
            with self._process_backends_lock:
                backend = self._process_backends.get(pid)
                if backend is None:
                    backend = self._process_backends[pid] = self.app._get_backend()
        return backend

    @backend.setter
    def backend(self, value):
        self._backend = value


app = Celery("audome", task_cls=ProcessBackendTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules that live in sub-packages of an app.
app.autodiscover_tasks(["rendering.preview", "rendering.video"])


# Database connections of worker processes. Celery's Django fix-up closes every connection
# before and after each task unless CELERY_DB_REUSE_MAX is set (the settings set it): a new
# Postgres connection per render is several ms on the critical path. Instead, a pool process keeps
# its connection for WORKER_DB_CONN_MAX_AGE seconds, and after each task Django's own rule drops
# one that errored, is unusable or grew too old (so a Postgres restart costs one failed query).

@worker_process_init.connect
def _keep_db_connections(**kwargs):
    from django.conf import settings
    from django.db import connections

    max_age = settings.WORKER_DB_CONN_MAX_AGE
    if max_age is None:
        return
    for conn in connections.all(initialized_only=False):
        conn.settings_dict["CONN_MAX_AGE"] = max_age
        conn.settings_dict["CONN_HEALTH_CHECKS"] = True


@task_postrun.connect
def _drop_broken_db_connections(sender=None, **kwargs):
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # ran inside the caller's process (tests): its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()
