"""/render/billing in real headless Chromium (Debian's), English and Arabic (RTL), light and
dark: balance, plan, cycle, the 30-day chart, the ledger with pagination, buy buttons going to
Stripe Checkout (recorded Stripe answers), and the "payments not configured" state."""
import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from billing.models import LedgerEntry
from billing.services import credits_balance, credits_take
from billing.tests.stripe_helpers import RecordedStripe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
RECORDED = Path(__file__).parent / "recorded"


def _history(account):
    """Renders spread over the last days (the chart) and enough entries for two ledger pages."""
    for i in range(24):
        credits_take(account=account, amount=1 + i % 3, reference=f"gen_hist_{i}", description="Render")
    now = timezone.now()
    entries = list(LedgerEntry.objects.filter(account=account).order_by("id"))
    for n, entry in enumerate(entries):  # spread over 28 days, in the order they were made
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=now - dt.timedelta(hours=(len(entries) - n) * 27))


@pytest.mark.parametrize("language,theme", [("en", "light"), ("ar", "dark")])
def test_billing_page_in_both_languages(open_page, shot, settings, language, theme):
    from conftest import make_account

    settings.STRIPE_SECRET_KEY = ""
    account = make_account(f"billing-{language}@example.com", credits=200)
    _history(account)
    page = open_page("/render/billing", account=account, language=language, theme=theme)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator("html").get_attribute("lang") == language
    balance = credits_balance(account=account)
    assert page.get_by_test_id("balance").inner_text() == str(balance)
    assert page.get_by_test_id("plan-name").inner_text() == ("المجانية" if language == "ar" else "Free")
    bars = page.locator("[data-testid=usage-chart] rect.bar")
    assert bars.count() == 30
    used = sum(int(bars.nth(i).get_attribute("data-used")) for i in range(30))
    assert used == 200 - balance
    rows = page.locator("[data-testid=ledger] tbody tr")
    assert rows.count() == 20
    # Payments not configured: said plainly, buy buttons disabled.
    notice = page.get_by_test_id("payments-not-configured")
    assert notice.is_visible()
    if language == "ar":
        assert "لم يتم إعداد المدفوعات" in notice.inner_text()
        assert page.locator("h1").inner_text() == "الفوترة"
    else:
        assert "Payments are not configured" in notice.inner_text()
    assert page.get_by_test_id("buy-pack-500").is_disabled() and page.get_by_test_id("manage-billing").is_disabled()
    shot(page, f"billing-{language}-{theme}")
    page.get_by_test_id("ledger-next").click()
    page.wait_for_url("**page=2**")
    assert page.locator("[data-testid=ledger] tbody tr").count() == 5  # 24 charges + the grant = 25
    assert page.errors == [] and page.console_errors == []


def test_buy_button_goes_to_stripe_checkout(open_page, shot, settings):
    from conftest import make_account

    with RecordedStripe() as stripe_server:
        settings.STRIPE_SECRET_KEY = "sk_test_browser"
        settings.STRIPE_API_BASE = stripe_server.base
        session = json.loads((RECORDED / "checkout_session_payment.json").read_text())
        session["url"] = "about:blank#stripe-checkout"
        stripe_server.route("POST", "/v1/customers", json.loads((RECORDED / "customer.json").read_text()))
        stripe_server.route("POST", "/v1/checkout/sessions", session)
        account = make_account("billing-buy@example.com", credits=5)
        page = open_page("/render/billing", account=account, language="en", theme="light")
        assert page.get_by_test_id("payments-not-configured").count() == 0
        shot(page, "billing-en-payments-enabled")
        page.get_by_test_id("buy-pack-2500").click()
        page.wait_for_url("about:blank#stripe-checkout")
        params = stripe_server.requests[-1]["params"]
        assert params["metadata[pack]"] == "pack-2500" and params["client_reference_id"] == str(account.pk)
