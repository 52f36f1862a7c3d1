"""Celery tasks of previews: the render (queue `preview`, its own worker and slots, never a
`render` slot) and the beat task that deletes the files of expired or evicted cache entries."""
from celery import shared_task

from rendering.preview import services


@shared_task(name="rendering.preview.render", queue="preview", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def preview_render(job_id: str) -> str:
    return services.preview_render(job_id=job_id)


@shared_task(name="rendering.preview.cleanup", queue="default", ignore_result=True)
def preview_cleanup() -> dict:
    return services.preview_files_cleanup()
