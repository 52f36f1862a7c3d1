"""Staff grant/adjust credits in the admin: a ledger entry records who and why; balances and
entries are never editable in place."""
import pytest

from billing.models import CreditBalance, LedgerEntry
from billing.services import credits_balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    from accounts.models import User

    staff = User.objects.create_superuser(email="staff@example.com", password="x-staff-password-1")
    client.force_login(staff)
    client.staff = staff
    return client


def test_staff_grant_leaves_a_record_with_who_and_why(staff_client, owner):
    row = CreditBalance.objects.get(account=owner)
    url = f"/admin/billing/creditbalance/{row.pk}/adjust/"
    page = staff_client.get(url)
    assert page.status_code == 200 and b'data-testid="balance">100<' in page.content
    response = staff_client.post(url, {"amount": "25", "reason": "Support goodwill"})
    assert response.status_code == 302
    assert credits_balance(account=owner) == 125
    entry = LedgerEntry.objects.filter(account=owner).first()
    assert entry.kind == "adjustment" and entry.amount == 25 and entry.created_by == staff_client.staff
    assert "Support goodwill" in entry.description


def test_staff_removal_beyond_the_balance_changes_nothing(staff_client, owner):
    row = CreditBalance.objects.get(account=owner)
    url = f"/admin/billing/creditbalance/{row.pk}/adjust/"
    response = staff_client.post(url, {"amount": "-500", "reason": "oops"})
    assert response.status_code == 200 and b"Insufficient credits" in response.content
    assert credits_balance(account=owner) == 100 and LedgerEntry.objects.filter(account=owner).count() == 1
    assert staff_client.post(url, {"amount": "-40", "reason": "Chargeback"}).status_code == 302
    assert credits_balance(account=owner) == 60
    assert staff_client.post(url, {"amount": "5", "reason": ""}).status_code == 200  # a reason is required
    assert credits_balance(account=owner) == 60


def test_balances_and_entries_are_read_only_in_the_admin(staff_client, owner):
    row = CreditBalance.objects.get(account=owner)
    entry = LedgerEntry.objects.filter(account=owner).first()
    assert staff_client.get("/admin/billing/creditbalance/").status_code == 200
    assert b"owner@example.com" in staff_client.get("/admin/billing/creditbalance/").content
    assert staff_client.post(f"/admin/billing/creditbalance/{row.pk}/change/", {"balance": "9999"}).status_code == 403
    assert staff_client.post(f"/admin/billing/ledgerentry/{entry.pk}/change/", {"amount": "9999"}).status_code == 403
    assert staff_client.get("/admin/billing/ledgerentry/add/").status_code == 403
    assert staff_client.post(f"/admin/billing/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert credits_balance(account=owner) == 100


def test_non_staff_cannot_adjust(client, owner):
    client.force_login(owner)
    row = CreditBalance.objects.get(account=owner)
    response = client.post(f"/admin/billing/creditbalance/{row.pk}/adjust/", {"amount": "1000", "reason": "me"})
    assert response.status_code == 302 and "/admin/login" in response["Location"]
    assert credits_balance(account=owner) == 100
