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
