"""POST /api/embed/sessions and what an embed token may (not) do."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import EmbedSession
from accounts.services import token_create
from accounts.tokens import token_hash

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def client_for(account, scope: str) -> APIClient:
    _token, plain = token_create(account=account, name=f"test {scope}", scope=scope)
    return bearer(plain)


def test_mint_for_a_project_stores_only_a_hash(api, owner, project):
    before = timezone.now()
    r = api.post("/api/embed/sessions", {"projectId": str(project.pk), "allowedOrigins": ["https://app.example.com"]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["success"] is True
    assert body["token"].startswith("aud_es_") and len(body["token"]) == 47
    session = EmbedSession.objects.get(account=owner)
    assert session.token_hash == token_hash(body["token"]) and body["token"] not in str(session.__dict__)
    assert session.project_id == str(project.pk) and session.read_only is False
    assert session.allowed_origins == ["https://app.example.com"]
    # default ttl 900 s
    assert timedelta(seconds=895) <= session.expires_at - before <= timedelta(seconds=905)
    assert body["expiresAt"].endswith("Z")


def test_render_only_token_may_mint_read_only_may_not(owner, category):
    r = client_for(owner, "render-only").post(
        "/api/embed/sessions", {"categoryId": str(category.pk), "readOnly": True, "ttlSeconds": 86400}, format="json"
    )
    assert r.status_code == 201, r.content
    s = EmbedSession.objects.get()
    assert s.category_id == str(category.pk) and s.read_only is True
    r = client_for(owner, "read-only").post("/api/embed/sessions", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    assert EmbedSession.objects.count() == 1


def test_anonymous_gets_401(anon):
    r = anon.post("/api/embed/sessions", {})
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ttlSeconds": 86401}, "ttlSeconds"),
        ({"ttlSeconds": 0}, "ttlSeconds"),
        ({"ttlSeconds": "soon"}, "ttlSeconds"),
        ({"allowedOrigins": ["ftp://example.com"]}, "allowedOrigins"),
        ({"allowedOrigins": ["https://example.com/path"]}, "allowedOrigins"),
        ({"allowedOrigins": ["javascript:alert(1)"]}, "allowedOrigins"),
        ({"allowedOrigins": ["https://user@example.com"]}, "allowedOrigins"),
        ({"allowedOrigins": "https://example.com"}, "allowedOrigins"),
        ({"readOnly": "perhaps"}, "readOnly"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(api, body, field):
    r = api.post("/api/embed/sessions", body)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "VALIDATION_FAILED"
    assert field in r.json()["details"]
    assert EmbedSession.objects.count() == 0


def test_origins_are_normalised(api):
    r = api.post("/api/embed/sessions", {"allowedOrigins": ["HTTPS://App.Example.com/", "http://127.0.0.1:8001"]})
    assert r.status_code == 201
    assert r.json()["allowedOrigins"] == ["https://app.example.com", "http://127.0.0.1:8001"]


def test_both_restrictions_at_once_is_400(api, project, category):
    r = api.post("/api/embed/sessions", {"projectId": str(project.pk), "categoryId": str(category.pk)})
    assert r.status_code == 400 and EmbedSession.objects.count() == 0


def test_outsider_project_or_category_is_404_and_nothing_created(outsider_api, project, category):
    r = outsider_api.post("/api/embed/sessions", {"projectId": str(project.pk)})
    assert r.status_code == 404 and r.json()["code"] == "PROJECT_NOT_FOUND"
    r = outsider_api.post("/api/embed/sessions", {"categoryId": str(category.pk)})
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    r = outsider_api.post("/api/embed/sessions", {"projectId": "not-a-uuid"})
    assert r.status_code == 404
    assert EmbedSession.objects.count() == 0


def test_an_embed_token_cannot_mint_tokens_or_sessions(api, project):
    token = api.post("/api/embed/sessions", {"projectId": str(project.pk)}).json()["token"]
    embed = bearer(token)
    r = embed.post("/api/embed/sessions", {"projectId": str(project.pk)}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    r = embed.post("/api/tokens", {"name": "sneaky"}, format="json")
    assert r.status_code == 403
    r = embed.get("/api/tokens")
    assert r.status_code == 403
    assert EmbedSession.objects.count() == 1


def test_an_embed_token_sees_only_its_project(api, project, other_project):
    token = api.post("/api/embed/sessions", {"projectId": str(project.pk)}).json()["token"]
    embed = bearer(token)
    assert embed.get(f"/api/render/projects/{project.pk}").status_code == 200
    r = embed.get(f"/api/render/projects/{other_project.pk}")
    assert r.status_code in (403, 404)
    r = embed.patch(f"/api/render/projects/{other_project.pk}", {"name": "hijacked"}, format="json")
    assert r.status_code in (403, 404)
    other_project.refresh_from_db()
    assert other_project.name == "Other"


def test_an_expired_embed_token_is_401(api, project):
    token = api.post("/api/embed/sessions", {"projectId": str(project.pk)}).json()["token"]
    assert bearer(token).get("/api/account").status_code == 200
    EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = bearer(token).get("/api/account")
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
