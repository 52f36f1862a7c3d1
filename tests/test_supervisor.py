"""`make run`'s supervisor (scripts/supervise.py, issue #15): a process that dies is started again with
a growing pause and logged, the others keep running, and SIGINT (Ctrl-C) stops them all. The last
test supervises the real thing — uvicorn and a Celery render worker — kills the worker with SIGKILL
and waits for a new one to answer."""
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SLEEPER = f"{sys.executable} -c 'import time; time.sleep(600)'"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state != "Z"


class Run:
    def __init__(self, tmp_path: Path, *commands: str, env=None, **options):
        self.log_dir = tmp_path / "log"
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
        self.proc = subprocess.Popen([sys.executable, str(BASE_DIR / "scripts" / "supervise.py"),
                                      f"--log-dir={self.log_dir}", *flags, *commands],
                                     cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def log(self) -> str:
        path = self.log_dir / "supervisor.log"
        return path.read_text() if path.exists() else ""

    def pids(self, name: str) -> list[int]:
        return [int(p) for p in re.findall(rf"(?:started|restarted) {re.escape(name)} \(pid (\d+)\)", self.log())]

    def wait_for(self, predicate, timeout: float = 30, what: str = ""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log()}")

    def interrupt(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def runs():
    started = []
    yield lambda *a, **k: started.append(Run(*a, **k)) or started[-1]
    for run in started:  # a failed test never leaves a supervisor (or its children) behind
        if run.proc.poll() is None:
            run.interrupt()


def test_a_killed_process_is_restarted_and_the_others_keep_running(tmp_path, runs):
    run = runs(tmp_path, f"worker={SLEEPER}", f"web={SLEEPER}", backoff=0.2)
    worker = run.wait_for(lambda: run.pids("worker"), what="worker start")[0]
    web = run.wait_for(lambda: run.pids("web"), what="web start")[0]

    os.kill(worker, signal.SIGKILL)
    pids = run.wait_for(lambda: run.pids("worker")[1:] and run.pids("worker"), what="worker restart")
    assert len(pids) == 2 and pids[1] != worker and alive(pids[1]) and not alive(worker)
    assert re.search(r"worker was killed by SIGKILL after [\d.]+ s; restarting in 0.2 s", run.log())
    assert alive(web) and run.pids("web") == [web]  # untouched
    assert run.proc.poll() is None  # the stack stays up

    assert run.interrupt() == 0
    assert not alive(pids[1]) and not alive(web)
    assert "SIGINT: stopping everything" in run.log() and run.log().rstrip().endswith("stopped")
    assert (run.log_dir / "worker.log").exists() and (run.log_dir / "web.log").exists()


def test_a_crashing_process_backs_off_and_recovers_its_pace(tmp_path, runs):
    flaky = f"{sys.executable} -c 'raise SystemExit(3)'"
    run = runs(tmp_path, f"flaky={flaky}", f"steady={SLEEPER}", backoff=0.1, max_backoff=0.4, stable_after=30)
    run.wait_for(lambda: len(run.pids("flaky")) >= 6, timeout=30, what="six starts")
    delays = [float(d) for d in re.findall(r"flaky exited with 3 after [\d.]+ s; restarting in ([\d.]+) s", run.log())]
    assert delays[:5] == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert len(run.pids("steady")) == 1
    assert run.interrupt() == 0


def test_children_that_ignore_sigterm_are_killed_on_stop(tmp_path, runs):
    stubborn = (f"{sys.executable} -c 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print(\"ready\", flush=True); time.sleep(600)'")
    run = runs(tmp_path, f"stubborn={stubborn}", stop_timeout=1)
    pid = run.wait_for(lambda: run.pids("stubborn"), what="start")[0]
    run.wait_for(lambda: "ready" in (run.log_dir / "stubborn.log").read_text(), what="child ready")
    started = time.monotonic()
    assert run.interrupt() == 0
    assert time.monotonic() - started < 10
    assert not alive(pid)
    assert "ignored SIGTERM for 1 s: SIGKILL" in run.log()


@pytest.mark.django_db(transaction=True)
def test_the_real_stack_gets_its_render_worker_back(tmp_path, runs):
    import httpx

    from core.heartbeat import KEY_PREFIX, live_workers
    from core.redis import get_redis
    from core.testing.worker import purge_queues, worker_env
    from embed.testing import free_port

    purge_queues("render")
    port = free_port()
    node = f"sup-{uuid.uuid4().hex[:8]}"
    web = (f"{sys.executable} -m uvicorn config.asgi:application --host 127.0.0.1 --port {port} "
           "--lifespan off --no-access-log")
    worker = (f"{sys.executable} -m celery -A config worker -Q render -c 1 -n {node}@%h "
              "--without-gossip --without-mingle -l INFO")
    run = runs(tmp_path, f"web={web}", f"render-worker={worker}", env=worker_env(), backoff=0.5)

    def render_worker_answers():
        return any(w["name"].startswith(f"{node}@") and "render" in w.get("queues", []) for w in live_workers())

    def ready():
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    run.wait_for(ready, timeout=120, what="the stack to be ready")
    first = run.pids("render-worker")[0]
    web_pid = run.pids("web")[0]

    run.wait_for(render_worker_answers, timeout=120, what="its render worker's heartbeat")
    os.kill(first, signal.SIGKILL)
    # The dead worker's heartbeat would linger for its TTL: drop it, so only the new worker can answer.
    get_redis().delete(KEY_PREFIX + f"{node}@{os.uname().nodename}")
    run.wait_for(lambda: len(run.pids("render-worker")) == 2, timeout=30, what="the worker to restart")
    second = run.pids("render-worker")[1]
    run.wait_for(lambda: alive(second) and render_worker_answers() and ready(), timeout=120,
                 what="the new worker to answer")
    assert run.pids("web") == [web_pid] and alive(web_pid)
    assert re.search(r"render-worker was killed by SIGKILL", run.log())

    assert run.interrupt() == 0
    assert not alive(second) and not alive(web_pid)
