"""Billing's Celery tasks (queue default): apply a stored Stripe event, grant due monthly
allowances, re-queue Stripe events whose task was lost."""
import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="billing.stripe_event_apply", queue="default", acks_late=True)
def stripe_event_apply(event_pk: int) -> str | None:
    from billing.stripe_events import stripe_event_apply as apply

    return apply(event_pk=event_pk)


@shared_task(name="billing.allowances_grant", queue="default")
def allowances_grant() -> int:
    """Grant every free-plan account its allowance for the current cycle (idempotent: one
    ledger entry per account and cycle, by a unique reference)."""
    from accounts.models import User
    from billing.services import allowance_grant_due

    granted = 0
    for account in User.objects.filter(is_active=True).iterator(chunk_size=500):
        try:
            if allowance_grant_due(account=account) is not None:
                granted += 1
        except Exception:  # noqa: BLE001 — one account's failure doesn't stop the others
            log.exception("billing: allowance for %s failed", account.pk)
    return granted


@shared_task(name="billing.stripe_events_sweep", queue="default")
def stripe_events_sweep() -> int:
    from billing.stripe_events import stripe_events_sweep as sweep

    return sweep()
