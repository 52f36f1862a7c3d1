"""What a live server can't be made to do on cue: a 503 then a 200, a 500 on a POST, a connection
reset. httpx's MockTransport answers these; the policy under test is the SDK's own. And webhook
signatures, checked against the server's signing code (webhooks.signing)."""
import asyncio
import json
import time

import httpx
import pytest
from audome import (
    APIConnectionError,
    AsyncAudome,
    Audome,
    ServerError,
    construct_event,
    verify_signature,
)
from audome.errors import WebhookVerificationError

from clients.python.tests.conftest import run_async
from webhooks.signing import signature_header

BASE = "http://audome.test"


def scripted(*answers):
    """A transport that answers each request with the next of `answers` (status, headers, body)
    and records what was asked."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return httpx.Response(status, headers=headers, json=body)

    return handler, seen


def client(handler, **kwargs):
    return Audome("aud_" + "a" * 40, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(handler)),
                  **kwargs)


BUSY = (503, {"Retry-After": "1"}, {"success": False, "error": "busy", "code": "PREVIEW_BUSY", "requestId": "req_1"})
OK_ACCOUNT = (200, {}, {"success": True, "user": {"email": "a@example.com"}})


def test_retry_after_is_honoured_then_success(monkeypatch):
    sleeps = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    handler, seen = scripted(BUSY, BUSY, OK_ACCOUNT)
    assert client(handler).account()["user"]["email"] == "a@example.com"
    assert len(seen) == 3 and sleeps == [1.0, 1.0]


def test_gives_up_after_max_retries_with_the_typed_error(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    handler, seen = scripted(BUSY)
    with pytest.raises(ServerError) as failed:
        client(handler, max_retries=2).account()
    assert len(seen) == 3 and failed.value.code == "PREVIEW_BUSY" and failed.value.request_id == "req_1"
    assert failed.value.retryable


def test_generate_retries_a_500_with_the_same_idempotency_key(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    crashed = (500, {}, {"success": False, "error": "crash", "code": "RENDER_FAILED", "requestId": "req_2"})
    done = (200, {}, {"success": True, "generationId": "gen_1", "imageUrl": f"{BASE}/media/x.png", "status": "completed"})
    handler, seen = scripted(crashed, done)
    render = client(handler).render("proj", {"title.text": "Hi"})
    assert render.generation_id == "gen_1" and len(seen) == 2
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(keys) == 1 and keys.pop().startswith("sdk_")
    assert json.loads(seen[0].content) == {"projectId": "proj", "data": {"title.text": "Hi"}}


def test_a_preview_is_retried_after_a_500(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    crashed = (500, {}, {"success": False, "error": "render_failed", "code": "RENDER_FAILED"})
    ready = (200, {}, {"success": True, "previewUrl": f"{BASE}/media/previews/x.webp", "cached": False})
    handler, seen = scripted(crashed, ready)
    assert client(handler).preview("proj").cached is False and len(seen) == 2


def test_a_post_without_a_key_is_not_repeated_after_a_500(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    handler, seen = scripted((500, {}, {"success": False, "error": "x", "code": "INTERNAL_ERROR"}))
    with pytest.raises(ServerError):
        client(handler).generations.cancel("gen_1")
    assert len(seen) == 1


def test_connection_errors_retry_safe_calls_then_raise(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    handler, seen = scripted(httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as failed:
        client(handler, max_retries=2).account()
    assert len(seen) == 3 and failed.value.retryable


def test_async_client_retries_too(monkeypatch):
    async def no_sleep(seconds):
        return None

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    handler, seen = scripted(BUSY, OK_ACCOUNT)

    async def main():
        async with AsyncAudome("aud_" + "a" * 40, base_url=BASE,
                               http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))) as c:
            return await c.account()

    assert run_async(main)["success"] is True and len(seen) == 2


def test_signatures_made_by_the_server_verify():
    body = json.dumps({"id": "evt_1", "type": "render.completed", "data": {"generationId": "gen_1"}}).encode()
    header = signature_header(["whsec_new", "whsec_old"], body)
    assert verify_signature(body, header, "whsec_new") and verify_signature(body, header, "whsec_old")
    assert construct_event(body, header, "whsec_new")["data"]["generationId"] == "gen_1"
    assert not verify_signature(body + b" ", header, "whsec_new")
    assert not verify_signature(body, header, "whsec_other")
    assert not verify_signature(body, "garbage", "whsec_new")
    stale = signature_header(["whsec_new"], body, timestamp=int(time.time()) - 3600)
    assert not verify_signature(body, stale, "whsec_new")
    assert verify_signature(body, stale, "whsec_new", tolerance=None)
    with pytest.raises(WebhookVerificationError) as bad:
        construct_event(body, header, "whsec_other")
    assert bad.value.code == "BAD_SIGNATURE"
