"""End to end with REAL Celery workers on the `webhooks` queue: retries on the (shrunk)
schedule arrive with the same event id, and a worker killed mid-delivery loses nothing."""
import threading
import time

import pytest
from django.conf import settings as django_settings

from webhooks.models import Delivery, DeliveryAttempt
from webhooks.tests.conftest import node_verify

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_ENV = {
    "AUDOME_ALLOW_PRIVATE_URLS": "1",  # the receiver is on loopback
    "WEBHOOK_RETRY_SCHEDULE": "1,2,60",
    "WEBHOOK_LEASE_SECONDS": "3",
    "WEBHOOK_REQUEUE_GRACE": "1",
}


@pytest.fixture(autouse=True)
def _private_urls(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_SCHEDULE = [1, 2, 60]
    settings.WEBHOOK_LEASE_SECONDS = 3
    settings.WEBHOOK_REQUEUE_GRACE = 1


def wait_for(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def test_beat_runs_the_sweeper_and_deliveries_have_their_own_queue():
    assert django_settings.CELERY_BEAT_SCHEDULE["webhooks-deliveries-sweep"]["task"] == "webhooks.deliveries_sweep"
    assert django_settings.CELERY_TASK_ROUTES["webhooks.deliver"] == {"queue": "webhooks"}


def test_receiver_failing_twice_gets_the_third_attempt_with_the_same_id(api, receiver, celery_worker_factory):
    answers = [(500, {}, b"down"), (502, {}, b"still down"), (200, {}, b"got it")]
    srv = receiver(lambda r, i: answers[min(i, 2)])
    created = api.post("/api/webhooks", {"url": srv.url("/hook"), "events": ["token.created"]}).json()
    worker = celery_worker_factory(queues="webhooks", env=WORKER_ENV)

    api.post("/api/tokens", {"name": "fires token.created"})  # the event, through the outbox
    wait_for(lambda: len(srv.received) >= 3, timeout=60, message="three attempts")
    worker.stop()

    ids = [r.json()["id"] for r in srv.received]
    assert len(ids) == 3 and len(set(ids)) == 1 and ids[0].startswith("evt_")
    assert all(r.json()["type"] == "token.created" for r in srv.received)
    assert all(node_verify(r.body, r.headers["audome-signature"], created["secret"]) for r in srv.received)
    delivery = Delivery.objects.get(endpoint_id=created["id"])
    assert delivery.status == "succeeded" and delivery.attempt_count == 3
    attempts = list(delivery.attempts.order_by("number"))
    assert [a.status_code for a in attempts] == [500, 502, 200]
    # Each retry waited for its scheduled moment: 1 s after the first failure, 2 s after the second.
    assert round((attempts[0].next_retry_at - attempts[0].finished_at).total_seconds()) == 1
    assert round((attempts[1].next_retry_at - attempts[1].finished_at).total_seconds()) == 2
    assert attempts[1].started_at >= attempts[0].next_retry_at
    assert attempts[2].started_at >= attempts[1].next_retry_at

    log = api.get(f"/api/webhooks/{created['id']}/deliveries").json()["deliveries"]
    assert [a["statusCode"] for a in log[0]["attempts"]] == [500, 502, 200]
    assert log[0]["attempts"][0]["responseExcerpt"] == "down" and log[0]["attempts"][0]["nextRetryAt"]


def test_worker_killed_mid_delivery_the_sweeper_delivers_it(api, receiver, celery_worker_factory):
    first_arrived = threading.Event()

    def handler(r, i):
        if i == 0:
            first_arrived.set()
            time.sleep(8)  # the worker dies while we hold its request
            return 200, {}, b"too late"
        return 200, {}, b"ok"

    srv = receiver(handler)
    created = api.post("/api/webhooks", {"url": srv.url("/hook"), "events": ["render.completed"]}).json()
    doomed = celery_worker_factory(queues="webhooks", env=WORKER_ENV)
    r = api.post(f"/api/webhooks/{created['id']}/test")
    delivery_id = r.json()["delivery"]["id"]
    assert first_arrived.wait(60), "the first attempt never arrived"
    doomed.kill()  # SIGKILL, whole process group, mid-POST
    attempt = DeliveryAttempt.objects.get(delivery_id=delivery_id)
    assert attempt.outcome == "in_progress"  # recorded before the POST, never finished

    survivor = celery_worker_factory(queues="webhooks,default", env=WORKER_ENV, purge=False)
    from webhooks.tasks import deliveries_sweep

    def swept_and_delivered():
        deliveries_sweep.delay()  # what beat does every WEBHOOK_SWEEP_INTERVAL seconds
        time.sleep(0.5)
        return Delivery.objects.get(pk=delivery_id).status == "succeeded"

    wait_for(swept_and_delivered, timeout=60, message="the sweeper to re-deliver")
    survivor.stop()
    assert len(srv.received) == 2
    assert srv.received[0].body == srv.received[1].body
    assert {x.headers["audome-delivery"] for x in srv.received} == {srv.received[0].json()["id"]}
    outcomes = list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("number")
                    .values_list("outcome", flat=True))
    assert outcomes == ["interrupted", "succeeded"]


def test_pool_process_killed_mid_delivery_is_taken_over_without_waiting_for_the_lease(
        api, receiver, celery_worker_factory, settings):
    """Only the process running the task dies: Celery re-queues the message at once, and the
    next process sees the lease holder is a dead process on this host and takes over (the 60 s
    lease need not run out; no sweeper involved)."""
    import os
    import signal

    settings.WEBHOOK_LEASE_SECONDS = 60
    first_arrived = threading.Event()

    def handler(r, i):
        if i == 0:
            first_arrived.set()
            time.sleep(8)
            return 200, {}, b"too late"
        return 200, {}, b"ok"

    srv = receiver(handler)
    created = api.post("/api/webhooks", {"url": srv.url("/hook"), "events": ["render.completed"]}).json()
    worker = celery_worker_factory(queues="webhooks", env={**WORKER_ENV, "WEBHOOK_LEASE_SECONDS": "60",
                                                           "WEBHOOK_REQUEUE_GRACE": "600"})
    delivery_id = api.post(f"/api/webhooks/{created['id']}/test").json()["delivery"]["id"]
    assert first_arrived.wait(60)
    [child] = worker.pool_pids()
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "succeeded", timeout=40,
             message="the re-queued task to deliver")
    worker.stop()
    assert len(srv.received) == 2 and srv.received[0].body == srv.received[1].body
    outcomes = list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("number")
                    .values_list("outcome", flat=True))
    assert outcomes == ["interrupted", "succeeded"]


def test_whole_worker_killed_mid_delivery_a_restarted_worker_delivers_it(api, receiver, celery_worker_factory,
                                                                        settings):
    """No beat, no manual sweep, the default 60 s lease: the worker that starts next finds the
    delivery whose process is gone and sends it."""
    settings.WEBHOOK_LEASE_SECONDS = 60
    first_arrived = threading.Event()

    def handler(r, i):
        if i == 0:
            first_arrived.set()
            time.sleep(8)
            return 200, {}, b"too late"
        return 200, {}, b"ok"

    env = {**WORKER_ENV, "WEBHOOK_LEASE_SECONDS": "60"}
    srv = receiver(handler)
    created = api.post("/api/webhooks", {"url": srv.url("/hook"), "events": ["render.completed"]}).json()
    doomed = celery_worker_factory(queues="webhooks", env=env)
    delivery_id = api.post(f"/api/webhooks/{created['id']}/test").json()["delivery"]["id"]
    assert first_arrived.wait(60)
    doomed.kill()
    assert Delivery.objects.get(pk=delivery_id).status == "pending"

    celery_worker_factory(queues="webhooks", env=env, purge=False)
    wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "succeeded", timeout=40,
             message="the restarted worker to deliver")
    assert len(srv.received) == 2 and srv.received[0].body == srv.received[1].body


def test_a_real_render_notifies_the_destination_with_its_metadata(render_worker, api, receiver, celery_worker_factory):
    """POST /api/render/generate → the render worker renders → render.completed goes out through
    the outbox to a webhooks worker → the destination gets it, signed, with the request's metadata."""
    import stripe

    from rendering.tests.helpers import URL, solid_html

    srv = receiver()
    created = api.post("/api/webhooks", {"url": srv.url("/audome"), "events": ["render.completed"]}).json()
    celery_worker_factory(queues="webhooks", env=WORKER_ENV)
    r = api.post(URL, {"html": solid_html("#336699"), "width": 64, "height": 32, "metadata": {"orderId": "A-17"}})
    assert r.status_code == 200, r.content
    wait_for(lambda: len(srv.received) == 1, timeout=60, message="render.completed to arrive")
    got = srv.received[0]
    assert got.headers["audome-event"] == "render.completed"
    payload = got.json()
    assert payload["type"] == "render.completed" and payload["data"]["generationId"] == r.json()["generationId"]
    assert payload["data"]["metadata"] == {"orderId": "A-17"} and payload["data"]["imageUrl"] == r.json()["imageUrl"]
    assert stripe.WebhookSignature.verify_header(got.body.decode(), got.headers["audome-signature"], created["secret"])


def test_a_hanging_destination_does_not_hold_up_another_customers_delivery(api, receiver, celery_worker_factory,
                                                                          outsider_api):
    """Two worker processes; one customer's destination hangs on every request and has several
    events queued first. It gets one attempt at a time, so the other process delivers the second
    customer's event while the hanging request is still open."""
    release = threading.Event()
    in_flight, most_at_once = [0], [0]
    lock = threading.Lock()

    def hanging(r, i):
        with lock:
            in_flight[0] += 1
            most_at_once[0] = max(most_at_once[0], in_flight[0])
        release.wait(20)
        with lock:
            in_flight[0] -= 1
        return 200, {}, b"finally"

    slow = receiver(hanging)
    fast = receiver()
    api.post("/api/webhooks", {"url": slow.url("/slow"), "events": ["render.completed"]})
    other = outsider_api.post("/api/webhooks", {"url": fast.url("/fast"), "events": ["render.completed"]}).json()
    # The production lease (60 s), longer than an attempt's timeout: the suite's 3 s lease would let a
    # second process take the hanging delivery over on a slow machine and open a second request.
    celery_worker_factory(queues="webhooks", concurrency=2, env={**WORKER_ENV, "WEBHOOK_LEASE_SECONDS": "60"})
    slow_id = api.get("/api/webhooks").json()["webhooks"][0]["id"]
    for _ in range(4):
        api.post(f"/api/webhooks/{slow_id}/test")
    wait_for(lambda: len(slow.received) >= 1, timeout=30, message="the hanging destination to be called")
    outsider_api.post(f"/api/webhooks/{other['id']}/test")
    try:
        wait_for(lambda: len(fast.received) == 1, timeout=30, message="the other customer's delivery")
        assert not release.is_set() and in_flight[0] == 1  # the hanging request is still open
    finally:
        release.set()
    assert most_at_once[0] == 1
