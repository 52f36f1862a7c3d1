"""The dashboard app shows one account across apps: /api/account, /api/account/usage, the
back office's credits column — and a new account's starting credits and token events arrive
through accounts' signals (billing and webhooks react; accounts imports neither)."""
import pytest
from django.test import Client

from accounts.services import token_create, token_revoke, user_create
from billing.services import credits_balance
from conftest import client_for
from webhooks.models import Event


def test_account_api_names_the_token_its_credits_and_plan(owner):
    token, plain = token_create(account=owner, name="Server", scope="read-only")
    body = Client().get("/api/account", HTTP_AUTHORIZATION=f"Bearer {plain}").json()
    assert body["user"]["email"] == owner.email
    assert body["token"] == {"id": token.pk, "name": "Server", "scope": "read-only"}
    assert body["credits"]["balance"] == credits_balance(account=owner) == 100
    assert body["plan"]["code"]


def test_usage_puts_billing_and_rendering_side_by_side(api):
    body = api.get("/api/account/usage").json()
    assert body["success"] is True and body["pendingRenders"] == 0 and body["avgRenderMs"] is None
    assert {"monthlyLimit", "monthlyUsed", "creditsBalance", "billingCycleStart", "billingCycleEnd"} <= set(body)


def test_a_session_is_named_by_its_kind(owner):
    client = Client()
    client.force_login(owner)
    assert client.get("/api/account").json()["token"] == {"id": None, "name": "session", "scope": "full-access"}


def test_outsiders_see_their_own_account_only(owner, outsider):
    body = client_for(outsider).get("/api/account").json()
    assert body["user"]["email"] == outsider.email and owner.email not in str(body)


@pytest.mark.django_db
def test_sign_up_credits_come_from_billing_and_token_events_from_webhooks(settings):
    settings.FREE_PLAN_STARTING_CREDITS = 7
    user = user_create(email="new@example.com", password="correct horse battery staple")
    assert credits_balance(account=user) == 7
    assert credits_balance(account=user_create(email="zero@example.com", password=None, starting_credits=0)) == 0
    token, _ = token_create(account=user, name="CI")
    token_revoke(account=user, token_id=token.pk)
    types = list(Event.objects.filter(account=user).order_by("created_at").values_list("type", flat=True))
    assert types == ["token.created", "token.revoked"]


@pytest.mark.django_db
def test_the_back_office_account_page_shows_the_credits(owner):
    staff = user_create(email="staff@example.com", password="correct horse battery staple")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/accounts/user/").content.decode()
    detail = client.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()
    assert "Credits" in listing and "grant or adjust" in detail and "100" in detail
