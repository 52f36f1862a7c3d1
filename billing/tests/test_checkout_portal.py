"""POST /api/billing/checkout and /api/billing/portal with the official stripe library, its
HTTP calls answered at the edge by a local server replaying recorded Stripe API responses."""
import json
from pathlib import Path

import pytest

from billing.models import Subscription
from billing.tests.stripe_helpers import RecordedStripe

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


@pytest.fixture
def fake_stripe(stripe_settings):
    with RecordedStripe() as server:
        stripe_settings.STRIPE_API_BASE = server.base
        server.route("POST", "/v1/customers", recorded("customer"))
        server.route("POST", "/v1/checkout/sessions", recorded("checkout_session_payment"))
        server.route("POST", "/v1/billing_portal/sessions", recorded("billing_portal_session"))
        yield server


def test_pack_checkout_creates_a_payment_session_for_the_account(api, owner, fake_stripe):
    response = api.post("/api/billing/checkout", {"pack": "pack-500"})
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True, "checkoutUrl": recorded("checkout_session_payment")["url"]}
    customer_call, session_call = fake_stripe.requests
    assert customer_call["path"] == "/v1/customers" and customer_call["params"]["email"] == "owner@example.com"
    assert customer_call["params"]["metadata[account_id]"] == str(owner.pk)
    assert customer_call["headers"]["Authorization"] == "Bearer sk_test_billing"
    params = session_call["params"]
    assert session_call["path"] == "/v1/checkout/sessions"
    assert params["mode"] == "payment" and params["client_reference_id"] == str(owner.pk)
    assert params["customer"] == "cus_RecTest0001"
    assert params["metadata[account_id]"] == str(owner.pk) and params["metadata[pack]"] == "pack-500"
    assert params["metadata[credits]"] == "500"
    assert params["line_items[0][price_data][unit_amount]"] == "900" and params["line_items[0][quantity]"] == "1"
    assert params["success_url"].endswith("/render/billing?checkout=success")
    assert Subscription.objects.get(account=owner).stripe_customer_id == "cus_RecTest0001"
    # A second checkout reuses the stored customer.
    assert api.post("/api/billing/checkout", {"pack": "pack-2500"}).status_code == 200
    assert [r["path"] for r in fake_stripe.requests].count("/v1/customers") == 1


def test_plan_checkout_is_a_subscription_session_with_the_price_id(api, owner, fake_stripe):
    fake_stripe.route("POST", "/v1/checkout/sessions", recorded("checkout_session_subscription"))
    response = api.post("/api/billing/checkout", {"plan": "starter"})
    assert response.status_code == 200
    assert response.json()["checkoutUrl"] == recorded("checkout_session_subscription")["url"]
    params = fake_stripe.requests[-1]["params"]
    assert params["mode"] == "subscription" and params["line_items[0][price]"] == "price_test_starter"
    assert params["subscription_data[metadata][account_id]"] == str(owner.pk)
    assert params["subscription_data[metadata][plan]"] == "starter" and params["metadata[plan]"] == "starter"


@pytest.mark.parametrize("body,field", [
    ({}, "pack"), ({"pack": "pack-500", "plan": "starter"}, "pack"), ({"pack": "nope"}, "pack"),
    ({"plan": "free"}, "plan"), ({"plan": "platinum"}, "plan"), ({"pack": 12345678901234567890 * 10**50}, "pack"),
])
def test_bad_checkout_bodies_are_400_and_call_nothing(api, fake_stripe, body, field):
    response = api.post("/api/billing/checkout", body)
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"
    assert field in response.json().get("details", {}) or response.json()["details"]
    assert fake_stripe.requests == []


def test_a_subscriber_is_sent_to_the_portal_instead_of_a_second_subscription(api, owner, fake_stripe):
    Subscription.objects.create(account=owner, plan_code="starter", status="active", stripe_customer_id="cus_x")
    response = api.post("/api/billing/checkout", {"plan": "pro"})
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert fake_stripe.requests == []


def test_portal_returns_the_session_url(api, owner, fake_stripe):
    response = api.post("/api/billing/portal")
    assert response.status_code == 200
    assert response.json() == {"success": True, "url": recorded("billing_portal_session")["url"]}
    call = fake_stripe.requests[-1]
    assert call["path"] == "/v1/billing_portal/sessions" and call["params"]["customer"] == "cus_RecTest0001"
    assert call["params"]["return_url"].endswith("/render/billing")


def test_stripe_errors_become_a_clear_502(api, fake_stripe):
    fake_stripe.route("POST", "/v1/checkout/sessions", recorded("error_card_declined"), status=400)
    response = api.post("/api/billing/checkout", {"pack": "pack-500"})
    assert response.status_code == 502 and response.json()["code"] == "PAYMENT_PROVIDER_ERROR"
    assert "No such price" in response.json()["providerMessage"]


def test_without_stripe_key_checkout_and_portal_say_so(api, settings):
    settings.STRIPE_SECRET_KEY = ""
    for path, body in (("/api/billing/checkout", {"pack": "pack-500"}), ("/api/billing/portal", None)):
        response = api.post(path, body)
        assert response.status_code == 503 and response.json()["code"] == "PAYMENTS_NOT_CONFIGURED"
        assert "not configured" in response.json()["error"]
    plans = api.get("/api/billing/plans").json()
    assert plans["paymentsEnabled"] is False and plans["subscription"]["plan"] == "free"


def test_scopes_and_embed_tokens(owner, fake_stripe):
    from conftest import client_for

    read_only = client_for(owner, "read-only")
    assert read_only.post("/api/billing/checkout", {"pack": "pack-500"}).json()["code"] == "FORBIDDEN"
    assert read_only.post("/api/billing/portal").json()["code"] == "FORBIDDEN"
    assert read_only.get("/api/billing/ledger").status_code == 200
    full = client_for(owner)
    session = full.post("/api/embed/sessions", {})
    assert session.status_code in (200, 201), session.content
    from conftest import JsonClient

    embed = JsonClient()
    embed.credentials(HTTP_AUTHORIZATION=f"Bearer {session.json()['token']}")
    for method, path in (("post", "/api/billing/checkout"), ("post", "/api/billing/portal"), ("get", "/api/billing/ledger"),
                         ("get", "/api/account/plan")):
        response = getattr(embed, method)(path, {"pack": "pack-500"} if method == "post" else None)
        assert response.status_code in (401, 403), (path, response.status_code)
    assert fake_stripe.requests == []
