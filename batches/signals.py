"""The render task's after-hook: when a generation that belongs to a batch row finishes, its
row is settled and the account's batches get the freed render slot at once (the beat sweeper
does the same every BATCH_SWEEP_INTERVAL seconds for anything this missed).

The settling runs on a thread of the worker process, not in the task: the render worker takes
its next task (the batch's next queued row) while the last one's row is settled and the next
row fed — about 30 ms of queries under the account's balance lock that would otherwise sit
between two renders. A process killed with settles still queued loses nothing: the sweeper
settles from the generations' own status. While no batch is open anywhere (no feed within
batches.processing.OPEN_KEY's expiry) the thread skips its queries: one Redis EXISTS a render."""
import logging
import os
import queue
import threading

from celery.signals import task_postrun

log = logging.getLogger(__name__)

RENDER_TASK = "rendering.render_generation"

# Made by the process that uses them (a prefork pool child), never inherited across a fork.
_pending: "queue.Queue[str] | None" = None
_started_in: int | None = None


def settle_after_render(generation_id: str) -> None:
    """What the thread does for one finished render: nothing while no batch is open (#17: no
    queries on the render path of a worker that serves single renders), else settle and feed."""
    from django.db import close_old_connections

    from batches.processing import batches_may_be_open, generation_settled

    if not batches_may_be_open():
        return
    close_old_connections()
    try:
        generation_settled(generation_id=generation_id)
    except Exception:  # the sweeper will catch up; never stop the thread
        log.exception("settling the batch row of %s failed", generation_id)


def _settler(pending: "queue.Queue[str]") -> None:
    while True:
        settle_after_render(pending.get())


def _queue() -> "queue.Queue[str]":
    """This process's settle queue, its thread started on first use."""
    global _pending, _started_in
    if _pending is None or _started_in != os.getpid():
        _pending, _started_in = queue.Queue(), os.getpid()
        threading.Thread(target=_settler, args=(_pending,), name="audome-batch-settler", daemon=True).start()
    return _pending


@task_postrun.connect
def _after_render(sender=None, args=None, **kwargs):
    if getattr(sender, "name", None) != RENDER_TASK or not args:
        return
    _queue().put(args[0])
