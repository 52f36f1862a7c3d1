"""Thin Celery tasks: they take ids and call services."""
from celery import shared_task

from rendering import services


@shared_task(name="rendering.render_generation", queue="render", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def render_generation(generation_id: str) -> str:
    return services.generation_render(generation_id=generation_id)


@shared_task(name="rendering.generations_sweep", queue="default", ignore_result=True)
def generations_sweep() -> dict:
    return services.generations_sweep()
