"""The back office: accounts and tokens are browsable by staff, a token's secret or hash never
shows, and revoking from the admin really revokes (through the service)."""
import pytest
from django.test import Client

from accounts.models import ApiToken, User
from accounts.services import token_create
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return User.objects.create_superuser(email="staff@example.com", password="staff-pass-1234")


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_admin_is_branded_and_refuses_framing(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert "Audome back office" in response.content.decode()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_accounts_list_and_detail_show_credits_and_tokens_without_secrets(staff_client, owner):
    token, plain = token_create(account=owner, name="Server", scope="render-only")
    listing = staff_client.get("/admin/accounts/user/")
    assert listing.status_code == 200 and "owner@example.com" in listing.content.decode()
    detail = staff_client.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()
    assert "Server" in detail and token.prefix in detail
    assert plain not in detail and token.token_hash not in detail
    for url in ["/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"]:
        page = staff_client.get(url).content.decode()
        assert f"aud_{token.prefix}" in page
        assert plain not in page and token.token_hash not in page


def test_revoke_action_revokes_and_sends_the_event(staff_client, owner):
    token, plain = token_create(account=owner, name="Leaked", scope="full-access")
    response = staff_client.post("/admin/accounts/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(account=owner, type="token.revoked").count() == 1
    assert Client().get("/api/account", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_non_staff_are_kept_out(owner):
    client = Client()
    client.force_login(owner)
    assert client.get("/admin/accounts/apitoken/").status_code == 302
    assert ApiToken.objects.count() == 0
