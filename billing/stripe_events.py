"""Stripe's incoming events: verify, store, acknowledge, then apply in a task.

`stripe_event_receive` verifies the signature with the real `stripe.Webhook.construct_event`
before anything is stored, then stores the event under Stripe's unique id (a second delivery
finds the row and does nothing) and queues `billing.stripe_event_apply` once committed.

`stripe_event_apply` applies one event in one short transaction (no network I/O). Effects are
idempotent on their own too: credits are granted once per checkout session / invoice (unique
ledger reference), and subscription state only moves forward in Stripe's event time, so a late
`customer.subscription.updated` never undoes a newer change. An event that arrives before the
one that says whose it is (an invoice before its checkout session) is kept `deferred` and
applied again as soon as its customer is linked to an account."""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import cast

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.models import LedgerKind, StripeEvent, StripeEventStatus, Subscription, SubscriptionStatus
from billing.plans import pack_get, plan_for_price, plan_get
from billing.services import allowance_grant, credits_add_once, subscription_of

log = logging.getLogger(__name__)


class WebhookRejected(Exception):
    """The request is not a verifiable Stripe event (→ 400, nothing stored)."""


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("Stripe webhooks are not configured on this server (no STRIPE_WEBHOOK_SECRET).")
    if not signature:
        raise WebhookRejected("Missing Stripe-Signature header.")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected(f"Invalid signature: {exc.user_message or exc}") from None
    except ValueError:
        raise WebhookRejected("Invalid payload.") from None
    body = json.loads(payload)
    if not body.get("id") or not body.get("type"):
        raise WebhookRejected("Not a Stripe event.")
    with transaction.atomic():
        row, created = StripeEvent.objects.get_or_create(
            stripe_id=event.id,
            defaults={"type": body["type"], "livemode": bool(body.get("livemode")),
                      "stripe_created": int(body.get("created") or 0), "payload": body},
        )
        if created:
            transaction.on_commit(lambda: queue_apply(row.pk))
    return row, created


def queue_apply(event_pk: int) -> None:
    from billing.tasks import stripe_event_apply

    try:
        stripe_event_apply.delay(event_pk)
    except Exception:  # noqa: BLE001 — broker down: the sweeper queues it later
        log.warning("billing: could not queue Stripe event %s; the sweeper will", event_pk, exc_info=True)


# --- applying ------------------------------------------------------------------------------

class _Deferred(Exception):
    def __init__(self, customer_id: str):
        self.customer_id = customer_id or ""


def stripe_event_apply(*, event_pk: int) -> str | None:
    """Apply one stored event. Returns its status afterwards (None when it is gone)."""
    linked = set()
    with transaction.atomic():
        ev = StripeEvent.objects.select_for_update().filter(pk=event_pk).first()
        if ev is None or ev.status == StripeEventStatus.PROCESSED:
            return ev and ev.status
        ev.attempts += 1
        handler = HANDLERS.get(ev.type)
        try:
            if handler is not None:
                with transaction.atomic():
                    result = handler(ev, ev.payload.get("data", {}).get("object", {}) or {})
                    linked = set(result or ())
            ev.status, ev.error, ev.processed_at = StripeEventStatus.PROCESSED, "", timezone.now()
        except _Deferred as d:
            ev.status, ev.customer_id = StripeEventStatus.DEFERRED, d.customer_id
            ev.error = "Waiting for the event that links this customer to an account."
        except Exception as exc:  # noqa: BLE001 — recorded, the sweeper retries a few times
            log.exception("billing: applying Stripe event %s failed", ev.stripe_id)
            ev.status, ev.error = StripeEventStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        ev.save(update_fields=["status", "error", "processed_at", "attempts", "customer_id", "updated_at"])
        status = ev.status
    for customer_id in linked:
        for pk in StripeEvent.objects.filter(status=StripeEventStatus.DEFERRED, customer_id=customer_id).order_by(
            "stripe_created", "pk"
        ).values_list("pk", flat=True):
            stripe_event_apply(event_pk=pk)
    return status


def _id(value) -> str:
    """Stripe expands some fields into objects; an id either way."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _account_by_id(raw) -> User | None:
    try:
        return User.objects.filter(pk=uuid.UUID(str(raw))).first()
    except (ValueError, TypeError):
        return None


def _resolve(*, metadata: dict | None = None, client_reference_id=None, customer_id: str = "", subscription_id: str = "") -> Subscription | None:
    """Whose is this object? Our metadata / client_reference_id first, then the customer or
    subscription ids we stored."""
    account = None
    for raw in ((metadata or {}).get("account_id"), client_reference_id):
        if raw and (account := _account_by_id(raw)):
            break
    if account is None and customer_id:
        sub = Subscription.objects.filter(stripe_customer_id=customer_id).first()
        if sub:
            return sub
    if account is None and subscription_id:
        sub = Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
        if sub:
            return sub
    if account is None:
        return None
    return subscription_of(account=account)


def _link_customer(sub: Subscription, customer_id: str) -> set:
    if customer_id and not sub.stripe_customer_id:
        Subscription.objects.filter(pk=sub.pk, stripe_customer_id="").update(stripe_customer_id=customer_id)
        sub.stripe_customer_id = customer_id
    return {customer_id} if customer_id else set()


def _ts(value) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def _locked(sub: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=sub.pk)


def _subscription_state(sub: Subscription, ev: StripeEvent, **fields) -> bool:
    """Move the subscription's state forward; an event older than the newest applied is stale."""
    sub = _locked(sub)
    if ev.stripe_created < sub.stripe_state_at:
        log.info("billing: stale %s ignored for %s", ev.stripe_id, sub.account_id)
        return False
    for name, value in fields.items():
        if value is not None:
            setattr(sub, name, value)
    sub.stripe_state_at = ev.stripe_created
    sub.save()
    return True


# checkout.session.completed / checkout.session.async_payment_succeeded
def _checkout_session(ev: StripeEvent, obj: dict) -> set:
    metadata = obj.get("metadata") or {}
    customer_id = _id(obj.get("customer"))
    sub = _resolve(metadata=metadata, client_reference_id=obj.get("client_reference_id"), customer_id=customer_id)
    if sub is None:
        raise _Deferred(customer_id)
    ev.account_id = sub.account_id
    ev.save(update_fields=["account"])
    linked = _link_customer(sub, customer_id)
    if obj.get("mode") == "payment":
        if obj.get("payment_status") not in ("paid", "no_payment_required"):
            return linked  # paid later: checkout.session.async_payment_succeeded
        pack = pack_get(metadata.get("pack"))
        credits = int(metadata.get("credits") or (pack.credits if pack else 0))
        if credits <= 0:
            raise ValueError(f"checkout session {obj.get('id')} names no known pack")
        credits_add_once(account=sub.account, amount=credits, kind=cast(str, LedgerKind.PURCHASE),
                         reference=obj["id"], description=f"Credit pack: {pack.name if pack else credits}")
    elif obj.get("mode") == "subscription":
        plan = plan_get(metadata.get("plan"))
        # A newer event (its invoice, a later update or cancellation) may already have set the
        # state: then this one is stale and changes nothing.
        _subscription_state(sub, ev, plan_code=plan.code if plan else None,
                            stripe_subscription_id=_id(obj.get("subscription")), status=SubscriptionStatus.ACTIVE)
    return linked


def _invoice_subscription(obj: dict) -> tuple[str, dict]:
    """The subscription id and its metadata, from old (invoice.subscription) and new
    (invoice.parent.subscription_details) API shapes."""
    details = obj.get("subscription_details") or {}
    parent = (obj.get("parent") or {}).get("subscription_details") or {}
    sub_id = _id(obj.get("subscription")) or _id(parent.get("subscription"))
    metadata = {**(details.get("metadata") or {}), **(parent.get("metadata") or {})}
    return sub_id, metadata


def _invoice_line(obj: dict) -> dict:
    lines = (obj.get("lines") or {}).get("data") or []
    return lines[0] if lines else {}


def _line_price(line: dict) -> str:
    price = line.get("price") or ((line.get("pricing") or {}).get("price_details") or {}).get("price")
    return _id(price)


def _invoice_paid(ev: StripeEvent, obj: dict) -> set:
    subscription_id, metadata = _invoice_subscription(obj)
    customer_id = _id(obj.get("customer"))
    if not subscription_id:
        return set()  # a one-off invoice: packs are credited from their checkout session
    sub = _resolve(metadata=metadata, customer_id=customer_id, subscription_id=subscription_id)
    if sub is None:
        raise _Deferred(customer_id)
    ev.account_id = sub.account_id
    ev.save(update_fields=["account"])
    linked = _link_customer(sub, customer_id)
    line = _invoice_line(obj)
    plan = plan_for_price(_line_price(line)) or plan_get(metadata.get("plan"))
    if plan is None and sub.stripe_subscription_id == subscription_id:
        plan = plan_get(sub.plan_code)
    if plan is None or plan.is_free:
        raise ValueError(f"invoice {obj.get('id')} is for no known paid plan")
    period = line.get("period") or {}
    _subscription_state(sub, ev, plan_code=plan.code, stripe_subscription_id=subscription_id,
                        status=SubscriptionStatus.ACTIVE, current_period_start=_ts(period.get("start")),
                        current_period_end=_ts(period.get("end")))
    allowance_grant(account=sub.account, amount=plan.monthly_credits, reference=obj["id"],
                    description=f"{plan.name} plan monthly allowance")
    return linked


def _invoice_payment_failed(ev: StripeEvent, obj: dict) -> set:
    subscription_id, metadata = _invoice_subscription(obj)
    customer_id = _id(obj.get("customer"))
    if not subscription_id:
        return set()
    sub = _resolve(metadata=metadata, customer_id=customer_id, subscription_id=subscription_id)
    if sub is None:
        raise _Deferred(customer_id)
    ev.account_id = sub.account_id
    ev.save(update_fields=["account"])
    _subscription_state(sub, ev, stripe_subscription_id=subscription_id, status=SubscriptionStatus.PAST_DUE)
    return _link_customer(sub, customer_id)


def _subscription_changed(ev: StripeEvent, obj: dict) -> set:
    customer_id = _id(obj.get("customer"))
    metadata = obj.get("metadata") or {}
    sub = _resolve(metadata=metadata, customer_id=customer_id, subscription_id=obj.get("id") or "")
    if sub is None:
        raise _Deferred(customer_id)
    ev.account_id = sub.account_id
    ev.save(update_fields=["account"])
    items = (obj.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    plan = plan_for_price(_id(item.get("price"))) or plan_get(metadata.get("plan"))
    status = obj.get("status") or SubscriptionStatus.ACTIVE
    if ev.type == "customer.subscription.deleted":
        status = SubscriptionStatus.CANCELED
    if status not in SubscriptionStatus.values:
        status = SubscriptionStatus.INCOMPLETE
    _subscription_state(
        sub, ev, plan_code=plan.code if plan else None, stripe_subscription_id=obj.get("id") or None, status=status,
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")) if status != SubscriptionStatus.CANCELED else False,
        current_period_start=_ts(obj.get("current_period_start") or item.get("current_period_start")),
        current_period_end=_ts(obj.get("current_period_end") or item.get("current_period_end")),
    )
    return _link_customer(sub, customer_id)


HANDLERS = {
    "checkout.session.completed": _checkout_session,
    "checkout.session.async_payment_succeeded": _checkout_session,
    "invoice.paid": _invoice_paid,
    "invoice.payment_succeeded": None,  # same invoice as invoice.paid: counted there only
    "invoice.payment_failed": _invoice_payment_failed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
}
HANDLERS = {k: v for k, v in HANDLERS.items() if v is not None}


def stripe_events_sweep(*, older_than: int = 60, max_attempts: int = 5) -> int:
    """Queue again events still `received` (their task was lost) or `failed` (a few times)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    pks = list(
        StripeEvent.objects.filter(updated_at__lt=cutoff, attempts__lt=max_attempts,
                                   status__in=[StripeEventStatus.RECEIVED, StripeEventStatus.FAILED])
        .values_list("pk", flat=True)[:500]
    )
    for pk in pks:
        queue_apply(pk)
    return len(pks)
