"""Fixtures for the SDK and CLI tests: a REAL running Audome — the ASGI live server (uvicorn in a
thread, embed.testing) plus real Celery workers for the `render` and `preview` queues — and an
account with a template whose dynamic keys are `title` (text) and `hero` (image).

The package under test is the installed one (`pip install -e clients/python`, done by
`make python`); if it is missing, it is imported from clients/python/src."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import client_for, make_account
from core.testing.worker import WorkerProcess, purge_queues
from embed.testing import asgi_live_server, chromium, dashboard_page, studio_built  # noqa: F401

SRC = Path(__file__).resolve().parent.parent / "src"
try:
    import audome  # noqa: F401
except ImportError:  # not installed: use the sources
    sys.path.insert(0, str(SRC))

BACKGROUND = "#0f172a"
DOCUMENT = {
    "version": 1,
    "background": {"color": BACKGROUND},
    "elements": [
        {"id": "el1", "type": "text", "x": 40, "y": 40, "width": 560, "height": 120, "dynamicKey": "title",
         "placeholder": "Title", "text": "Default title",
         "style": {"fontFamily": "Noto Sans", "fontSize": 48, "fontWeight": 700, "color": "#ffffff",
                   "textAlign": "center", "verticalAlign": "middle"}},
        {"id": "el2", "type": "shape", "shape": "rect", "x": 0, "y": 300, "width": 640, "height": 60,
         "fill": "#f59e0b"},
    ],
}


@pytest.fixture(scope="session")
def live(asgi_live_server, render_worker, preview_worker):  # noqa: F811 — the server first: workers take its URL
    return asgi_live_server


@pytest.fixture(scope="session")
def preview_worker(asgi_live_server, django_db_setup):  # noqa: F811
    purge_queues("preview")
    worker = WorkerProcess(queues="preview", concurrency=1).start()
    yield worker
    worker.stop()


class Tenant:
    def __init__(self, email: str):
        self.account = make_account(email)
        self.api = client_for(self.account)
        self.token = self.api.plain_token

    def project(self, name="SDK card", document=None, width=640, height=360) -> str:
        r = self.api.post("/api/render/projects", {"name": name, "width": width, "height": height,
                                                   "document": document or DOCUMENT})
        assert r.status_code == 201, r.content
        return r.json()["id"] if "id" in r.json() else r.json()["project"]["id"]


@pytest.fixture
def tenant(transactional_db, live):
    return Tenant("sdk-owner@example.com")


@pytest.fixture
def outsider_tenant(transactional_db, live):
    return Tenant("sdk-outsider@example.com")


@pytest.fixture
def sdk_env(live, tenant, tmp_path, monkeypatch):
    """AUDOME_TOKEN / AUDOME_BASE_URL for the SDK and the CLI, and a config dir of the test's own."""
    env = {"AUDOME_TOKEN": tenant.token, "AUDOME_BASE_URL": live, "AUDOME_CONFIG_DIR": str(tmp_path / "config")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def in_thread(function):
    """Call function() in a thread of its own and return its result (or raise its error). For
    asyncio.run: after a Playwright (sync API) test this process's main thread has a running loop."""
    import threading

    result: dict = {}

    def target():
        try:
            result["value"] = function()
        except BaseException as exc:  # re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def run_async(make_coroutine):
    import asyncio

    return in_thread(lambda: asyncio.run(make_coroutine()))


def audome_command() -> list[str]:
    script = shutil.which("audome", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "audome.cli"]


def run_cli(*args: str, env: dict, input: bytes | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **env}
    return subprocess.run([*audome_command(), *args], env=full_env, input=input, capture_output=True,
                          timeout=timeout, cwd=env.get("CWD"))
