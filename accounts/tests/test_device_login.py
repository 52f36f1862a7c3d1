"""Device-code login (RFC 8628): the app's two endpoints and the approval page, through Django's
test client. The whole flow in a real browser is in tests/browser/test_device_login.py."""
import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.device import USER_CODE_ALPHABET
from accounts.models import ApiToken, DeviceAuthorization
from core.redis import get_redis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    redis = get_redis()
    for key in redis.scan_iter("audome:rl:device-*"):
        redis.delete(key)
    yield


def request_code(anon, **body):
    return anon.post("/api/auth/device/code", {"appName": "Audome CLI", "appType": "cli", "appVersion": "1.2.3", **body})


def poll(anon, device_code):
    return anon.post("/api/auth/device/token", {"deviceCode": device_code})


def page_client(account):
    client = Client()
    client.force_login(account)
    return client


def rewind_poll(device_code_row, seconds=30):
    DeviceAuthorization.objects.filter(pk=device_code_row.pk).update(
        last_polled_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_code_request_answers_the_pair_and_stores_only_digests(anon):
    r = request_code(anon)
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"success", "deviceCode", "userCode", "verificationUrl", "expiresIn", "interval"}
    assert body["expiresIn"] == 600 and body["interval"] == 5
    assert re.fullmatch(f"[{USER_CODE_ALPHABET}]{{4}}-[{USER_CODE_ALPHABET}]{{4}}", body["userCode"])
    assert body["verificationUrl"].endswith(f"/render/device?code={body['userCode']}")
    row = DeviceAuthorization.objects.get()
    assert row.app_name == "Audome CLI" and row.app_type == "cli" and row.app_version == "1.2.3"
    stored = " ".join(str(v) for v in DeviceAuthorization.objects.values().get().values())
    assert body["deviceCode"] not in stored and body["userCode"] not in stored
    assert body["userCode"].replace("-", "") not in stored


def test_code_request_needs_an_app_name_and_json(anon):
    r = anon.post("/api/auth/device/code", {"appType": "cli"})
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED" and "appName" in r.json()["details"]
    r = anon.post("/api/auth/device/code", "appName=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert DeviceAuthorization.objects.count() == 0


@override_settings(DEVICE_CODE_REQUESTS_PER_HOUR=3)
def test_code_requests_are_limited_per_ip(anon):
    for _ in range(3):
        assert request_code(anon).status_code == 200
    r = request_code(anon)
    assert r.status_code == 429 and r.json()["code"] == "RATE_LIMITED" and int(r["Retry-After"]) > 0
    assert DeviceAuthorization.objects.count() == 3
    other_ip = anon.post("/api/auth/device/code", {"appName": "x"}, content_type="application/json",
                         REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200


def test_full_flow_pending_then_approved_then_single_use(anon, owner):
    body = request_code(anon).json()
    row = DeviceAuthorization.objects.get()
    r = poll(anon, body["deviceCode"])
    assert r.status_code == 400 and r.json()["error"] == "authorization_pending"
    assert r.json()["code"] == "AUTHORIZATION_PENDING" and r.json()["interval"] == 5 and r.json()["requestId"]

    page = page_client(owner).get(f"/render/device?code={body['userCode']}")
    assert page.status_code == 200
    assert b"Audome CLI" in page.content and body["userCode"].encode() in page.content
    decided = page_client(owner).post("/render/device", {"code": body["userCode"].lower().replace("-", " "),
                                                          "scope": "read-only", "action": "approve"})
    assert decided.status_code == 200 and b'data-testid="device-approved"' in decided.content
    assert ApiToken.objects.filter(account=owner).count() == 0  # minted when the app collects it

    rewind_poll(row)
    r = poll(anon, body["deviceCode"])
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert r.json()["tokenData"]["name"] == "Audome CLI" and r.json()["tokenData"]["scope"] == "read-only"
    me = anon.get("/api/account", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["user"]["email"] == owner.email
    assert me.json()["token"]["scope"] == "read-only"
    # Read-only really is read-only.
    denied = anon.post("/api/tokens", {"name": "x"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert denied.status_code == 403

    rewind_poll(row)
    again = poll(anon, body["deviceCode"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert ApiToken.objects.filter(account=owner).count() == 1
    # The page no longer takes the code either.
    late = page_client(owner).get(f"/render/device?code={body['userCode']}")
    assert b'data-testid="device-error"' in late.content


def test_polling_too_fast_slows_down_by_five_seconds(anon):
    body = request_code(anon).json()
    assert poll(anon, body["deviceCode"]).json()["error"] == "authorization_pending"
    r = poll(anon, body["deviceCode"])
    assert r.status_code == 400 and r.json()["error"] == "slow_down" and r.json()["interval"] == 10
    r = poll(anon, body["deviceCode"])
    assert r.json()["error"] == "slow_down" and r.json()["interval"] == 15
    assert DeviceAuthorization.objects.get().interval == 15


def test_denied_and_expired_and_unknown(anon, owner):
    denied = request_code(anon).json()
    r = page_client(owner).post("/render/device", {"code": denied["userCode"], "action": "deny"})
    assert b'data-testid="device-denied"' in r.content
    assert poll(anon, denied["deviceCode"]).json()["error"] == "access_denied"

    expired = request_code(anon).json()
    DeviceAuthorization.objects.filter(status="pending").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert poll(anon, expired["deviceCode"]).json()["error"] == "expired_token"
    r = page_client(owner).post("/render/device", {"code": expired["userCode"], "scope": "full-access",
                                                    "action": "approve"})
    assert r.status_code == 400 and b'data-testid="device-error"' in r.content
    assert DeviceAuthorization.objects.filter(status="approved").count() == 0

    r = poll(anon, "audev_nope")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert ApiToken.objects.count() == 0


def test_page_needs_login_and_a_bearer_token_does_not_log_in(anon):
    r = Client().get("/render/device?code=BCDF-GHJK")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")


def test_approval_refused_at_the_token_cap(anon, owner, settings):
    settings.MAX_ACTIVE_TOKENS = 1
    from accounts.services import token_create

    token_create(account=owner, name="existing")
    body = request_code(anon).json()
    r = page_client(owner).post("/render/device", {"code": body["userCode"], "scope": "read-only", "action": "approve"})
    assert b'data-testid="device-confirm"' in r.content and b'data-testid="device-error"' in r.content
    assert DeviceAuthorization.objects.get().status == "pending"


@override_settings(DEVICE_CODE_LOOKUPS_PER_HOUR=3)
def test_guessing_codes_on_the_page_is_limited(owner):
    client = page_client(owner)
    for guess in ("BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"):
        assert client.get(f"/render/device?code={guess}").status_code == 400
    assert client.get("/render/device?code=FFFF-FFFF").status_code == 429


def test_arabic_page(owner, anon):
    body = request_code(anon).json()
    client = page_client(owner)
    client.cookies["django_language"] = "ar"
    r = client.get(f"/render/device?code={body['userCode']}")
    html = r.content.decode()
    assert 'dir="rtl"' in html and "ربط جهاز" in html and "موافقة" in html
