"""Celery tasks of previews: the render (queue `preview`, its own worker and slots, never a
`render` slot) and the beat task that deletes the files of expired or evicted cache entries.

The preview worker also steps aside for paid renders on a busy machine: before each preview it
lowers its own CPU priority and that of its children (the warm Chromium) to PREVIEW_WORKER_NICE,
so when renders and previews compete for the same cores the render worker gets them first."""
import logging
import os
from pathlib import Path

from celery import shared_task
from django.conf import settings

from rendering.preview import services

log = logging.getLogger(__name__)


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            stack.append(int(child))
    return found


def _lower_autogroup(target: int) -> None:
    """With the kernel's autogroup scheduling, nice only orders processes *within* a session: a
    preview worker started in a session of its own (setsid, a supervisor) would still get an equal
    share against the render worker's session. So when the session is the worker's own (its main
    process leads it), lower the whole session's autogroup too. A session shared with other
    processes (`make run`) is left alone: there plain nice does the job."""
    if os.getsid(0) not in (os.getpid(), os.getppid()):
        return
    try:
        path = Path("/proc/self/autogroup")
        current = int(path.read_text().rsplit("nice", 1)[1])
        if current < target:
            path.write_text(str(target))
    except (OSError, ValueError, IndexError):
        pass


def lower_priority() -> None:
    """Renice this process and its descendants to PREVIEW_WORKER_NICE (never raises priority)."""
    target = int(getattr(settings, "PREVIEW_WORKER_NICE", 0) or 0)
    if target <= 0:
        return
    _lower_autogroup(target)
    for pid in [os.getpid(), *_descendants(os.getpid())]:
        try:
            if os.getpriority(os.PRIO_PROCESS, pid) < target:
                os.setpriority(os.PRIO_PROCESS, pid, target)
        except (OSError, PermissionError):
            pass


@shared_task(bind=True, name="rendering.preview.render", queue="preview", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def preview_render(self, job_id: str) -> str:
    if not self.request.is_eager:  # only a real preview worker steps aside, never a web process
        lower_priority()
    return services.preview_render(job_id=job_id)


@shared_task(name="rendering.preview.cleanup", queue="default", ignore_result=True)
def preview_cleanup() -> dict:
    return services.preview_files_cleanup()
