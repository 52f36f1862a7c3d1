"""GET /api/account/plan: plan, cycle, allowance used and left, next reset — the caller's own."""
import pytest
from django.utils.dateparse import parse_datetime

from billing.selectors import billing_cycle
from billing.services import credits_take

pytestmark = pytest.mark.django_db


def test_plan_shows_the_free_plan_cycle_and_usage(api, owner, outsider_api):
    credits_take(account=owner, amount=3, description="three renders")
    r = api.get("/api/account/plan")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["plan"]["code"] == "free" and body["subscription"]["status"] == "active"
    monthly = body["plan"]["monthlyCredits"]
    assert body["allowance"] == {"monthly": monthly, "used": 3, "remaining": max(0, monthly - 3)}
    assert body["creditsBalance"] == 97
    start, end = billing_cycle(account=owner)
    assert parse_datetime(body["cycle"]["start"]) == start and parse_datetime(body["cycle"]["end"]) == end
    assert body["nextResetAt"] == body["cycle"]["end"]
    # The outsider's figures are its own.
    theirs = outsider_api.get("/api/account/plan").json()
    assert theirs["allowance"]["used"] == 0 and theirs["creditsBalance"] == 100


def test_plan_needs_a_token(anon, owner):
    from conftest import client_for

    assert anon.get("/api/account/plan").json()["code"] == "UNAUTHORIZED"
    assert client_for(owner, "read-only").get("/api/account/plan").status_code == 200
