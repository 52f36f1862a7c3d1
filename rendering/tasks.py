"""Thin Celery tasks: they take ids and call rendering.processing."""
from celery import shared_task

from rendering import processing


@shared_task(name="rendering.render_generation", queue="render", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def render_generation(generation_id: str) -> str:
    return processing.generation_render(generation_id=generation_id)


@shared_task(name="rendering.generations_sweep", queue="default", ignore_result=True)
def generations_sweep() -> dict:
    return processing.generations_sweep()
