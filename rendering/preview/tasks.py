"""Celery tasks of previews: the render (queue `preview`, its own worker and slots, never a
`render` slot) and the beat task that deletes the files of expired or evicted cache entries.

The preview worker also steps aside for paid renders on a busy machine: before each preview it
lowers its own CPU priority and that of its children (the warm Chromium) to PREVIEW_WORKER_NICE,
so when renders and previews compete for the same cores the render worker gets them first."""
import logging

from celery import shared_task
from django.conf import settings

from core.processes import lower_tree_priority
from rendering.preview import services

log = logging.getLogger(__name__)


def lower_priority() -> None:
    """Renice this worker and its descendants (the warm Chromium) to PREVIEW_WORKER_NICE."""
    lower_tree_priority(int(getattr(settings, "PREVIEW_WORKER_NICE", 0) or 0))


@shared_task(bind=True, name="rendering.preview.render", queue="preview", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def preview_render(self, job_id: str) -> str:
    if not self.request.is_eager:  # only a real preview worker steps aside, never a web process
        lower_priority()
    return services.preview_render(job_id=job_id)


@shared_task(name="rendering.preview.cleanup", queue="default", ignore_result=True)
def preview_cleanup() -> dict:
    return services.preview_files_cleanup()
