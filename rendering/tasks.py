"""Thin Celery tasks: they take ids and call rendering.processing."""
from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from rendering import processing


@worker_process_init.connect
def _keep_db_connection(**kwargs):
    """A worker process is long-lived and runs one task at a time: keep its database connection
    between tasks instead of opening one per render (several ms each). Celery's Django fixup
    still closes it when it errored or grew older than this."""
    from django.db import connections

    max_age = settings.WORKER_DB_CONN_MAX_AGE
    if max_age is None:
        return
    for conn in connections.all(initialized_only=False):
        conn.settings_dict["CONN_MAX_AGE"] = max_age
        conn.settings_dict["CONN_HEALTH_CHECKS"] = True


@shared_task(name="rendering.render_generation", queue="render", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def render_generation(generation_id: str) -> str:
    return processing.generation_render(generation_id=generation_id)


@shared_task(name="rendering.generations_sweep", queue="default", ignore_result=True)
def generations_sweep() -> dict:
    return processing.generations_sweep()
