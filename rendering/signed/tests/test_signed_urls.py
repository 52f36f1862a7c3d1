"""Signed render URLs without rendering: canonicalisation, the signature checks (403), expiry
(410), parameters (400), unknown templates (404), and the URL-signing secret API."""
import hashlib
import hmac
import time
from urllib.parse import urlparse

import pytest

from billing.services import credits_balance
from conftest import JsonClient, client_for
from rendering.models import Generation
from rendering.signed import signing


def test_canonical_string_sorts_encodes_and_leaves_out_s():
    params = [("title.text", "Hello world"), ("w", "640"), ("s", "ignored"), ("exp", "1900000000"),
              ("hero.img", "https://example.com/a b.png?x=1&y=~2"), ("name.text", "مرحبا")]
    assert signing.canonical_string("/r/abc.png", params) == (
        "/r/abc.png?exp=1900000000"
        "&hero.img=https%3A%2F%2Fexample.com%2Fa%20b.png%3Fx%3D1%26y%3D~2"
        "&name.text=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7"
        "&title.text=Hello%20world&w=640"
    )
    assert signing.canonical_string("/r/abc.png", []) == "/r/abc.png?"


def test_signature_is_hex_hmac_sha256_of_the_canonical_string():
    secret = "urls_test-secret"
    expected = hmac.new(secret.encode(), b"/r/p.webp?a=1&b=x%20y", hashlib.sha256).hexdigest()
    assert signing.signature(secret, "/r/p.webp", [("b", "x y"), ("a", "1")]) == expected
    assert signing.signature_valid(secret, "/r/p.webp", [("a", "1"), ("b", "x y")], expected.upper())
    assert not signing.signature_valid(secret, "/r/p.webp", [("a", "2"), ("b", "x y")], expected)
    assert not signing.signature_valid(secret, "/r/p.webp", [("a", "1")], None)


def test_signed_url_round_trips_through_the_parser():
    url = signing.signed_url(secret="k", path="/r/p.png", params={"title.text": "a+b & c/d", "w": 10})
    parsed = urlparse(url)
    pairs = signing.parse_query(parsed.query)
    given = dict(pairs)["s"]
    assert signing.signature_valid("k", "/r/p.png", pairs, given)
    assert dict(pairs)["title.text"] == "a+b & c/d"


def sign(account, project_id, ext="png", **params):
    path = f"/r/{project_id}.{ext}"
    return signing.signed_url(secret=account.url_signing_secret, path=path, params=params)


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["requestId"].startswith("req_")
    return body


@pytest.mark.django_db
def test_missing_or_tampered_signature_is_403(anon, owner, project):
    url = sign(owner, project["id"], **{"title.text": "Hi"})
    assert_json_error(anon.get(f"/r/{project['id']}.png?title.text=Hi"), 403, "FORBIDDEN")
    assert_json_error(anon.get(url.replace("title.text=Hi", "title.text=Ho")), 403, "FORBIDDEN")
    assert_json_error(anon.get(url.replace(".png", ".jpg")), 403, "FORBIDDEN")  # the path is signed too
    assert_json_error(anon.get(url + "&w=100"), 403, "FORBIDDEN")  # an added parameter
    assert_json_error(anon.get(url[:-1] + ("0" if url[-1] != "0" else "1")), 403, "FORBIDDEN")
    assert_json_error(anon.get(url + "&s=" + url.rsplit("s=", 1)[1]), 403, "FORBIDDEN")  # two signatures
    assert Generation.objects.count() == 0 and credits_balance(account=owner) == 100


@pytest.mark.django_db
def test_signature_with_another_accounts_secret_is_403(anon, outsider, project):
    assert_json_error(anon.get(sign(outsider, project["id"])), 403, "FORBIDDEN")


@pytest.mark.django_db
def test_expired_url_is_410_and_a_bad_signature_on_it_still_403(anon, owner, project):
    url = sign(owner, project["id"], exp=int(time.time()) - 5)
    assert_json_error(anon.get(url), 410, "GONE")
    assert_json_error(anon.get(url.replace("exp=", "exp=1")), 403, "FORBIDDEN")
    assert Generation.objects.count() == 0


@pytest.mark.django_db
def test_bad_parameters_are_400_after_the_signature(anon, owner, project):
    assert_json_error(anon.get(sign(owner, project["id"], w="abc")), 400, "VALIDATION_FAILED")
    assert_json_error(anon.get(sign(owner, project["id"], w="5000")), 400, "VALIDATION_FAILED")
    assert_json_error(anon.get(sign(owner, project["id"], exp="soon")), 400, "VALIDATION_FAILED")
    body = assert_json_error(anon.get(sign(owner, project["id"], **{"nope.text": "x"})), 400, "VALIDATION_FAILED")
    assert "data.nope.text" in body["details"]


@pytest.mark.django_db
def test_unknown_template_is_404_and_other_extensions_do_not_route(anon, owner):
    assert_json_error(anon.get(sign(owner, "0b7c51e4-1d3f-4b8c-9a43-2f8f3f7a1c11")), 404, "PROJECT_NOT_FOUND")
    assert_json_error(anon.get("/r/not-a-uuid.png?s=00"), 404, "PROJECT_NOT_FOUND")
    assert anon.get("/r/0b7c51e4-1d3f-4b8c-9a43-2f8f3f7a1c11.gif").status_code == 404


@pytest.mark.django_db
def test_a_token_in_the_url_is_not_a_credential(owner, project):
    api = client_for(owner)
    response = JsonClient().get(f"/r/{project['id']}.png?token={api.plain_token}")
    assert_json_error(response, 403, "FORBIDDEN")


# --- the URL-signing secret API ---

@pytest.mark.django_db
def test_read_and_roll_the_secret(api, owner, anon, project):
    body = api.get("/api/render/url-secret").json()
    assert body == {"success": True, "secret": owner.url_signing_secret}
    old_url = sign(owner, project["id"], exp=int(time.time()) - 5)
    rolled = api.post("/api/render/url-secret/roll")
    assert rolled.status_code == 200
    new_secret = rolled.json()["secret"]
    assert rolled.json()["success"] is True and new_secret != body["secret"] and new_secret.startswith("urls_")
    owner.refresh_from_db()
    assert owner.url_signing_secret == new_secret
    assert api.get("/api/render/url-secret").json()["secret"] == new_secret
    # URLs signed with the old secret stop working (403 before the expiry is even looked at).
    assert_json_error(anon.get(old_url), 403, "FORBIDDEN")
    assert_json_error(anon.get(sign(owner, project["id"], exp=int(time.time()) - 5)), 410, "GONE")


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["read-only", "render-only"])
def test_secret_api_needs_full_access(owner, scope):
    secret = owner.url_signing_secret
    client = client_for(owner, scope)
    assert_json_error(client.get("/api/render/url-secret"), 403, "FORBIDDEN")
    assert_json_error(client.post("/api/render/url-secret/roll"), 403, "FORBIDDEN")
    owner.refresh_from_db()
    assert owner.url_signing_secret == secret


@pytest.mark.django_db
def test_secret_api_refuses_embed_tokens_and_anonymous(api, owner, anon, project):
    from accounts.models import ApiToken
    from embed.services import embed_session_create

    _session, plain = embed_session_create(account=owner, credential=ApiToken.objects.filter(account=owner).first())
    embed = JsonClient()
    embed.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert_json_error(embed.get("/api/render/url-secret"), 403, "FORBIDDEN")
    assert_json_error(embed.post("/api/render/url-secret/roll"), 403, "FORBIDDEN")
    assert_json_error(anon.get("/api/render/url-secret"), 401, "UNAUTHORIZED")


@pytest.mark.django_db
def test_each_account_sees_and_rolls_only_its_own_secret(api, outsider_api, owner, outsider):
    assert outsider_api.get("/api/render/url-secret").json()["secret"] == outsider.url_signing_secret
    secret = owner.url_signing_secret
    outsider_api.post("/api/render/url-secret/roll")
    owner.refresh_from_db()
    assert owner.url_signing_secret == secret
