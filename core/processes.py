"""Processes, as /proc shows them.

Who holds a job: workers mark what they claim with `<host>:<pid>`, and a claim whose process
on this host is gone (a killed pool child, not yet reaped or not) may be taken over at once.

A process tree: its descendants (from the `children` files of every thread — the render
engine forks Playwright from a thread of its own —, or from every process's parent where the
kernel has no such files), killing it, its memory, and lowering its CPU priority."""
from __future__ import annotations

import os
import signal
import socket
from pathlib import Path


def process_label() -> str:
    """This process, as `<host>:<pid>`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_gone(label: str) -> bool:
    """True when `label` names a process on THIS host that no longer runs (or is a zombie).
    Other hosts, or a label we can't read: False (their leases and deadlines decide)."""
    host, _, pid = (label or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed process nobody has reaped yet is a zombie: dead all the same
        with open(f"/proc/{int(pid)}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _parents() -> dict[int, int]:
    """pid → ppid for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
            table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return table


_HAS_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(child) for child in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children…)."""
    if _HAS_CHILDREN_FILES:
        out, frontier = [], [pid]
        while frontier:
            for child in _children(frontier.pop()):
                out.append(child)
                frontier.append(child)
        return out
    table = _parents()
    out, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in table.items():
            if its_parent == parent:
                out.append(child)
                frontier.append(child)
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and everything below it."""
    for p in [pid, *descendants(pid)]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def tree_rss_mb(pid: int) -> float:
    """Memory of a process tree in MB: proportional set size (shared pages counted once
    overall), resident size where smaps_rollup is unavailable."""
    total_kb = 0
    for p in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
                        break
            continue
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{p}/statm") as fh:
                total_kb += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    return total_kb / 1024


def lower_tree_priority(target: int) -> None:
    """Renice this process and its descendants to `target` (never raises priority; 0 = off).

    With the kernel's autogroup scheduling, nice only orders processes *within* a session: a
    process started in a session of its own (setsid, a supervisor) would still get an equal
    share against other sessions. So when the session is this process's own (it or its parent
    leads it), the session's autogroup is lowered too. A session shared with other processes
    (`make run`) is left alone: there plain nice does the job."""
    if target <= 0:
        return
    _lower_autogroup(target)
    for pid in [os.getpid(), *descendants(os.getpid())]:
        try:
            if os.getpriority(os.PRIO_PROCESS, pid) < target:
                os.setpriority(os.PRIO_PROCESS, pid, target)
        except (OSError, PermissionError):
            pass


def _lower_autogroup(target: int) -> None:
    if os.getsid(0) not in (os.getpid(), os.getppid()):
        return
    try:
        path = Path("/proc/self/autogroup")
        current = int(path.read_text().rsplit("nice", 1)[1])
        if current < target:
            path.write_text(str(target))
    except (OSError, ValueError, IndexError):
        pass
