"""What every benchmark script shares: ports, percentiles, a fresh database, the venv's tools."""
import socket
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0–100); NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def reset_database(url: str) -> None:
    """Drop and re-create the Postgres database a bench runs on."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- CPU accounting: where the machine's cores went, by kind of process ----------------------

CPU_GROUPS = (  # (group, substring of the command line), first match wins
    ("chromium", "chromium"),
    ("playwright driver", "playwright"),
    ("web (uvicorn)", "uvicorn"),
    ("render worker (celery)", "celery"),
    ("postgres", "postgres"),
    ("redis", "redis-server"),
)


def cpu_snapshot() -> dict[int, tuple[str, float]]:
    """pid → (group, CPU seconds so far) for every process this machine runs (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(entry)
        group = "bench client" if pid == me else next((g for g, s in CPU_GROUPS if s in cmd), "other")
        out[pid] = (group, (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_by_group(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds spent per group between two snapshots (processes alive at the end)."""
    spent: dict[str, float] = {}
    for pid, (group, seconds) in after.items():
        spent[group] = spent.get(group, 0.0) + seconds - before.get(pid, (group, 0.0))[1]
    return spent


# --- the stack's processes -------------------------------------------------------------------

def uvicorn_cmd(port: int) -> list[str]:
    return [str(VENV_BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning"]


def celery_worker_cmd(queue: str, concurrency: int, hostname: str, celery: list[str] | None = None) -> list[str]:
    return [*(celery or [str(VENV_BIN / "celery")]), "-A", "config", "worker", "-Q", queue, "-c", str(concurrency),
            "-n", hostname, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]


class Processes:
    """A bench's own stack: each process in a session of its own with a log file, all stopped
    together (SIGTERM, then SIGKILL for what is left in their groups: Chromium)."""

    def __init__(self, cwd: Path):
        import tempfile

        self.cwd = cwd
        self.logs = Path(tempfile.mkdtemp(prefix="audome-bench-logs-"))
        self.procs: list = []

    def spawn(self, name: str, cmd: list[str], env: dict) -> None:
        import subprocess

        log = open(self.logs / f"{name}.log", "wb")
        self.procs.append(subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))

    def wait_ready(self, port: int, worker_names: list[str], timeout: float = 90) -> None:
        """Until the web process answers /healthz and every worker sent its heartbeat."""
        import time

        import httpx

        from core.heartbeat import KEY_PREFIX
        from core.redis import get_redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        while time.monotonic() < deadline and not all(get_redis().exists(KEY_PREFIX + n) for n in worker_names):
            time.sleep(0.2)

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:  # Chromium left in the process groups
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def raw_chromium(pw, *, images: dict[str, tuple[str, bytes]], viewport: tuple[int, int]):
    """The raw floors' browser (render_floor, mix_floor, video_bench): Chromium launched as the
    engine launches it, one context that serves the render page and its assets and `images`
    (path → (mime, bytes)) from memory, and nothing else. Returns (browser, context); call
    `render_page(context)` for a page with the renderer loaded. Needs Django set up."""
    import os

    from rendering.engine.browser import CHROMIUM_ARGS, ORIGIN, PAGE_PATH, RENDER_PAGE_CSP, Assets

    assets = Assets()
    browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                 args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, service_workers="block")

    def route(r):
        url = r.request.url
        path = url[len(ORIGIN):] if url.startswith(ORIGIN) else None
        if path == PAGE_PATH:
            return r.fulfill(body=assets.page_html, headers={"content-type": "text/html",
                                                              "content-security-policy": RENDER_PAGE_CSP})
        found = images.get(path or "") or assets.files.get(path or "")
        if found:
            return r.fulfill(body=found[1], headers={"content-type": found[0]})
        return r.abort()

    context.route("**/*", route)
    return browser, context


def render_page(context):
    """A new page of `context` with the render page loaded and ready."""
    from rendering.engine.browser import ORIGIN, PAGE_PATH

    page = context.new_page()
    page.goto(ORIGIN + PAGE_PATH)
    page.wait_for_function("window.__audome && window.__audome.ready")
    return page
