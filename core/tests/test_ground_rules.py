import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_request_id_on_every_response(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["X-Request-Id"].startswith("req_")


def test_missing_token_is_401_envelope(anon):
    response = anon.get("/api/account")
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and body["code"] == "UNAUTHORIZED"
    assert body["requestId"] == response["X-Request-Id"]


def test_unknown_api_path_is_404_envelope(api):
    response = api.get("/api/nope/nothing")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_method_not_allowed_envelope(api):
    response = api.put("/api/account", {})
    assert response.status_code == 405 and response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_non_json_body_is_415(api):
    response = api.post("/api/tokens", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_malformed_json_is_400(api):
    response = api.post("/api/tokens", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"


def test_body_over_1mb_is_413(api):
    response = api.post("/api/tokens", '{"name": "' + "x" * (1024 * 1024) + '"}', content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_validation_details(api):
    response = api.post("/api/tokens", {"name": "x" * 101})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "VALIDATION_FAILED"
    assert "name" in body["details"]


@override_settings(API_RATE_LIMIT_PER_MINUTE=5)
def test_rate_limit_headers_and_429(api):
    for i in range(5):
        response = api.get("/api/account")
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "5"
        assert response["X-RateLimit-Remaining"] == str(4 - i)
    response = api.get("/api/account")
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_pages_refuse_framing(anon):
    response = anon.get("/healthz")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_openapi_schema(anon):
    response = anon.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert b"/api/tokens" in response.content


def test_openapi_schema_is_json_by_default_and_yaml_on_request(anon):
    response = anon.get("/api/schema")  # a plain GET, as curl or requests send it
    assert response.status_code == 200 and "json" in response["Content-Type"]
    assert "/api/render/generate" in response.json()["paths"]
    yaml = anon.get("/api/schema?format=yaml")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi:")
