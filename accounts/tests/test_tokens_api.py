import pytest
from django.db import connection

from accounts.models import ApiToken
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_create_token_shows_plain_once_and_stores_only_hash(api, owner):
    response = api.post("/api/tokens", {"name": "CI", "scope": "render-only"})
    assert response.status_code == 201
    body = response.json()
    plain = body["token"]
    assert plain.startswith("aud_") and len(plain) == 44
    assert body["tokenData"]["prefix"] == plain[4:12]
    assert body["tokenData"]["scope"] == "render-only"
    assert body["tokenData"]["id"].startswith("tok_")
    listing = api.get("/api/tokens").json()
    assert listing["maxTokens"] == 10
    assert all("token" not in t for t in listing["tokens"])
    # no plain token anywhere in the database
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert plain not in repr(row), table


def test_revoked_token_stops_working_on_next_request(api, owner):
    created = api.post("/api/tokens", {"name": "temp"}).json()
    temp = client_for(owner)
    temp.credentials(HTTP_AUTHORIZATION=f"Bearer {created['token']}")
    assert temp.get("/api/account").status_code == 200
    assert api.delete(f"/api/tokens/{created['tokenData']['id']}").status_code == 200
    response = temp.get("/api/account")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_outsider_gets_404_for_my_token(api, outsider_api, owner):
    token_id = api.post("/api/tokens", {"name": "mine"}).json()["tokenData"]["id"]
    for call in (lambda: outsider_api.delete(f"/api/tokens/{token_id}"), lambda: outsider_api.patch(f"/api/tokens/{token_id}", {"name": "x"})):
        response = call()
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert ApiToken.objects.get(pk=token_id).name == "mine"


@pytest.mark.parametrize(
    "scope,method,path,body,allowed",
    [
        ("read-only", "get", "/api/tokens", None, True),
        ("read-only", "post", "/api/tokens", {"name": "x"}, False),
        ("render-only", "post", "/api/tokens", {"name": "x"}, False),
        ("full-access", "post", "/api/tokens", {"name": "x"}, True),
        ("read-only", "get", "/api/account", None, True),
        ("read-only", "get", "/api/account/usage", None, True),
    ],
)
def test_scope_matrix(owner, scope, method, path, body, allowed):
    client = client_for(owner, scope)
    response = getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)
    if allowed:
        assert response.status_code in (200, 201)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"


def test_at_most_ten_active_tokens(api, owner):
    # the `api` fixture already holds one
    for i in range(9):
        assert api.post("/api/tokens", {"name": f"t{i}"}).status_code == 201
    response = api.post("/api/tokens", {"name": "eleventh"})
    assert response.status_code == 400
    assert ApiToken.objects.filter(account=owner, revoked_at__isnull=True).count() == 10


def test_bad_bearer_never_falls_back_to_session(owner, client):
    client.force_login(owner)
    assert client.get("/api/account").status_code == 200
    response = client.get("/api/account", HTTP_AUTHORIZATION="Bearer aud_" + "x" * 40)
    assert response.status_code == 401


def test_account_and_usage(api, owner):
    body = api.get("/api/account").json()
    assert body["user"]["email"] == owner.email
    assert body["credits"]["balance"] == 100
    assert body["token"]["scope"] == "full-access"
    usage = api.get("/api/account/usage").json()
    assert usage["creditsBalance"] == 100
    assert usage["monthlyUsed"] == 0
    assert usage["billingCycleStart"].endswith("Z")
