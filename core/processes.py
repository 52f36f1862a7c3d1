"""Who holds a job: workers mark what they claim with `<host>:<pid>`, and a claim whose process
on this host is gone (a killed pool child, not yet reaped or not) may be taken over at once."""
import os
import socket


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
