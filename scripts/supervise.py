"""`make run`'s supervisor: starts named commands, restarts any that exits, stops them all on Ctrl-C.

    python scripts/supervise.py [--log-dir var/log] NAME=COMMAND [NAME=COMMAND …]

Each command runs in a process group of its own (so a Celery worker's pool and its Chromium go
with it), its output appended to <log-dir>/<NAME>.log. A command that exits — crashed, killed,
out of memory — is started again after a pause that doubles while it keeps failing (1 s, 2 s, 4 s
… up to 30 s) and starts over at 1 s once it has run for a minute. Every start, exit and restart
is written to <log-dir>/supervisor.log and to stdout. SIGINT or SIGTERM stops everything: SIGTERM
to each group, SIGKILL to what is left after --stop-timeout seconds; the supervisor then exits 0.
Standard library only, so it runs before (or without) the virtualenv's packages."""
from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = 0.0  # pause before the next start
    restart_at: float | None = None
    restarts: int = 0
    log_file: object = field(default=None, repr=False)


class Supervisor:
    def __init__(self, children: list[Child], *, log_dir: Path, backoff: float, max_backoff: float,
                 stable_after: float, stop_timeout: float):
        self.children = children
        self.log_dir = log_dir
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.stopping = False
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(log_dir / "supervisor.log", "a", buffering=1)

    def say(self, message: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}"
        self.log.write(line + "\n")
        print(f"[supervisor] {message}", flush=True)

    # --- life cycle ---
    def start(self, child: Child) -> None:
        if child.log_file is None:
            child.log_file = open(self.log_dir / f"{child.name}.log", "ab", buffering=0)
        child.proc = subprocess.Popen(child.argv, stdout=child.log_file, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        verb = "restarted" if child.restarts else "started"
        self.say(f"{verb} {child.name} (pid {child.proc.pid})")

    def reap(self, child: Child) -> None:
        """`child` has exited: clear what its group left behind and plan the restart."""
        code = child.proc.returncode
        ran = time.monotonic() - child.started_at
        _kill_group(child.proc.pid, signal.SIGKILL)  # its pool processes, its Chromium
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"
        if ran >= self.stable_after or child.delay == 0:
            child.delay = self.backoff
        else:
            child.delay = min(self.max_backoff, child.delay * 2)
        child.restart_at = time.monotonic() + child.delay
        child.restarts += 1
        child.proc = None
        self.say(f"{child.name} {how} after {ran:.1f} s; restarting in {child.delay:g} s")

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        for child in self.children:
            self.start(child)
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                if self.stopping:
                    break
                if child.proc is not None and child.proc.poll() is not None:
                    self.reap(child)
                elif child.proc is None and child.restart_at is not None and now >= child.restart_at:
                    self.start(child)
            time.sleep(0.1)
        self.stop_all()
        return 0

    def _on_signal(self, signum, frame) -> None:
        if not self.stopping:
            self.stopping = True
            self.say(f"{signal.Signals(signum).name}: stopping everything")

    def stop_all(self) -> None:
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in running:
            _kill_group(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} (pid {child.proc.pid}) ignored SIGTERM for {self.stop_timeout:g} s: SIGKILL")
        for child in self.children:
            if child.proc is not None:
                _kill_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
        self.say("stopped")


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[Child]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log-dir", default="var/log", type=Path)
    parser.add_argument("--backoff", default=1.0, type=float, help="first pause before a restart (s)")
    parser.add_argument("--max-backoff", default=30.0, type=float, help="longest pause (s)")
    parser.add_argument("--stable-after", default=60.0, type=float,
                        help="a process that ran this long before exiting restarts after --backoff again (s)")
    parser.add_argument("--stop-timeout", default=10.0, type=float, help="SIGTERM to SIGKILL on stop (s)")
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args(argv)
    children = []
    for spec in args.commands:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command.strip():
            parser.error(f"expected NAME=COMMAND, got {spec!r}")
        children.append(Child(name=name, argv=shlex.split(command)))
    if len({c.name for c in children}) != len(children):
        parser.error("names must be unique")
    return args, children


def main(argv: list[str] | None = None) -> int:
    args, children = parse(sys.argv[1:] if argv is None else argv)
    supervisor = Supervisor(children, log_dir=args.log_dir, backoff=args.backoff, max_backoff=args.max_backoff,
                            stable_after=args.stable_after, stop_timeout=args.stop_timeout)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
