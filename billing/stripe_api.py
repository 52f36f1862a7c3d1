"""Calls to Stripe's API: customers, Checkout Sessions, the billing portal. No call is made
inside a database transaction; none is made at all without STRIPE_SECRET_KEY."""
from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings

from billing.models import Subscription
from billing.plans import Pack, Plan, payments_enabled
from billing.services import subscription_of
from core.errors import ApiError

log = logging.getLogger(__name__)


class PaymentsNotConfigured(ApiError):
    status, code, message = 503, "PAYMENTS_NOT_CONFIGURED", "Payments are not configured on this server (no STRIPE_SECRET_KEY)."


class PaymentProviderError(ApiError):
    status, code, message = 502, "PAYMENT_PROVIDER_ERROR", "The payment provider could not be reached. Try again."


def client() -> stripe.StripeClient:
    if not payments_enabled():
        raise PaymentsNotConfigured()
    http_client = stripe.RequestsClient(timeout=settings.STRIPE_API_TIMEOUT) if _has_requests() else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=1,
        http_client=http_client,
    )


def _has_requests() -> bool:
    try:
        import requests  # noqa: F401
    except ImportError:
        return False
    return True


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        log.warning("billing: Stripe call failed: %s", exc)
        raise PaymentProviderError(extra={"providerMessage": getattr(exc, "user_message", None) or str(exc)[:200]})


def customer_ensure(*, account) -> str:
    """The account's Stripe customer id, created on first need (outside any transaction; a
    conditional update keeps the first one stored if two requests race)."""
    sub = subscription_of(account=account)
    if sub.stripe_customer_id:
        return sub.stripe_customer_id
    customer = _call(client().v1.customers.create, params={
        "email": account.email, "metadata": {"account_id": str(account.pk)},
    })
    Subscription.objects.filter(pk=sub.pk, stripe_customer_id="").update(stripe_customer_id=customer.id)
    sub.refresh_from_db(fields=["stripe_customer_id"])
    return sub.stripe_customer_id


def _line_item(*, price_id: str, name: str, amount: int, recurring: bool) -> dict:
    if price_id:
        return {"price": price_id, "quantity": 1}
    price_data = {"currency": settings.BILLING_CURRENCY, "unit_amount": amount, "product_data": {"name": name}}
    if recurring:
        price_data["recurring"] = {"interval": "month"}
    return {"price_data": price_data, "quantity": 1}


def checkout_session_create(*, account, pack: Pack | None = None, plan: Plan | None = None) -> str:
    """A Stripe Checkout Session for a credit pack (payment mode) or a plan (subscription
    mode). Returns its URL. Whose it is travels as client_reference_id and metadata (on the
    session, and on the subscription so its invoices carry it too)."""
    stripe_client = client()
    customer = customer_ensure(account=account)
    base = settings.PUBLIC_BASE_URL
    metadata = {"account_id": str(account.pk)}
    params: dict[str, Any] = {
        "customer": customer,
        "client_reference_id": str(account.pk),
        "success_url": f"{base}/render/billing?checkout=success",
        "cancel_url": f"{base}/render/billing?checkout=canceled",
    }
    if pack is not None:
        metadata.update(kind="pack", pack=pack.code, credits=str(pack.credits))
        params.update(
            mode="payment",
            line_items=[_line_item(price_id=pack.stripe_price_id, name=f"Audome · {pack.name}",
                                   amount=pack.price_cents, recurring=False)],
            payment_intent_data={"metadata": metadata},
        )
    else:
        assert plan is not None, "give a pack or a plan"
        metadata.update(kind="plan", plan=plan.code)
        params.update(
            mode="subscription",
            line_items=[_line_item(price_id=plan.stripe_price_id, name=f"Audome {plan.name}",
                                   amount=plan.price_cents, recurring=True)],
            subscription_data={"metadata": metadata},
        )
    params["metadata"] = metadata
    session = _call(stripe_client.v1.checkout.sessions.create, params=params)
    return session.url


def portal_session_create(*, account) -> str:
    stripe_client = client()
    customer = customer_ensure(account=account)
    session = _call(stripe_client.v1.billing_portal.sessions.create, params={
        "customer": customer, "return_url": f"{settings.PUBLIC_BASE_URL}/render/billing",
    })
    return session.url
