"""Thin Celery tasks of a video's chord (render queue): they take ids and call processing."""
from celery import shared_task

from . import processing


# A chord's header needs its results (the Redis backend counts them): ignore_result=False.
@shared_task(name="rendering.video.chunk", acks_late=True, reject_on_worker_lost=True, ignore_result=False)
def render_video_chunk(generation_id: str, index: int, epoch: str) -> str:
    return processing.chunk_render(generation_id=generation_id, index=index, epoch=epoch)


@shared_task(name="rendering.video.finish", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def finish_video(generation_id: str, epoch: str) -> str:
    return processing.finish(generation_id=generation_id, epoch=epoch)
