"""401 answers carry the RFC 6750 challenge (issue #15)."""
import pytest

pytestmark = pytest.mark.django_db


def test_no_token_gets_the_bare_bearer_challenge(anon):
    response = anon.get("/api/account")
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bad_token_gets_invalid_token(anon):
    response = anon.get("/api/account", HTTP_AUTHORIZATION="Bearer aud_" + "x" * 40)
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api"') and 'error="invalid_token"' in challenge


def test_a_revoked_token_gets_invalid_token(api, owner):
    from accounts.models import ApiToken

    ApiToken.objects.filter(account=owner).update(revoked_at="2026-01-01T00:00:00Z")
    response = api.get("/api/account")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_other_schemes_get_the_bare_challenge(anon):
    response = anon.get("/api/account", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_preview_401_carries_the_challenge_too(anon):
    response = anon.post("/api/render/preview", {"projectId": "x"}, HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_success_has_no_challenge(api):
    response = api.get("/api/account")
    assert response.status_code == 200 and "WWW-Authenticate" not in response
