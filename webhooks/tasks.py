"""Thin Celery tasks. Deliveries run on their own `webhooks` queue with a hard time limit, so
a slow or dead destination never holds a render slot; every POST has a 10 s total timeout."""
import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from webhooks import delivery

# The POST gives up after WEBHOOK_TIMEOUT; the limits are only a last resort. The lease
# (WEBHOOK_LEASE_SECONDS) must outlast them so a live attempt is never taken over.
_SOFT_LIMIT = settings.WEBHOOK_TIMEOUT + 20
_HARD_LIMIT = settings.WEBHOOK_TIMEOUT + 30


@shared_task(name="webhooks.deliver", queue=settings.WEBHOOK_QUEUE, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def deliver(delivery_id: str) -> str:
    return delivery.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", queue="default", ignore_result=True, expires=60)
def deliveries_sweep() -> dict:
    return delivery.deliveries_sweep()


log = logging.getLogger(__name__)


@worker_ready.connect
def _sweep_when_a_webhooks_worker_starts(sender=None, **kwargs):
    """A worker that (re)starts on the webhooks queue sweeps at once: deliveries whose worker was
    killed (its process is gone, or its lease ran out) are re-queued without waiting for beat."""
    consumer = getattr(sender, "consumer", None) or sender
    task_consumer = getattr(consumer, "task_consumer", None)
    queues = {q.name for q in task_consumer.queues} if task_consumer is not None else set()
    if settings.WEBHOOK_QUEUE not in queues:
        return

    def sweep():
        from django.db import close_old_connections, connections

        try:
            close_old_connections()
            log.info("webhooks: start-up sweep %s", delivery.deliveries_sweep())
        except Exception:  # noqa: BLE001 — beat's sweeper will do it later
            log.warning("webhooks: start-up sweep failed", exc_info=True)
        finally:
            connections.close_all()

    threading.Thread(target=sweep, name="webhooks-startup-sweep", daemon=True).start()
