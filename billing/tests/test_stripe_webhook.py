"""POST /billing/stripe/webhook: real signed payloads verified by the real
stripe.Webhook.construct_event; stored once under Stripe's id; applied by a task."""
import time

import pytest

from billing.models import LedgerEntry, StripeEvent, StripeEventStatus, Subscription
from billing.plans import pack_get, plan_get
from billing.selectors import plan_of, usage_summary
from billing.services import credits_balance
from billing.tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


def deliver(client, body, **kwargs):
    return sh.post_event(client, body, **kwargs)


def test_paid_pack_checkout_adds_credits_once_even_when_delivered_again(stripe_settings, owner, anon, django_capture_on_commit_callbacks):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        pack = pack_get("pack-500")
        session = sh.checkout_session(account=owner, mode="payment", customer="cus_A1", pack=pack)
        body = sh.event("checkout.session.completed", session)
        with django_capture_on_commit_callbacks(execute=True):
            first = deliver(anon, body)
        assert first.status_code == 200 and first.json()["duplicate"] is False
        assert credits_balance(account=owner) == 100 + 500
        entry = LedgerEntry.objects.get(account=owner, kind="purchase")
        assert entry.amount == 500 and entry.reference == session["id"] and entry.balance_after == 600
        assert StripeEvent.objects.get(stripe_id=body["id"]).status == StripeEventStatus.PROCESSED
        # Stripe delivers the same event again: acknowledged, nothing new.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = deliver(anon, body)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert callbacks == []
        assert StripeEvent.objects.filter(stripe_id=body["id"]).count() == 1
        # A different event about the same session (e.g. async_payment_succeeded) doesn't pay twice either.
        with django_capture_on_commit_callbacks(execute=True):
            deliver(anon, sh.event("checkout.session.async_payment_succeeded", session))
        assert credits_balance(account=owner) == 600
        assert LedgerEntry.objects.filter(account=owner, kind="purchase").count() == 1
        # The customer is now linked to the account.
        assert Subscription.objects.get(account=owner).stripe_customer_id == "cus_A1"
    finally:
        app.conf.task_always_eager = False


def test_unpaid_checkout_adds_nothing_until_paid(stripe_settings, owner, anon, eager_tasks):
    pack = pack_get("pack-500")
    session = sh.checkout_session(account=owner, mode="payment", customer="cus_A2", pack=pack, payment_status="unpaid")
    assert eager_tasks(deliver, anon, sh.event("checkout.session.completed", session)).status_code == 200
    assert credits_balance(account=owner) == 100
    assert eager_tasks(deliver, anon, sh.event("checkout.session.async_payment_succeeded", {**session, "payment_status": "paid"})).status_code == 200
    assert credits_balance(account=owner) == 600


@pytest.mark.parametrize("signature", [
    "t=1,v1=" + "0" * 64,  # wrong signature and far too old
    "",  # missing
    "garbage",
])
def test_bad_signature_is_400_and_nothing_is_stored(stripe_settings, owner, anon, signature):
    session = sh.checkout_session(account=owner, mode="payment", customer="cus_B", pack=pack_get("pack-500"))
    response = deliver(anon, sh.event("checkout.session.completed", session), signature=signature)
    assert response.status_code == 400 and response.json()["success"] is False
    assert StripeEvent.objects.count() == 0 and credits_balance(account=owner) == 100


def test_signed_with_another_secret_or_tampered_is_400(stripe_settings, owner, anon):
    body = sh.event("checkout.session.completed", sh.checkout_session(account=owner, mode="payment", customer="cus_C", pack=pack_get("pack-500")))
    assert deliver(anon, body, secret="whsec_someone_else").status_code == 400
    import json

    payload = json.dumps(body).encode()
    signature = sh.sign(payload)
    tampered = payload.replace(b'"credits": "500"', b'"credits": "50000"')
    assert tampered != payload
    response = anon.post("/billing/stripe/webhook", data=tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
    assert response.status_code == 400
    stale = sh.sign(payload, timestamp=int(time.time()) - 3600)  # a replay older than the tolerance
    assert anon.post("/billing/stripe/webhook", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=stale).status_code == 400
    assert StripeEvent.objects.count() == 0 and credits_balance(account=owner) == 100


def test_without_webhook_secret_every_delivery_is_refused(settings, owner, anon):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = sh.event("checkout.session.completed", sh.checkout_session(account=owner, mode="payment", customer="cus_D", pack=pack_get("pack-500")))
    response = deliver(anon, body)
    assert response.status_code == 400 and "not configured" in response.json()["error"]
    assert StripeEvent.objects.count() == 0


def test_webhook_is_post_only_and_csrf_exempt(stripe_settings, anon):
    from django.test import Client

    assert anon.get("/billing/stripe/webhook").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    body = sh.event("ping.unknown", {"id": "x"})
    import json

    payload = json.dumps(body).encode()
    response = strict.post("/billing/stripe/webhook", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sh.sign(payload))
    assert response.status_code == 200


def _plan_flow_events(owner, *, customer="cus_P1", sub_id="sub_P1", base=None):
    base = base or int(time.time())
    plan = plan_get("starter")
    period = (base, base + 30 * 86400)
    session = sh.checkout_session(account=owner, mode="subscription", customer=customer, plan=plan, subscription=sub_id)
    inv = sh.invoice(customer=customer, subscription=sub_id, price_id="price_test_starter", period=period)
    return plan, period, session, inv


def test_plan_checkout_then_invoice_gives_the_plan_and_its_allowance_once(stripe_settings, owner, anon, eager_tasks):
    plan, period, session, inv = _plan_flow_events(owner)
    t = int(time.time())
    eager_tasks(deliver, anon, sh.event("checkout.session.completed", session, created=t))
    eager_tasks(deliver, anon, sh.event("invoice.paid", inv, created=t + 1))
    eager_tasks(deliver, anon, sh.event("invoice.paid", inv, created=t + 2))  # another event id, same invoice
    sub = Subscription.objects.get(account=owner)
    assert (sub.plan_code, sub.status, sub.stripe_subscription_id) == ("starter", "active", "sub_P1")
    assert int(sub.current_period_end.timestamp()) == period[1]
    assert credits_balance(account=owner) == 100 + plan.monthly_credits
    assert LedgerEntry.objects.filter(account=owner, kind="allowance", reference=inv["id"]).count() == 1
    assert plan_of(account=owner)["code"] == "starter"
    usage = usage_summary(account=owner)
    assert usage["monthlyLimit"] == plan.monthly_credits
    assert int(usage["billingCycleStart"].timestamp()) == period[0]


def test_out_of_order_invoice_before_checkout_ends_in_the_right_state(stripe_settings, owner, anon, eager_tasks):
    """The invoice arrives first and says nothing about whose it is (no metadata, unknown
    customer): it waits, and is applied as soon as the checkout session links the customer."""
    plan, period, session, inv = _plan_flow_events(owner, customer="cus_OOO", sub_id="sub_OOO")
    t = int(time.time())
    invoice_event = sh.event("invoice.paid", inv, created=t + 5)
    eager_tasks(deliver, anon, invoice_event)
    assert StripeEvent.objects.get(stripe_id=invoice_event["id"]).status == StripeEventStatus.DEFERRED
    assert credits_balance(account=owner) == 100 and plan_of(account=owner)["code"] == "free"
    # subscription.updated also before the checkout: waits too.
    updated = sh.event("customer.subscription.updated", sh.subscription(
        customer="cus_OOO", subscription_id="sub_OOO", price_id="price_test_starter", period=period), created=t + 3)
    eager_tasks(deliver, anon, updated)
    # Then the checkout session (older than both).
    eager_tasks(deliver, anon, sh.event("checkout.session.completed", session, created=t))
    assert StripeEvent.objects.get(stripe_id=invoice_event["id"]).status == StripeEventStatus.PROCESSED
    sub = Subscription.objects.get(account=owner)
    assert (sub.plan_code, sub.status, sub.stripe_customer_id) == ("starter", "active", "cus_OOO")
    assert int(sub.current_period_start.timestamp()) == period[0]
    assert credits_balance(account=owner) == 100 + plan.monthly_credits
    assert not StripeEvent.objects.filter(status=StripeEventStatus.DEFERRED).exists()


def test_cancellation_at_period_end_then_deleted_then_a_stale_update(stripe_settings, owner, anon, eager_tasks):
    plan, period, session, inv = _plan_flow_events(owner, customer="cus_X", sub_id="sub_X")
    t = int(time.time())
    eager_tasks(deliver, anon, sh.event("checkout.session.completed", session, created=t))
    eager_tasks(deliver, anon, sh.event("invoice.paid", inv, created=t + 1))
    eager_tasks(deliver, anon, sh.event("customer.subscription.updated", sh.subscription(
        customer="cus_X", subscription_id="sub_X", price_id="price_test_starter", cancel_at_period_end=True, period=period), created=t + 10))
    assert Subscription.objects.get(account=owner).cancel_at_period_end is True
    assert plan_of(account=owner)["cancelAtPeriodEnd"] is True and plan_of(account=owner)["code"] == "starter"
    eager_tasks(deliver, anon, sh.event("customer.subscription.deleted", sh.subscription(
        customer="cus_X", subscription_id="sub_X", price_id="price_test_starter", status="canceled", period=period), created=t + 20))
    # A late, older "updated" (active) must not bring the plan back.
    eager_tasks(deliver, anon, sh.event("customer.subscription.updated", sh.subscription(
        customer="cus_X", subscription_id="sub_X", price_id="price_test_starter", period=period), created=t + 15))
    sub = Subscription.objects.get(account=owner)
    assert sub.status == "canceled" and plan_of(account=owner)["code"] == "free"
    # Credits already granted stay.
    assert credits_balance(account=owner) == 100 + plan.monthly_credits


def test_plan_change_and_failed_payment(stripe_settings, owner, anon, eager_tasks):
    plan, period, session, inv = _plan_flow_events(owner, customer="cus_Y", sub_id="sub_Y")
    t = int(time.time())
    eager_tasks(deliver, anon, sh.event("checkout.session.completed", session, created=t))
    eager_tasks(deliver, anon, sh.event("customer.subscription.updated", sh.subscription(
        customer="cus_Y", subscription_id="sub_Y", price_id="price_test_pro", period=period), created=t + 5))
    assert plan_of(account=owner)["code"] == "pro"
    failed = {**inv, "id": "in_failed_1", "status": "open"}
    eager_tasks(deliver, anon, sh.event("invoice.payment_failed", failed, created=t + 6))
    sub = Subscription.objects.get(account=owner)
    assert sub.status == "past_due" and plan_of(account=owner)["code"] == "pro"  # grace while Stripe retries
    assert credits_balance(account=owner) == 100  # nothing granted for a failed invoice


def test_unknown_event_types_are_stored_and_acknowledged(stripe_settings, anon, eager_tasks):
    body = sh.event("customer.created", {"id": "cus_new", "object": "customer"})
    assert eager_tasks(deliver, anon, body).status_code == 200
    assert StripeEvent.objects.get(stripe_id=body["id"]).status == StripeEventStatus.PROCESSED


def test_renewal_invoice_adds_the_new_allowance_and_expires_what_was_left(stripe_settings, owner, anon, eager_tasks):
    from billing.services import credits_take

    plan, period, session, inv = _plan_flow_events(owner, customer="cus_R", sub_id="sub_R")
    t = int(time.time())
    eager_tasks(deliver, anon, sh.event("checkout.session.completed", session, created=t))
    eager_tasks(deliver, anon, sh.event("invoice.paid", inv, created=t + 1))
    credits_take(account=owner, amount=400, reference="gen_month1")
    renewal = sh.invoice(customer="cus_R", subscription="sub_R", price_id="price_test_starter",
                         period=(period[1], period[1] + 30 * 86400))
    eager_tasks(deliver, anon, sh.event("invoice.paid", renewal, created=t + 2))
    # 100 sign-up + 1000 − 400 used − 600 unused allowance expired + 1000 new allowance.
    assert credits_balance(account=owner) == 100 + 1000 - 400 - 600 + 1000
    sub = Subscription.objects.get(account=owner)
    assert int(sub.current_period_end.timestamp()) == period[1] + 30 * 86400


def test_sweeper_applies_an_event_whose_task_was_lost(stripe_settings, owner, anon, monkeypatch, django_capture_on_commit_callbacks):
    """The broker was down when the event arrived: it is stored, acknowledged, and the
    sweeper applies it later."""
    import datetime as dt

    from django.utils import timezone

    from billing import tasks
    from billing.stripe_events import stripe_events_sweep
    from config.celery import app

    monkeypatch.setattr(tasks.stripe_event_apply, "delay", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("broker down")))
    body = sh.event("checkout.session.completed", sh.checkout_session(account=owner, mode="payment", customer="cus_S", pack=pack_get("pack-500")))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(anon, body)
    assert response.status_code == 200 and len(callbacks) == 1  # queueing was tried, and failed quietly
    event = StripeEvent.objects.get(stripe_id=body["id"])
    assert event.status == StripeEventStatus.RECEIVED and credits_balance(account=owner) == 100
    StripeEvent.objects.filter(pk=event.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    monkeypatch.undo()
    app.conf.task_always_eager = True
    try:
        assert stripe_events_sweep() == 1
    finally:
        app.conf.task_always_eager = False
    assert StripeEvent.objects.get(pk=event.pk).status == StripeEventStatus.PROCESSED
    assert credits_balance(account=owner) == 600
