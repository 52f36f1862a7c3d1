"""/embed/audome-embed.js, /embed/studio (frame-ancestors from the session) and /render/studio."""
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import EmbedSession

pytestmark = pytest.mark.django_db


def studio_config(response) -> dict:
    match = re.search(rb'<script id="studio-config" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, response.content[:500]
    return json.loads(match.group(1))


def mint(api, **body) -> str:
    r = api.post("/api/embed/sessions", body)
    assert r.status_code == 201, r.content
    return r.json()["token"]


def test_sdk_script_is_served_with_caching_headers(client, built_frontend):
    r = client.get("/embed/audome-embed.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript")
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert b"AudomeEmbed" in body and b"postMessage" in body
    assert "max-age" in r["Cache-Control"] and r["ETag"]
    assert r["Access-Control-Allow-Origin"] == "*"
    assert r["Cross-Origin-Resource-Policy"] == "cross-origin"
    again = client.get("/embed/audome-embed.js", HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304


def test_embed_studio_admits_only_the_allowed_origins(api, project, built_frontend):
    token = mint(api, projectId=str(project.pk), allowedOrigins=["https://app.example.com", "http://localhost:3000"])
    r = Client().get("/embed/studio", {"token": token, "origin": "https://app.example.com", "locale": "ar"})
    assert r.status_code == 200
    assert r["Content-Security-Policy"] == "frame-ancestors https://app.example.com http://localhost:3000"
    assert "X-Frame-Options" not in r
    assert r["Cache-Control"] == "no-store" and r["Referrer-Policy"] == "no-referrer"
    config = studio_config(r)
    assert config["mode"] == "embed" and config["token"] == token
    assert config["projectId"] == str(project.pk) and config["lockedProject"] is True
    assert config["hostOrigin"] == "https://app.example.com"
    assert b'dir="rtl"' in r.content and b'lang="ar"' in r.content


def test_embed_studio_ignores_a_host_origin_the_session_does_not_allow(api, project, built_frontend):
    token = mint(api, projectId=str(project.pk), allowedOrigins=["https://app.example.com"])
    r = Client().get("/embed/studio", {"token": token, "origin": "https://evil.example"})
    assert r["Content-Security-Policy"] == "frame-ancestors https://app.example.com"
    assert studio_config(r)["hostOrigin"] == ""


def test_embed_studio_without_allowed_origins_may_be_framed_anywhere(api, built_frontend):
    token = mint(api, readOnly=True)
    r = Client().get("/embed/studio", {"token": token, "origin": "https://x.example"})
    assert r.status_code == 200
    assert r["Content-Security-Policy"] == "frame-ancestors *"
    assert studio_config(r)["readOnly"] is True


@pytest.mark.parametrize("state, code", [("expired", "TOKEN_EXPIRED"), ("unknown", "TOKEN_INVALID"), ("missing", "TOKEN_INVALID")])
def test_bad_embed_tokens_get_an_error_page_for_onerror(api, project, built_frontend, state, code):
    token = mint(api, projectId=str(project.pk), allowedOrigins=["https://app.example.com"])
    if state == "expired":
        EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=5))
    params = {"origin": "https://app.example.com"}
    if state != "missing":
        params["token"] = token if state == "expired" else "aud_es_" + "x" * 40
    r = Client().get("/embed/studio", params)
    assert r.status_code == 401
    config = studio_config(r)
    assert config["error"]["code"] == code
    assert "token" not in config
    # The page holds nothing but the error, so the host may frame it to learn why.
    assert r["Content-Security-Policy"] == "frame-ancestors *"


def test_dashboard_studio_needs_login_and_is_never_framed(owner, project, outsider_project, built_frontend):
    client = Client()
    r = client.get(f"/render/studio/{project.pk}")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(owner)
    r = client.get(f"/render/studio/{project.pk}")
    assert r.status_code == 200
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    config = studio_config(r)
    assert config["mode"] == "dashboard" and config["projectId"] == str(project.pk) and config["csrfToken"]
    assert "token" not in config
    assert client.get(f"/render/studio/{outsider_project.pk}").status_code == 404
    assert client.get("/render/studio/not-a-uuid").status_code == 404
    assert client.get("/render/studio").status_code == 200


def test_sdk_is_small_and_dependency_free(built_frontend):
    import gzip

    content = (built_frontend / "embed" / "audome-embed.js").read_bytes()
    assert len(gzip.compress(content)) < 12 * 1024  # the docs promise ~12 KB gzipped
    text = content.decode()
    assert "require(" not in text and "import " not in text and "AudomeEmbed" in text
