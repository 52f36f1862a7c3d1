"""The ledger: GET /api/billing/ledger, credits.exhausted, staff adjustments, allowances, usage."""
import datetime as dt

import pytest
from django.utils import timezone

from billing.models import CreditBalance, LedgerEntry
from billing.selectors import usage_summary
from billing.services import allowance_grant_due, credits_add, credits_balance, credits_take
from billing.tasks import allowances_grant
from core.errors import InsufficientCredits

pytestmark = pytest.mark.django_db


def test_ledger_lists_my_entries_newest_first_in_camel_case(api, owner):
    credits_take(account=owner, amount=3, reference="gen_abc", description="Render")
    credits_add(account=owner, amount=1, kind="refund", reference="gen_abc", description="Refund")
    body = api.get("/api/billing/ledger").json()
    assert body["success"] is True and body["balance"] == 98
    first = body["entries"][0]
    assert set(first) == {"id", "kind", "amount", "balanceAfter", "description", "reference", "createdAt"}
    assert [(e["kind"], e["amount"], e["balanceAfter"]) for e in body["entries"]] == [
        ("refund", 1, 98), ("charge", -3, 97), ("grant", 100, 100)]
    assert first["reference"] == "gen_abc" and first["createdAt"].endswith("Z")
    assert body["pagination"] == {"page": 1, "limit": 50, "totalCount": 3, "totalPages": 1, "hasNext": False}


def test_ledger_pagination_and_bad_query(api, owner):
    for i in range(5):
        credits_take(account=owner, amount=1, reference=f"gen_{i}")
    page = api.get("/api/billing/ledger?page=2&limit=2").json()
    assert len(page["entries"]) == 2 and page["pagination"]["totalCount"] == 6 and page["pagination"]["hasNext"] is True
    assert page["entries"][0]["reference"] == "gen_2"
    for query in ("limit=101", "limit=0", "page=0", "page=x"):
        response = api.get(f"/api/billing/ledger?{query}")
        assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"


def test_outsider_never_sees_my_ledger(api, outsider_api, owner, outsider):
    credits_take(account=owner, amount=7, reference="gen_secret")
    theirs = outsider_api.get("/api/billing/ledger").json()
    assert all(e["reference"] != "gen_secret" for e in theirs["entries"])
    assert theirs["balance"] == 100 and theirs["pagination"]["totalCount"] == 1
    assert credits_balance(account=owner) == 93


def test_anonymous_gets_401(anon):
    assert anon.get("/api/billing/ledger").json()["code"] == "UNAUTHORIZED"
    assert anon.post("/api/billing/checkout", {"pack": "pack-500"}).json()["code"] == "UNAUTHORIZED"


def test_ledger_entries_are_append_only(owner):
    entry = LedgerEntry.objects.filter(account=owner).first()
    entry.amount = 1_000_000
    with pytest.raises(ValueError):
        entry.save()


def test_credits_exhausted_is_emitted_once_per_exhaustion(owner, django_capture_on_commit_callbacks):
    from webhooks.models import Event

    credits_take(account=owner, amount=99)
    assert Event.objects.filter(account=owner, type="credits.exhausted").count() == 0
    credits_take(account=owner, amount=1, reference="gen_last")
    events = list(Event.objects.filter(account=owner, type="credits.exhausted"))
    assert len(events) == 1
    assert events[0].data["balance"] == 0 and events[0].data["reference"] == "gen_last"
    assert events[0].data["plan"]["code"] == "free"
    with pytest.raises(InsufficientCredits):
        credits_take(account=owner, amount=1)
    assert Event.objects.filter(account=owner, type="credits.exhausted").count() == 1
    # Back above zero, then down again: a new exhaustion, a new event.
    credits_add(account=owner, amount=2, kind="grant")
    assert CreditBalance.objects.get(account=owner).exhausted_at is None
    credits_take(account=owner, amount=1)
    assert Event.objects.filter(account=owner, type="credits.exhausted").count() == 1
    credits_take(account=owner, amount=1)
    assert Event.objects.filter(account=owner, type="credits.exhausted").count() == 2


def test_exhausted_event_reaches_a_subscribed_endpoint(owner, settings):
    from webhooks.models import Delivery, WebhookEndpoint

    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    endpoint = WebhookEndpoint.objects.create(account=owner, url="https://hooks.example.com/a", events=["credits.exhausted"])
    credits_take(account=owner, amount=100)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event.type == "credits.exhausted"


def test_a_staff_removal_down_to_zero_is_an_exhaustion_too(owner):
    from webhooks.models import Event

    credits_take(account=owner, amount=100, kind="adjustment", description="spent")
    assert Event.objects.filter(account=owner, type="credits.exhausted").count() == 1


def test_free_allowance_is_granted_once_per_cycle(owner):
    # The sign-up grant is the first cycle's allowance.
    assert allowance_grant_due(account=owner) is None
    owner.date_joined = timezone.now() - dt.timedelta(days=40)
    owner.save(update_fields=["date_joined"])
    assert allowances_grant() >= 1
    assert credits_balance(account=owner) == 150
    assert allowances_grant() == 0 and allowance_grant_due(account=owner) is None
    assert LedgerEntry.objects.filter(account=owner, kind="allowance").count() == 1
    # Next cycle: again, once.
    later = timezone.now() + dt.timedelta(days=31)
    assert allowance_grant_due(account=owner, now=later) == 150  # the unused 50 expired, 50 new
    assert allowance_grant_due(account=owner, now=later) is None


def test_paid_plans_get_no_free_allowance(owner):
    from billing.models import Subscription

    owner.date_joined = timezone.now() - dt.timedelta(days=40)
    owner.save(update_fields=["date_joined"])
    Subscription.objects.create(account=owner, plan_code="starter", status="active")
    assert allowance_grant_due(account=owner) is None


def test_usage_comes_from_the_ledger(api, owner):
    credits_take(account=owner, amount=5, reference="gen_1")
    credits_take(account=owner, amount=2, reference="gen_2")
    credits_add(account=owner, amount=1, kind="refund", reference="gen_2")
    credits_take(account=owner, amount=10, kind="adjustment", description="staff removal")  # not usage
    usage = usage_summary(account=owner)
    assert usage["monthlyUsed"] == 6 and usage["monthlyLimit"] == 50 and usage["monthlyRemaining"] == 44
    body = api.get("/api/account/usage").json()
    assert body["monthlyUsed"] == 6 and body["creditsBalance"] == 84
    account = api.get("/api/account").json()
    assert account["plan"] == {"code": "free", "name": "Free"} and account["credits"]["balance"] == 84


def test_billing_page_needs_a_login_and_shows_only_my_ledger(client, owner, outsider):
    response = client.get("/render/billing")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    credits_take(account=outsider, amount=1, reference="gen_outsider_only")
    credits_take(account=owner, amount=2, reference="gen_owner_only")
    client.force_login(owner)
    html = client.get("/render/billing").content.decode()
    assert "gen_owner_only" in html and "gen_outsider_only" not in html
    assert 'data-testid="balance">98<' in html


def test_unused_allowance_expires_at_the_next_cycle_but_packs_stay(owner):
    owner.date_joined = timezone.now() - dt.timedelta(days=40)
    owner.save(update_fields=["date_joined"])
    assert allowance_grant_due(account=owner) == 150  # sign-up 100 + allowance 50
    credits_take(account=owner, amount=20, reference="gen_a")
    credits_add(account=owner, amount=500, kind="purchase", reference="cs_pack_1", description="pack")
    later = timezone.now() + dt.timedelta(days=31)
    # 30 of the 50 allowance were left: they expire, then the new 50 arrive; the pack stays.
    assert allowance_grant_due(account=owner, now=later) == 150 - 20 + 500 - 30 + 50
    expiry = LedgerEntry.objects.get(account=owner, kind="expiry")
    assert expiry.amount == -30 and expiry.reference.startswith("allowance:")
    assert allowance_grant_due(account=owner, now=later) is None
    assert LedgerEntry.objects.filter(account=owner, kind="expiry").count() == 1


def test_allowance_can_roll_over_by_setting(owner, settings):
    settings.BILLING_ALLOWANCE_ROLLOVER = True
    owner.date_joined = timezone.now() - dt.timedelta(days=40)
    owner.save(update_fields=["date_joined"])
    allowance_grant_due(account=owner)
    assert allowance_grant_due(account=owner, now=timezone.now() + dt.timedelta(days=31)) == 200
    assert not LedgerEntry.objects.filter(account=owner, kind="expiry").exists()


def test_billing_page_of_a_subscriber_cancelling_at_period_end(client, owner, settings):
    from billing.models import Subscription

    settings.STRIPE_SECRET_KEY = "sk_test_page"
    end = timezone.now() + dt.timedelta(days=12)
    Subscription.objects.create(account=owner, plan_code="starter", status="past_due", stripe_customer_id="cus_page",
                                stripe_subscription_id="sub_page", current_period_start=end - dt.timedelta(days=30),
                                current_period_end=end, cancel_at_period_end=True)
    client.force_login(owner)
    html = client.get("/render/billing?checkout=success").content.decode()
    assert 'data-testid="plan-name">Starter<' in html
    assert 'data-testid="past-due"' in html and 'data-testid="cancels"' in html
    assert 'data-testid="checkout-success"' in html and 'data-testid="payments-not-configured"' not in html
    assert 'data-testid="plan-starter"' in html and "data-portal" in html  # manage in the portal, no second checkout
    assert 'data-checkout="plan"' not in html
