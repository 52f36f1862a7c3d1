"""Helpers for fault tests: a real web server (uvicorn, as `make run` starts it) in a subprocess
whose database or Redis is a dead or black-holed address. The shared Postgres and Redis are never
stopped — other runs use them."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

from core.testing.worker import BASE_DIR, worker_env
from embed.testing import free_port, wait_http


class Blackhole:
    """A TCP listener that accepts connections and never says a word (a hung server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def dead_port() -> int:
    """A port nothing listens on: connections are refused at once."""
    return free_port()


class WebServer:
    def __init__(self, url: str, log_path: str):
        self.url = url
        self.log_path = log_path

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


@contextlib.contextmanager
def web_server(**env):
    """uvicorn serving config.asgi with the test process's settings plus `env`; yields a WebServer."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="outage-web-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log"],
        cwd=BASE_DIR, env=worker_env({"DB_POOL": "false", **env}), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = WebServer(f"http://127.0.0.1:{port}", log.name)
    try:
        try:
            wait_http(f"{server.url}/healthz", timeout=60)
        except RuntimeError:
            raise RuntimeError(server.log()[-4000:]) from None
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def timed(method: str, url: str, **kwargs) -> tuple[httpx.Response, float]:
    import time

    started = time.monotonic()
    response = httpx.request(method, url, timeout=60, **kwargs)
    return response, time.monotonic() - started
