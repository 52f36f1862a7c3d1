"""Delivering events: exact headers and body, signatures checked by independent verifiers
(the docs' Node.js function under node, and the stripe library), retries on the schedule with
the same event id, SSRF re-checks at every delivery, rotation overlap, sweeper recovery."""
import datetime as dt
import json
import re
import socket
import time

import pytest
import stripe
from django.utils import timezone

from webhooks.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint
from webhooks.services import (
    deliveries_sweep,
    delivery_attempt,
    endpoint_create,
    endpoint_rotate_secret,
    event_emit,
)
from webhooks.tests.conftest import node_verify

pytestmark = pytest.mark.django_db

SIG_RE = re.compile(r"^t=(\d+),v1=([0-9a-f]{64})$")
RENDER_DATA = {
    "generationId": "gen_01HX9Y0000000000000000000", "projectId": "8fce2c7e-7e6f-4d46-b5b1-2aaa5a44f1c9",
    "imageUrl": "https://cdn.example.com/r/abc.png", "width": 1080, "height": 1080, "format": "png",
    "creditsUsed": 1, "metadata": {"orderId": "A-17", "name": "مرحبا بالعالم", "emoji": "🎉"},
}


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = True  # the receivers live on loopback
    settings.AUDOME_FETCH_ALLOW_CIDRS = []
    settings.WEBHOOK_RETRY_SCHEDULE = [60, 300, 1800, 7200, 21600, 86400]
    settings.WEBHOOK_TIMEOUT = 10
    return settings


def setup_endpoint(owner, url, events=("render.completed",)):
    endpoint, secret = endpoint_create(account=owner, url=url, events=list(events))
    return endpoint, secret


def emit(owner, type="render.completed", data=None):
    event = event_emit(account=owner, type=type, data=RENDER_DATA if data is None else data)
    return event, list(event.deliveries.all())


def test_headers_and_body_are_exactly_the_contract(owner, receiver, no_broker):
    srv = receiver()
    endpoint, secret = setup_endpoint(owner, srv.url("/hooks/in"))
    event, [delivery] = emit(owner)
    assert no_broker == [] or all(s["delivery_id"] == delivery.id for s in no_broker)

    assert delivery_attempt(delivery_id=delivery.id) == DeliveryStatus.SUCCEEDED
    [got] = srv.received
    assert got.method == "POST" and got.path == "/hooks/in"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "Audome-Webhooks/1.0"
    assert got.headers["audome-event"] == "render.completed"
    assert got.headers["audome-delivery"] == event.id == payload_id(got)
    match = SIG_RE.match(got.headers["audome-signature"])
    assert match, got.headers["audome-signature"]
    assert abs(int(match.group(1)) - time.time()) < 120
    payload = got.json()
    assert list(payload) == ["id", "type", "createdAt", "data"]
    assert payload["id"] == event.id and payload["id"].startswith("evt_")
    assert payload["type"] == "render.completed"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", payload["createdAt"])
    assert payload["data"] == RENDER_DATA  # metadata (Arabic, emoji) intact

    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 1 and delivery.last_status_code == 200
    [attempt] = delivery.attempts.all()
    assert attempt.outcome == AttemptOutcome.SUCCEEDED and attempt.status_code == 200
    assert attempt.response_excerpt == "ok" and attempt.response_ms is not None and attempt.next_retry_at is None
    endpoint.refresh_from_db()
    assert endpoint.last_success_at and endpoint.last_triggered_at and endpoint.failure_count == 0


def test_signature_passes_the_docs_node_verify_and_stripe_and_tampering_fails_both(owner, receiver, no_broker):
    srv = receiver()
    _endpoint, secret = setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    [got] = srv.received
    header = got.headers["audome-signature"]

    assert node_verify(got.body, header, secret) is True
    assert stripe.WebhookSignature.verify_header(got.body.decode(), header, secret, tolerance=300) is True
    assert stripe.Webhook.construct_event(got.body, header, secret)["id"] == got.json()["id"]

    tampered = got.body.replace(b'"creditsUsed": 1', b'"creditsUsed": 0')
    assert tampered != got.body
    assert node_verify(tampered, header, secret) is False
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(tampered.decode(), header, secret, tolerance=300)
    # And the wrong secret fails too.
    assert node_verify(got.body, header, "whsec_wrong") is False
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(got.body.decode(), header, "whsec_wrong", tolerance=300)


def test_retries_follow_the_schedule_with_the_same_event_id(owner, receiver, no_broker, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0.4, 0.8, 60]
    answers = [(500, {}, b"boom"), (503, {}, b"busy"), (200, {}, b"thanks")]
    srv = receiver(lambda r, i: answers[i])
    setup_endpoint(owner, srv.url("/"))
    event, [delivery] = emit(owner)

    assert delivery_attempt(delivery_id=delivery.id) == DeliveryStatus.RETRYING
    delivery.refresh_from_db()
    first = delivery.attempts.get(number=1)
    assert first.status_code == 500 and first.response_excerpt == "boom"
    assert delivery.next_attempt_at == first.next_retry_at
    assert (first.next_retry_at - first.finished_at).total_seconds() == pytest.approx(0.4, abs=0.01)
    assert no_broker[-1] == {"delivery_id": delivery.id, "countdown": 0.4}  # queued for its retry
    assert delivery_attempt(delivery_id=delivery.id) == "skipped"  # not due yet: nothing sent
    assert len(srv.received) == 1

    _wait_until(delivery.next_attempt_at)
    assert delivery_attempt(delivery_id=delivery.id) == DeliveryStatus.RETRYING
    delivery.refresh_from_db()
    second = delivery.attempts.get(number=2)
    assert (second.next_retry_at - second.finished_at).total_seconds() == pytest.approx(0.8, abs=0.01)

    _wait_until(delivery.next_attempt_at)
    assert delivery_attempt(delivery_id=delivery.id) == DeliveryStatus.SUCCEEDED
    assert [r.json()["id"] for r in srv.received] == [event.id] * 3
    assert {r.body for r in srv.received} == {srv.received[0].body}  # byte-identical body every time
    assert {r.headers["audome-delivery"] for r in srv.received} == {event.id}
    # Each attempt was sent no earlier than the schedule said.
    attempts = list(delivery.attempts.order_by("number"))
    assert attempts[1].started_at >= attempts[0].next_retry_at
    assert attempts[2].started_at >= attempts[1].next_retry_at
    assert [a.status_code for a in attempts] == [500, 503, 200]
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.next_attempt_at is None


def test_after_the_last_retry_the_delivery_is_failed(owner, receiver, no_broker, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0]
    srv = receiver(lambda r, i: (500, {}, b"no"))
    endpoint, _ = setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    results = [delivery_attempt(delivery_id=delivery.id) for _ in range(4)]
    assert results == ["retrying", "retrying", "failed", "skipped"]
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempt_count == 3 and delivery.next_attempt_at is None
    assert len(srv.received) == 3
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 3 and endpoint.last_success_at is None


def test_no_answer_within_the_timeout_is_retried(owner, receiver, no_broker, settings):
    settings.WEBHOOK_TIMEOUT = 0.5

    def slow(r, i):
        time.sleep(2)
        return 200, {}, b"late"

    srv = receiver(slow)
    setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    assert delivery_attempt(delivery_id=delivery.id) == "retrying"
    attempt = delivery.attempts.get()
    assert attempt.outcome == "failed" and attempt.status_code is None and "Timed out" in attempt.error


def test_redirects_are_not_followed(owner, receiver, no_broker):
    elsewhere = receiver()
    srv = receiver(lambda r, i: (302, {"Location": elsewhere.url("/x")}, b""))
    setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    assert delivery_attempt(delivery_id=delivery.id) == "retrying"
    assert delivery.attempts.get().status_code == 302
    assert elsewhere.received == []


def test_response_excerpt_is_at_most_1kb(owner, receiver, no_broker):
    srv = receiver(lambda r, i: (200, {}, "ب" * 4000))
    setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    assert delivery_attempt(delivery_id=delivery.id) == "succeeded"
    excerpt = delivery.attempts.get().response_excerpt
    assert 0 < len(excerpt.encode()) <= 1024 + 3 and excerpt.startswith("ببب")


def test_destination_is_rechecked_at_every_delivery(owner, receiver, no_broker, settings):
    """Saved while private URLs were allowed; at delivery they no longer are → refused, nothing sent."""
    srv = receiver()
    setup_endpoint(owner, srv.url("/"))
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    _event, [delivery] = emit(owner)
    assert delivery_attempt(delivery_id=delivery.id) == "retrying"
    attempt = delivery.attempts.get()
    assert attempt.error.startswith("Refused") and attempt.status_code is None
    assert srv.received == []


def test_dns_that_changes_to_loopback_after_save_is_refused_at_delivery(
        owner, receiver, no_broker, settings, test_ca, monkeypatch):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = ["127.0.0.2/32"]
    settings.AUDOME_FETCH_CA_FILE = str(test_ca.ca_file)
    answer = {"hooks.test": "127.0.0.2"}
    real = socket.getaddrinfo

    def fake(host, port, *a, **kw):
        if host in answer:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[host], port))]
        return real(host, port, *a, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    good = receiver(host="127.0.0.2", tls=test_ca)
    internal = receiver(host="127.0.0.1", tls=test_ca)
    endpoint, secret = setup_endpoint(owner, good.url("/in", host="hooks.test"))

    _event, [d1] = emit(owner)
    assert delivery_attempt(delivery_id=d1.id) == "succeeded"  # https, SNI hooks.test, allowed address
    assert len(good.received) == 1
    assert stripe.WebhookSignature.verify_header(good.received[0].body.decode(),
                                                 good.received[0].headers["audome-signature"], secret)

    answer["hooks.test"] = "127.0.0.1"  # rebinding to loopback
    _event, [d2] = emit(owner)
    assert delivery_attempt(delivery_id=d2.id) == "retrying"
    assert "loopback" in d2.attempts.get().error
    assert internal.received == [] and len(good.received) == 1


def test_rotation_overlap_signs_with_both_secrets_for_24h(owner, receiver, no_broker):
    srv = receiver()
    endpoint, old = setup_endpoint(owner, srv.url("/"))
    endpoint, new = endpoint_rotate_secret(account=owner, endpoint_id=endpoint.id)
    _event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    got = srv.received[-1]
    header = got.headers["audome-signature"]
    assert re.match(r"^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$", header), header
    for secret in (new, old):
        assert stripe.WebhookSignature.verify_header(got.body.decode(), header, secret, tolerance=300)
    assert node_verify(got.body, header, new) is True  # the docs' verifier reads the first v1: the new one

    # After the overlap only the new secret signs.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1))
    _event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    got = srv.received[-1]
    assert SIG_RE.match(got.headers["audome-signature"])
    assert stripe.WebhookSignature.verify_header(got.body.decode(), got.headers["audome-signature"], new)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(got.body.decode(), got.headers["audome-signature"], old)


def test_fan_out_only_to_active_endpoints_subscribed_to_the_type(owner, outsider, no_broker, django_capture_on_commit_callbacks):
    a, _ = endpoint_create(account=owner, url="https://8.8.8.8/a", events=["render.completed"])
    b, _ = endpoint_create(account=owner, url="https://8.8.8.8/b", events=["render.failed", "render.completed"])
    c, _ = endpoint_create(account=owner, url="https://8.8.8.8/c", events=["token.created"])
    d, _ = endpoint_create(account=owner, url="https://8.8.8.8/d", events=["render.completed"])
    WebhookEndpoint.objects.filter(pk=d.pk).update(status="disabled")
    endpoint_create(account=outsider, url="https://8.8.8.8/o", events=["render.completed"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = event_emit(account=owner, type="render.completed", data={})
    assert sorted(dl.endpoint_id for dl in event.deliveries.all()) == sorted([a.id, b.id])
    assert len(callbacks) == 1  # queued on commit, not before
    assert sorted(s["delivery_id"] for s in no_broker) == sorted(dl.id for dl in event.deliveries.all())


def test_two_workers_cannot_attempt_the_same_delivery(owner, receiver, no_broker):
    from webhooks.delivery import _claim

    srv = receiver()
    setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    now = timezone.now()
    assert _claim(delivery.id, now) is not None
    assert _claim(delivery.id, now) is None
    assert delivery_attempt(delivery_id=delivery.id) == "skipped"
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1


def test_sweeper_requeues_lost_messages_and_dead_workers_attempts(owner, receiver, no_broker, settings):
    settings.WEBHOOK_REQUEUE_GRACE = 10
    srv = receiver()
    setup_endpoint(owner, srv.url("/"))
    _e1, [fresh] = emit(owner)
    _e2, [lost] = emit(owner)
    _e3, [stuck] = emit(owner)
    _e4, [later] = emit(owner)
    past = timezone.now() - dt.timedelta(minutes=5)
    Delivery.objects.filter(pk=lost.pk).update(next_attempt_at=past)  # its message vanished with Redis
    Delivery.objects.filter(pk=later.pk).update(status="retrying", next_attempt_at=timezone.now() + dt.timedelta(hours=2))
    # A worker claimed `stuck`, wrote its attempt row, and died: the lease is long gone.
    from webhooks.delivery import _claim

    assert _claim(stuck.id, timezone.now()) is not None
    Delivery.objects.filter(pk=stuck.pk).update(locked_until=past)
    no_broker.clear()

    result = deliveries_sweep()
    assert sorted(s["delivery_id"] for s in no_broker) == sorted([lost.id, stuck.id])
    assert result["queued"] == 2

    assert delivery_attempt(delivery_id=stuck.id) == "succeeded"
    attempts = list(DeliveryAttempt.objects.filter(delivery=stuck).order_by("number"))
    assert [a.outcome for a in attempts] == ["interrupted", "succeeded"]
    assert [r.headers["audome-delivery"] for r in srv.received] == [stuck.event_id]


def test_manual_resend_sends_the_same_event_again(owner, receiver, no_broker, api):
    srv = receiver()
    endpoint, _ = setup_endpoint(owner, srv.url("/"))
    event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    r = api.post(f"/api/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend")
    again = r.json()["delivery"]["id"]
    assert delivery_attempt(delivery_id=again) == "succeeded"
    assert [x.json()["id"] for x in srv.received] == [event.id, event.id]
    assert [x.headers["audome-delivery"] for x in srv.received] == [event.id, event.id]
    log = api.get(f"/api/webhooks/{endpoint.id}/deliveries").json()["deliveries"]
    assert {d["id"]: d["status"] for d in log} == {delivery.id: "succeeded", again: "succeeded"}
    assert log[0]["attempts"][0]["statusCode"] == 200 and log[0]["attempts"][0]["responseTimeMs"] is not None


def test_test_event_through_the_api_arrives_signed(owner, receiver, no_broker, api):
    srv = receiver()
    created = api.post("/api/webhooks", {"url": srv.url("/t"), "events": ["render.completed"]}).json()
    r = api.post(f"/api/webhooks/{created['id']}/test")
    delivery_id = r.json()["delivery"]["id"]
    assert delivery_attempt(delivery_id=delivery_id) == "succeeded"
    got = srv.received[0]
    assert got.headers["audome-event"] == "webhook.test" and got.json()["type"] == "webhook.test"
    assert node_verify(got.body, got.headers["audome-signature"], created["secret"])
    hook = api.get("/api/webhooks").json()["webhooks"][0]
    assert hook["lastSuccessAt"] is not None and hook["lastTriggeredAt"] is not None


def test_body_is_ascii_json_that_parses_back_to_the_data(owner, receiver, no_broker):
    srv = receiver()
    setup_endpoint(owner, srv.url("/"))
    _event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    body = srv.received[0].body
    assert body.isascii()
    assert json.loads(body)["data"]["metadata"]["name"] == "مرحبا بالعالم"


def payload_id(received):
    return json.loads(received.body)["id"]


def _wait_until(moment):
    while timezone.now() < moment:
        time.sleep(0.05)


def test_the_verifier_in_our_docs_accepts_either_secret_during_rotation(owner, receiver, no_broker):
    """The Node.js verifier printed in docs/content/webhooks.md, run under node."""
    import subprocess
    import tempfile
    from pathlib import Path

    from django.conf import settings as s

    doc = (Path(s.BASE_DIR) / "docs" / "content" / "webhooks.md").read_text()
    code = doc.split("export function verifyAudome", 1)[1].split("// Express", 1)[0]
    script = "import crypto from 'node:crypto';\nimport fs from 'node:fs';\nfunction verifyAudome" + code + (
        "const [f, h, k] = process.argv.slice(2);\n"
        "process.stdout.write(verifyAudome(fs.readFileSync(f, 'utf8'), h, k) ? 'valid' : 'invalid');\n")
    srv = receiver()
    endpoint, old = setup_endpoint(owner, srv.url("/"))
    _endpoint, new = endpoint_rotate_secret(account=owner, endpoint_id=endpoint.id)
    _event, [delivery] = emit(owner)
    delivery_attempt(delivery_id=delivery.id)
    got = srv.received[0]
    workdir = Path(tempfile.mkdtemp())
    (workdir / "v.mjs").write_text(script)
    (workdir / "body").write_bytes(got.body)
    (workdir / "tampered").write_bytes(got.body.replace(b"A-17", b"A-18"))

    def run(body_file, secret):
        out = subprocess.run(["/usr/bin/node", str(workdir / "v.mjs"), str(workdir / body_file),
                              got.headers["audome-signature"], secret], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert run("body", new) == "valid" and run("body", old) == "valid"
    assert run("tampered", new) == "invalid" and run("body", "whsec_other") == "invalid"


def test_a_failing_destination_gets_one_attempt_at_a_time(owner, receiver, no_broker, settings,
                                                         django_capture_on_commit_callbacks):
    """So a dead destination can't fill the webhook workers: while one attempt to it is in
    flight, others wait (without spending an attempt) and are re-queued a few seconds later."""
    from webhooks.delivery import _claim

    settings.WEBHOOK_BUSY_POSTPONE = 5
    settings.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = 2
    srv = receiver()
    endpoint, _ = setup_endpoint(owner, srv.url("/"))
    deliveries = [emit(owner)[1][0] for _ in range(4)]
    now = timezone.now()
    assert _claim(deliveries[0].id, now) not in (None, "postponed")
    assert _claim(deliveries[1].id, now) not in (None, "postponed")  # healthy: 2 at once
    no_broker.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_attempt(delivery_id=deliveries[2].id) == "postponed"
    d2 = Delivery.objects.get(pk=deliveries[2].id)
    assert d2.attempt_count == 0 and d2.status == "pending" and d2.next_attempt_at > now
    assert no_broker == [{"delivery_id": d2.id, "countdown": 5.0}]

    # Failing destination: the cap drops to one.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=3)
    Delivery.objects.filter(pk=deliveries[1].pk).update(locked_until=None)
    assert delivery_attempt(delivery_id=deliveries[3].id) == "postponed"
    assert Delivery.objects.get(pk=deliveries[3].pk).next_attempt_at > timezone.now()  # postponed
    Delivery.objects.filter(pk=deliveries[0].pk).update(locked_until=None)  # the in-flight one ended
    Delivery.objects.filter(pk=deliveries[3].pk).update(next_attempt_at=timezone.now())  # its turn came
    assert delivery_attempt(delivery_id=deliveries[3].id) == "succeeded"
    assert srv.received and srv.received[-1].headers["audome-delivery"] == deliveries[3].event_id


def test_sweeper_prunes_finished_deliveries_past_retention(owner, no_broker, settings):
    settings.WEBHOOK_LOG_RETENTION_DAYS = 30
    endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    _e, [old_done] = emit(owner)
    _e, [old_pending] = emit(owner)
    _e, [recent_done] = emit(owner)
    long_ago = timezone.now() - dt.timedelta(days=31)
    Delivery.objects.filter(pk=old_done.pk).update(status="succeeded", created_at=long_ago, next_attempt_at=None)
    Delivery.objects.filter(pk=old_pending.pk).update(status="retrying", created_at=long_ago,
                                                     next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    Delivery.objects.filter(pk=recent_done.pk).update(status="failed", next_attempt_at=None)
    assert deliveries_sweep()["pruned"] == 1
    assert set(Delivery.objects.values_list("id", flat=True)) == {old_pending.id, recent_done.id}
