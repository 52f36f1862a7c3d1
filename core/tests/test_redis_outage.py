"""Redis down (issue #15): the degraded mode documented in docs/content/errors.md. Reads keep
working without rate limits (a warning is logged), writes — renders, previews, tokens — answer 503
SERVICE_UNAVAILABLE with Retry-After and change nothing, /readyz names redis, nothing is a 500.
A real uvicorn whose REDIS_URL is a dead port (or a listener that never answers); the shared
Redis is never touched."""
import pytest

from core.tests.outages import Blackhole, dead_port, timed, web_server

pytestmark = [pytest.mark.django_db(transaction=True)]

READS = ["/api/account", "/api/account/usage", "/api/tokens", "/api/render/projects", "/api/render/generations",
         "/api/render/assets", "/api/render/fonts", "/api/webhooks"]


@pytest.fixture
def project(api):
    response = api.post("/api/render/projects", {"name": "Card", "width": 200, "height": 100})
    assert response.status_code == 201, response.json()
    return response.json()["project"]


def _bearer(owner):
    from accounts.services import token_create

    _token, plain = token_create(account=owner, name="outage", scope="full-access")
    return {"Authorization": f"Bearer {plain}"}


def test_redis_down_reads_work_and_writes_answer_503(owner, project):
    from accounts.models import ApiToken
    from billing.models import LedgerEntry
    from rendering.models import Generation

    headers = _bearer(owner)
    tokens_before, ledger_before = ApiToken.objects.count(), LedgerEntry.objects.count()
    with web_server(REDIS_URL=f"redis://127.0.0.1:{dead_port()}/0") as server:
        base = server.url
        for path in READS:
            response, seconds = timed("GET", base + path, headers=headers)
            assert response.status_code == 200, (path, response.text)
            assert "X-RateLimit-Limit" not in response.headers  # no limit is counted while Redis is down
            assert seconds < 2, (path, seconds)

        writes = [("/api/render/generate", {"projectId": project["id"], "data": {}}),
                  ("/api/render/preview", {"projectId": project["id"]}),
                  ("/api/tokens", {"name": "during the outage"})]
        for path, body in writes:
            response, seconds = timed("POST", base + path, headers=headers, json=body)
            assert response.status_code == 503, (path, response.text)
            assert response.json()["code"] == "SERVICE_UNAVAILABLE"
            assert int(response.headers["Retry-After"]) >= 1
            assert seconds < 2, (path, seconds)
            if path == "/api/render/preview":  # the preview page's lowercase style, with retryAfter
                assert response.json()["error"] == "service_unavailable"
                assert response.json()["retryAfter"] == int(response.headers["Retry-After"])

        response, _ = timed("GET", f"{base}/readyz")
        assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("down")
        assert server.log().count("API rate limits are not enforced for reads") == 1  # once a minute, not per call
        assert "Internal Server Error" not in server.log() and "Traceback" not in server.log()
    assert not Generation.objects.exists()
    assert (ApiToken.objects.count(), LedgerEntry.objects.count()) == (tokens_before, ledger_before)


def test_a_hung_redis_costs_reads_at_most_a_second(owner):
    headers = _bearer(owner)
    hole = Blackhole()
    try:
        with web_server(REDIS_URL=f"redis://127.0.0.1:{hole.port}/0") as server:
            base = server.url
            first, first_seconds = timed("GET", f"{base}/api/account", headers=headers)
            later, later_seconds = timed("GET", f"{base}/api/account", headers=headers)
            ready, ready_seconds = timed("GET", f"{base}/readyz")
    finally:
        hole.close()
    assert first.status_code == 200 and later.status_code == 200
    assert first_seconds < 2.5, first_seconds  # one limiter timeout (1 s), then Redis counts as down
    assert later_seconds < 0.5, later_seconds
    assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("down") and ready_seconds < 2
