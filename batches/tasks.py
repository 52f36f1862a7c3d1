"""Thin Celery tasks of batches."""
from celery import shared_task

from batches import processing


@shared_task(name="batches.sweep", queue="default", ignore_result=True)
def batches_sweep() -> dict:
    return processing.batches_sweep()
