"""Generations without a worker: jobs stay pending (nothing consumes them), so cancel, delete,
the in-flight limit, idempotency and the sweeper can be driven exactly."""
import datetime as dt

import pytest
from django.utils import timezone

from billing.models import LedgerEntry
from billing.services import credits_balance
from conftest import client_for, make_account
from rendering import processing
from rendering.models import Generation, IdempotencyRecord
from rendering.tests.helpers import URL, in_threads, solid_html
from webhooks.models import Event

HTML = solid_html("#000")


def accept(api, **extra):
    response = api.post(URL, {"html": HTML, "width": 10, "height": 10, "async": True, **extra})
    assert response.status_code == 202, response.content
    return response.json()["generationId"]


@pytest.mark.django_db
def test_accepting_holds_one_credit_with_the_generation_as_reference(api, owner):
    generation_id = accept(api)
    assert credits_balance(account=owner) == 99
    entry = LedgerEntry.objects.get(account=owner, kind="charge")
    assert entry.reference == generation_id and entry.amount == -1
    record = api.get(f"/api/render/generations/{generation_id}").json()
    # Held, not yet used: the record says 0 until the render succeeds (contract: "taken when it succeeds").
    assert record["status"] == "pending" and record["creditsUsed"] == 0 and "imageUrl" not in record
    assert record["width"] == 10 and record["format"] == "png" and record["projectId"] is None


@pytest.mark.django_db
def test_html_defaults_to_1080_square(api):
    generation_id = accept(api, width=None, height=None)
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert (record["width"], record["height"]) == (1080, 1080)


@pytest.mark.django_db
def test_cancel_pending_refunds_and_the_task_then_does_nothing(api, owner):
    generation_id = accept(api)
    response = api.post(f"/api/render/generations/{generation_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    assert response.json()["creditsUsed"] == 0
    assert credits_balance(account=owner) == 100
    refund = LedgerEntry.objects.get(account=owner, kind="refund")
    assert refund.reference == generation_id and refund.amount == 1
    again = api.post(f"/api/render/generations/{generation_id}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    assert credits_balance(account=owner) == 100
    # The queued task finds it canceled and returns quietly.
    assert processing.generation_render(generation_id=generation_id) == "skipped"
    assert Generation.objects.get(pk=generation_id).status == "canceled"


@pytest.mark.django_db
def test_cancel_needs_render_scope_and_processing_is_409(owner, api):
    generation_id = accept(api)
    read_only = client_for(owner, "read-only")
    assert read_only.post(f"/api/render/generations/{generation_id}/cancel").status_code == 403
    Generation.objects.filter(pk=generation_id).update(status="processing")
    response = client_for(owner, "render-only").post(f"/api/render/generations/{generation_id}/cancel")
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert credits_balance(account=owner) == 99


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "processing"])
def test_delete_while_in_flight_is_409(api, owner, status):
    generation_id = accept(api)
    Generation.objects.filter(pk=generation_id).update(status=status)
    response = api.delete(f"/api/render/generations/{generation_id}")
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert Generation.objects.filter(pk=generation_id).exists()


@pytest.mark.django_db
def test_outsider_gets_404_everywhere_and_nothing_changes(api, outsider_api, owner):
    generation_id = accept(api)
    assert outsider_api.get(f"/api/render/generations/{generation_id}").json()["code"] == "NOT_FOUND"
    assert outsider_api.post(f"/api/render/generations/{generation_id}/cancel").status_code == 404
    assert outsider_api.delete(f"/api/render/generations/{generation_id}").status_code == 404
    assert outsider_api.get("/api/render/generations").json()["pagination"]["totalCount"] == 0
    assert Generation.objects.get(pk=generation_id).status == "pending"
    assert credits_balance(account=owner) == 99
    assert api.get("/api/render/generations/gen_nope").json()["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_list_paginates_and_filters(api, owner):
    ids = [accept(api) for _ in range(3)]
    api.post(f"/api/render/generations/{ids[0]}/cancel")
    page = api.get("/api/render/generations?limit=2").json()
    assert page["success"] is True
    assert [g["generationId"] for g in page["generations"]] == [ids[2], ids[1]]
    assert page["pagination"] == {"page": 1, "limit": 2, "totalCount": 3, "totalPages": 2, "hasNext": True}
    assert [g["generationId"] for g in api.get("/api/render/generations?status=canceled").json()["generations"]] == [ids[0]]
    assert api.get("/api/render/generations?status=bogus").json()["code"] == "VALIDATION_FAILED"
    assert api.get("/api/render/generations?limit=101").status_code == 400
    assert api.get("/api/render/generations?projectId=00000000-0000-0000-0000-000000000000").json()["generations"] == []


@pytest.mark.django_db
def test_at_most_ten_in_flight_then_429_with_retry_after(api, owner):
    for _ in range(10):
        accept(api)
    response = api.post(URL, {"html": HTML, "async": True})
    assert response.status_code == 429 and response.json()["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) >= 1
    assert credits_balance(account=owner) == 90
    assert Generation.objects.filter(account=owner).count() == 10
    # A 429 does not use an idempotency key up.
    limited = api.post(URL, {"html": HTML, "async": True}, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert limited.status_code == 429
    api.post(f"/api/render/generations/{Generation.objects.filter(account=owner).first().pk}/cancel")
    retried = api.post(URL, {"html": HTML, "async": True}, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert retried.status_code == 202
    replay = api.post(URL, {"html": HTML, "async": True}, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert replay.status_code == 202 and replay.json() == retried.json()
    assert credits_balance(account=owner) == 90


@pytest.mark.django_db(transaction=True)
def test_idempotency_key_in_use_by_a_running_request_is_409(settings):
    settings.RENDER_QUEUE = "parked-never-consumed"
    settings.RENDER_SYNC_TIMEOUT = 2
    account = make_account("idem@example.com", credits=10)
    first_client, second_client = client_for(account, "render-only"), client_for(account, "render-only")
    body = {"html": HTML, "width": 10, "height": 10}

    def first():
        return first_client.post(URL, body, HTTP_IDEMPOTENCY_KEY="running-key")

    def second():
        import time

        time.sleep(0.7)  # the first request is waiting for its render by now
        return second_client.post(URL, body, HTTP_IDEMPOTENCY_KEY="running-key")

    slow, early = in_threads([first, second])
    assert early.status_code == 409 and early.json()["code"] == "CONFLICT"
    assert slow.status_code == 202  # the sync wait ran out: answered with the generation id
    replay = second_client.post(URL, body, HTTP_IDEMPOTENCY_KEY="running-key")
    assert replay.status_code == 202 and replay.json() == slow.json()
    assert credits_balance(account=account) == 9
    assert IdempotencyRecord.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_sweeper_requeues_stuck_processing_then_fails_and_refunds(api, owner, settings):
    settings.RENDER_MAX_ATTEMPTS = 2
    generation_id = accept(api)
    past = timezone.now() - dt.timedelta(seconds=1)
    Generation.objects.filter(pk=generation_id).update(status="processing", attempts=1, deadline=past,
                                                       claimed_by="elsewhere:1")
    assert processing.generations_sweep()["requeued"] == 1
    row = Generation.objects.get(pk=generation_id)
    assert row.status == "pending" and row.claimed_by == "" and row.deadline > timezone.now()
    Generation.objects.filter(pk=generation_id).update(status="processing", attempts=2, deadline=past,
                                                       claimed_by="elsewhere:2")
    assert processing.generations_sweep()["failed"] == 1
    row = Generation.objects.get(pk=generation_id)
    assert row.status == "failed" and row.credits_used == 0 and row.error
    assert credits_balance(account=owner) == 100
    event = Event.objects.get(account=owner, type="render.failed")
    assert event.data["generationId"] == generation_id and event.data["error"]
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert record["status"] == "failed" and record["error"] and "imageUrl" not in record
    # Sweeping again changes nothing (the refund happened once).
    processing.generations_sweep()
    assert credits_balance(account=owner) == 100


@pytest.mark.django_db
def test_sweeper_fails_a_job_no_worker_ever_took(api, owner, settings):
    settings.RENDER_MAX_REQUEUES = 1
    generation_id = accept(api)
    past = timezone.now() - dt.timedelta(seconds=1)
    Generation.objects.filter(pk=generation_id).update(deadline=past)
    assert processing.generations_sweep()["requeued"] == 1
    Generation.objects.filter(pk=generation_id).update(deadline=past)
    assert processing.generations_sweep()["failed"] == 1
    assert Generation.objects.get(pk=generation_id).status == "failed"
    assert credits_balance(account=owner) == 100


@pytest.mark.django_db
def test_usage_reports_pending_renders(api, owner):
    accept(api)
    accept(api)
    usage = api.get("/api/account/usage").json()
    assert usage["pendingRenders"] == 2 and usage["avgRenderMs"] is None


@pytest.mark.django_db
def test_status_changes_are_pushed_live_to_the_account_group(api, owner):
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from core.live import account_group

    layer = get_channel_layer()

    async def subscribe():
        channel = await layer.new_channel()
        await layer.group_add(account_group(owner.pk), channel)
        return channel

    async def receive(channel):
        return await asyncio.wait_for(layer.receive(channel), timeout=10)

    channel = async_to_sync(subscribe)()
    generation_id = accept(api)
    message = async_to_sync(receive)(channel)
    assert message["type"] == "live.event" and message["event"] == "generation.updated"
    assert message["payload"]["generationId"] == generation_id and message["payload"]["status"] == "pending"
    api.post(f"/api/render/generations/{generation_id}/cancel")
    message = async_to_sync(receive)(channel)
    assert message["payload"]["status"] == "canceled"
