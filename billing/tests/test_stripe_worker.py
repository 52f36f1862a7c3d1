"""End to end with a REAL Celery worker on the default queue: the webhook only verifies,
stores and acknowledges; the worker applies the event."""
import time

import pytest

from billing.models import StripeEvent, StripeEventStatus
from billing.plans import pack_get
from billing.services import credits_balance
from billing.tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_worker_applies_a_paid_checkout_once(transactional_db, stripe_settings, celery_worker_factory):
    from conftest import JsonClient, make_account

    account = make_account("worker-billing@example.com", credits=10)
    celery_worker_factory(queues="default", env={"STRIPE_PRICE_STARTER": "price_test_starter"})
    client = JsonClient()
    body = sh.event("checkout.session.completed", sh.checkout_session(
        account=account, mode="payment", customer="cus_W1", pack=pack_get("pack-500")))
    response = sh.post_event(client, body)
    assert response.status_code == 200 and response.json()["duplicate"] is False
    assert wait_for(lambda: StripeEvent.objects.get(stripe_id=body["id"]).status == StripeEventStatus.PROCESSED)
    assert credits_balance(account=account) == 510
    again = sh.post_event(client, body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    time.sleep(1)
    assert credits_balance(account=account) == 510 and StripeEvent.objects.filter(stripe_id=body["id"]).count() == 1
