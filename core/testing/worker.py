"""pytest plugin: REAL Celery worker subprocesses against the test database and Redis.

Enabled from the root conftest (`pytest_plugins = ["core.testing.worker"]`). Fixtures:

- `render_worker` (session): one worker on the `render` queue, started once and shared. Tests that
  use it need `transactional_db` so the worker sees their rows.
- `celery_worker_factory` (function): `start(queues="render", concurrency=1, env={...})` starts a
  worker of your own (to kill it, or with other settings); all are stopped after the test.

A worker gets the same settings module, DATABASE_URL (pointing at the *test* database),
REDIS_URL, MEDIA_ROOT and PUBLIC_BASE_URL as the test process. It is ready when its heartbeat
(core.heartbeat) shows up in Redis. Its log is kept in a temp file (`WorkerProcess.log()`) and
printed when it fails to start."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _database_url(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "sqlite" in engine:
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


def worker_env(extra: dict | None = None) -> dict:
    """The environment a subprocess needs to share the test process's database, Redis and media."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
        DATABASE_URL=_database_url(connection.settings_dict),
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PUBLIC_BASE_URL=settings.PUBLIC_BASE_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


class WorkerProcess:
    def __init__(self, *, queues: str = "render", concurrency: int = 1, env: dict | None = None,
                 pool: str = "prefork"):
        self.queues = queues
        self.concurrency = concurrency
        self.hostname = f"test-{queues.replace(',', '-')}-{uuid.uuid4().hex[:8]}@{os.uname().nodename}"
        self.env = worker_env(env)
        self.pool = pool
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)

    # --- life cycle ---
    def start(self, timeout: float = 90) -> WorkerProcess:
        # AUDOME_TEST_CELERY_CMD replaces `python -m celery` (e.g. to run the worker under coverage).
        prefix = os.environ.get("AUDOME_TEST_CELERY_CMD", "").split() or [sys.executable, "-m", "celery"]
        cmd = [
            *prefix, "-A", "config", "worker", "-Q", self.queues, "-c", str(self.concurrency),
            "-P", self.pool, "-n", self.hostname, "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-l", "INFO",
        ]
        self.proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        self.wait_ready(timeout)
        return self

    def _started(self) -> subprocess.Popen:
        assert self.proc is not None, "start() the worker first"
        return self.proc

    def wait_ready(self, timeout: float = 90) -> None:
        from core.heartbeat import KEY_PREFIX
        from core.redis import get_redis

        proc = self._started()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {proc.returncode}:\n{self.log()[-4000:]}")
            if get_redis().exists(KEY_PREFIX + self.hostname):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Celery worker not ready after {timeout}s:\n{self.log()[-4000:]}")

    @property
    def pid(self) -> int:
        return self._started().pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pool_pids(self) -> list[int]:
        """The pool's child processes (prefork): the ones that run tasks."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole worker (main process, pool, Chromium) at once."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        proc = self._started()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass
        # Whatever the pool left behind in the group (Chromium) goes too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def log(self) -> str:
        return Path(self._log.name).read_text(errors="replace")


def purge_queues(queues: str) -> None:
    from core.redis import get_redis

    redis = get_redis()
    for name in queues.split(","):
        redis.delete(name.strip())


@pytest.fixture(scope="session")
def render_worker(django_db_setup, django_db_blocker):
    """One real `render` worker for the session (Chromium stays warm between tests)."""
    purge_queues("render")
    concurrency = int(os.environ.get("AUDOME_TEST_RENDER_CONCURRENCY", "1"))
    worker = WorkerProcess(queues="render", concurrency=concurrency).start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker_factory(django_db_setup):
    started: list[WorkerProcess] = []

    def start(*, queues: str = "render", concurrency: int = 1, env: dict | None = None, purge: bool = True):
        if purge:
            purge_queues(queues)
        worker = WorkerProcess(queues=queues, concurrency=concurrency, env=env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def _die_with_parent() -> None:
    """In the worker's child process: SIGTERM it when the pytest process dies, so an interrupted
    run never leaves a worker behind that would consume the next run's tasks."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
