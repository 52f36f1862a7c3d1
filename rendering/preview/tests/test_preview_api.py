"""POST /api/render/preview without rendering: authentication, validation, ownership, the
docs' lowercase error values, and the rate limits (token buckets in Redis)."""
import threading

import pytest
from django.db import connection

from billing.services import credits_balance
from conftest import client_for, make_account
from core.redis import get_redis
from rendering.preview import ratelimit
from rendering.preview.ratelimit import preview_limit_take
from rendering.preview.tests.conftest import make_project

URL = "/api/render/preview"


def assert_error(response, status, error, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"] == error
    assert body["code"] == code
    assert body["requestId"].startswith("req_")
    assert response["X-Request-Id"] == body["requestId"]
    return body


def preview_keys() -> list:
    return list(get_redis().scan_iter("audome:pv:*"))


@pytest.mark.django_db
def test_missing_token_is_401_unauthorized(anon, project):
    assert_error(anon.post(URL, {"projectId": project["id"]}), 401, "unauthorized", "UNAUTHORIZED")


@pytest.mark.django_db
def test_bad_token_is_401_unauthorized(project):
    from conftest import JsonClient

    client = JsonClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer aud_" + "x" * 40)
    assert_error(client.post(URL, {"projectId": project["id"]}), 401, "unauthorized", "UNAUTHORIZED")


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"data": {"title.text": "x"}}, {"projectId": ""}, {"projectId": 42},
                                  {"projectId": None}])
def test_missing_project_id_is_400_missing_projectId(api, body):
    result = assert_error(api.post(URL, body), 400, "missing_projectId", "VALIDATION_FAILED")
    assert "projectId" in result["details"]
    assert preview_keys() == []  # nothing counted, nothing queued


@pytest.mark.django_db
def test_unknown_project_and_bad_id_are_404_project_not_found(api):
    assert_error(api.post(URL, {"projectId": "0b7c51e4-1d3f-4b8c-9a43-2f8f3f7a1c11"}), 404,
                 "project_not_found", "PROJECT_NOT_FOUND")
    assert_error(api.post(URL, {"projectId": "not-a-uuid"}), 404, "project_not_found", "PROJECT_NOT_FOUND")


@pytest.mark.django_db
def test_outsider_gets_404_and_nothing_changes(outsider_api, outsider, owner, project):
    before = (credits_balance(account=outsider), credits_balance(account=owner))
    assert_error(outsider_api.post(URL, {"projectId": project["id"]}), 404, "project_not_found", "PROJECT_NOT_FOUND")
    assert (credits_balance(account=outsider), credits_balance(account=owner)) == before
    assert preview_keys() == []  # no bucket touched, nothing cached or queued


@pytest.mark.django_db
def test_embed_token_restricted_to_another_project_is_403_forbidden(api, owner):
    from accounts.models import ApiToken
    from embed.services import embed_session_create

    allowed = make_project(api, name="allowed")
    other = make_project(api, name="other")
    token = ApiToken.objects.filter(account=owner).first()
    _session, plain = embed_session_create(account=owner, credential=token, project_id=allowed["id"])
    from conftest import JsonClient

    embed = JsonClient()
    embed.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert_error(embed.post(URL, {"projectId": other["id"]}), 403, "forbidden", "FORBIDDEN")


@pytest.mark.django_db
def test_read_only_token_is_403_forbidden(owner, project):
    assert_error(client_for(owner, "read-only").post(URL, {"projectId": project["id"]}), 403, "forbidden", "FORBIDDEN")


@pytest.mark.django_db
def test_unknown_data_key_is_400_naming_the_key(api, project):
    response = api.post(URL, {"projectId": project["id"], "data": {"nope.text": "x"}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_FAILED" and "data.nope.text" in body["details"]
    assert "nope.text" in body["error"]
    response = api.post(URL, {"projectId": project["id"], "data": ["not", "an", "object"]})
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"


@pytest.mark.django_db
def test_get_is_405_and_non_json_is_415(api, project):
    assert api.get(URL).status_code == 405
    response = api.post(URL, "projectId=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


class Clock:
    def __init__(self, start_ms: int):
        self.now = start_ms

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_800_000_000_000)
    monkeypatch.setattr(ratelimit, "now_ms", clock)
    return clock


@pytest.mark.django_db
def test_31st_request_in_a_minute_is_429_with_headers_and_retry_after_to_the_second(api, owner, project, clock):
    start = clock.now
    for i in range(30):
        state = preview_limit_take(account_id=owner.pk)
        assert state.allowed and state.remaining == 29 - i and state.reset_at == start + 60_000
    clock.now = start + 12_300  # 47.7 s before the minute bucket refills
    response = api.post(URL, {"projectId": project["id"]})
    body = assert_error(response, 429, "rate_limited", "RATE_LIMITED")
    assert body["retryAfter"] == 48
    assert body["rateLimit"] == {"remaining": 0, "resetAt": start + 60_000}
    assert response["Retry-After"] == "48"
    assert response["X-RateLimit-Limit-Minute"] == "30"
    assert response["X-RateLimit-Limit-Hour"] == "200"
    assert response["X-RateLimit-Reset"] == str(start + 60_000)
    # Refused calls take nothing; at the reset the minute bucket is full again (hour: 170 left).
    clock.now = start + 60_000
    state = preview_limit_take(account_id=owner.pk)
    assert state.allowed and state.remaining == 29


@pytest.mark.django_db
def test_201st_request_in_an_hour_is_429_until_the_hour_bucket_refills(api, owner, project, clock):
    start = clock.now
    taken = 0
    while taken < 200:  # 30 a minute for 6 minutes, then 20 more
        for _ in range(min(30, 200 - taken)):
            assert preview_limit_take(account_id=owner.pk).allowed
            taken += 1
        clock.now += 60_000
    # 7 minutes in: the minute bucket is full again but the hour bucket is empty.
    response = api.post(URL, {"projectId": project["id"]})
    body = assert_error(response, 429, "rate_limited", "RATE_LIMITED")
    hour_reset = start + 3_600_000
    assert body["retryAfter"] == (hour_reset - clock.now) // 1000 == 3180
    assert response["Retry-After"] == "3180"
    assert body["rateLimit"] == {"remaining": 0, "resetAt": hour_reset}
    assert response["X-RateLimit-Reset"] == str(hour_reset)
    clock.now = hour_reset
    state = preview_limit_take(account_id=owner.pk)
    assert state.allowed and state.remaining == 29


@pytest.mark.django_db
def test_the_account_wide_limit_refuses_a_preview_with_the_preview_headers(api, owner, project, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    get_redis().delete(f"audome:rl:api:{owner.pk}")
    for _ in range(2):
        assert api.get("/api/account").status_code == 200
    response = api.post(URL, {"projectId": project["id"]})
    body = assert_error(response, 429, "rate_limited", "RATE_LIMITED")
    assert int(response["Retry-After"]) == body["retryAfter"] >= 1
    assert response["X-RateLimit-Limit-Minute"] == "30" and response["X-RateLimit-Limit-Hour"] == "200"
    assert response["X-RateLimit-Reset"] == str(body["rateLimit"]["resetAt"])  # Unix ms, as the body
    assert body["rateLimit"]["resetAt"] > 1_700_000_000_000
    assert preview_keys() == []  # nothing rendered or cached


@pytest.mark.django_db
def test_smaller_configured_limits_apply(owner, settings, clock):
    settings.PREVIEW_RATE_PER_MINUTE = 3
    settings.PREVIEW_RATE_PER_HOUR = 4
    assert [preview_limit_take(account_id=owner.pk).allowed for _ in range(4)] == [True, True, True, False]
    clock.now += 60_000
    assert [preview_limit_take(account_id=owner.pk).allowed for _ in range(2)] == [True, False]
    assert preview_limit_take(account_id=owner.pk).retry_after == 3540


@pytest.mark.django_db(transaction=True)
def test_buckets_are_exact_under_concurrency():
    account = make_account("racer@example.com")
    results = []
    barrier = threading.Barrier(40)

    def take():
        barrier.wait()
        results.append(preview_limit_take(account_id=account.pk).allowed)
        connection.close()

    threads = [threading.Thread(target=take) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 30 and results.count(False) == 10


@pytest.mark.django_db
def test_accounts_have_their_own_buckets(owner, outsider, clock):
    for _ in range(30):
        preview_limit_take(account_id=owner.pk)
    assert not preview_limit_take(account_id=owner.pk).allowed
    assert preview_limit_take(account_id=outsider.pk).allowed


def test_previews_have_their_own_queue_and_a_cleanup_beat(settings):
    from config.celery import app

    assert settings.CELERY_TASK_ROUTES["rendering.preview.render"] == {"queue": "preview"}
    assert app.tasks["rendering.preview.render"].queue == "preview"
    assert settings.CELERY_TASK_ROUTES["rendering.render_generation"]["queue"] != "preview"
    beat = settings.CELERY_BEAT_SCHEDULE["rendering-preview-cleanup"]
    assert beat["task"] == "rendering.preview.cleanup" and "rendering.preview.cleanup" in app.tasks


@pytest.mark.django_db
def test_cleanup_task_deletes_due_files_only(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from rendering.preview import cache
    from rendering.preview.tasks import preview_cleanup

    settings.PREVIEW_CACHE_MAX_ENTRIES = 1
    names = []
    for letter in "ab":
        digest = letter * 64
        name = cache.file_name(account_id="00000000-0000-0000-0000-000000000000", digest=digest)
        default_storage.delete(name)
        default_storage.save(name, ContentFile(b"webp"))
        cache.cache_put(digest=digest, name=name, url="u", generation_time=1)  # b evicts a
        names.append(name)
    assert preview_cleanup.apply().result == {"deleted": 1, "kept": 0, "busy": 0}
    assert not default_storage.exists(names[0]) and default_storage.exists(names[1])
    assert cache.cache_get("b" * 64) is not None
    default_storage.delete(names[1])
