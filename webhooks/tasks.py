"""Thin Celery tasks. Deliveries run on their own `webhooks` queue with a hard time limit, so
a slow or dead destination never holds a render slot; every POST has a 10 s total timeout."""
from celery import shared_task
from django.conf import settings

from webhooks import services

# The POST gives up after WEBHOOK_TIMEOUT; the limits are only a last resort. The lease
# (WEBHOOK_LEASE_SECONDS) must outlast them so a live attempt is never taken over.
_SOFT_LIMIT = settings.WEBHOOK_TIMEOUT + 20
_HARD_LIMIT = settings.WEBHOOK_TIMEOUT + 30


@shared_task(name="webhooks.deliver", queue=settings.WEBHOOK_QUEUE, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def deliver(delivery_id: str) -> str:
    return services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", queue="default", ignore_result=True, expires=60)
def deliveries_sweep() -> dict:
    return services.deliveries_sweep()
