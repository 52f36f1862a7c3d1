"""Stripe customers against localstripe (a local Stripe API emulator from PyPI), through the
official stripe library: the account's customer is created once, with its email and our
account id, and its id is stored."""
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe

from billing.models import Subscription
from billing.stripe_api import customer_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def localstripe(stripe_settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = Path(sys.executable).with_name("localstripe")
    proc = subprocess.Popen([str(binary), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    stripe_settings.STRIPE_API_BASE = base
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_customer_is_created_once_and_stored(owner, localstripe, settings):
    customer_id = customer_ensure(account=owner)
    assert customer_id.startswith("cus_")
    assert Subscription.objects.get(account=owner).stripe_customer_id == customer_id
    assert customer_ensure(account=owner) == customer_id  # stored: no second customer
    client = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": localstripe})
    customer = client.v1.customers.retrieve(customer_id)
    assert customer.email == "owner@example.com" and customer.metadata["account_id"] == str(owner.pk)


def test_a_provider_error_is_a_clear_502_and_changes_nothing(api, owner, localstripe):
    # localstripe has no billing portal: Stripe answering an error must not crash anything.
    response = api.post("/api/billing/portal")
    assert response.status_code == 502 and response.json()["code"] == "PAYMENT_PROVIDER_ERROR"
    # The customer it created on the way is kept for next time.
    assert Subscription.objects.get(account=owner).stripe_customer_id.startswith("cus_")
