"""A render worker killed in the middle of a render loses nothing: the generation still ends
(completed after re-delivery or the sweeper, or failed and refunded) and credits are exact.
Real Celery workers (subprocesses), real Chromium, real Postgres and Redis."""
import os
import signal
import time

import pytest
from django.utils import timezone

from billing.models import LedgerEntry
from billing.services import credits_balance
from conftest import client_for, make_account
from rendering import processing
from rendering.models import Generation
from rendering.tests.helpers import URL, wait_status
from webhooks.models import Event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A big, slow canvas: software-rendered blur over a 4096² gradient, encoded as PNG.
SLOW_HTML = (
    "<html><body style='margin:0'>"
    + "".join(
        f"<div style='position:absolute;left:{i * 37 % 3500}px;top:{i * 53 % 3500}px;width:600px;height:600px;"
        f"border-radius:50%;filter:blur(40px);background:radial-gradient(#f{i % 10}0,#0{i % 10}f)'></div>"
        for i in range(60)
    )
    + "</body></html>"
)
QUEUE = "render-kill"


def claimed_while_processing(generation_id: str, timeout: float = 120) -> Generation:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = Generation.objects.get(pk=generation_id)
        if row.status == "processing" and row.claimed_by:
            return row
        assert row.status == "pending", f"finished before it could be killed: {row.status}"
        time.sleep(0.02)
    raise AssertionError("never started processing")


@pytest.fixture
def account(settings):
    settings.RENDER_QUEUE = QUEUE
    return make_account("killed@example.com", credits=3)


def start_render(account) -> tuple[object, str]:
    api = client_for(account, "render-only")
    response = api.post(URL, {"html": SLOW_HTML, "width": 4096, "height": 4096, "async": True})
    assert response.status_code == 202, response.content
    return api, response.json()["generationId"]


def assert_charged_once(account, generation_id: str):
    assert credits_balance(account=account) == 2
    assert list(LedgerEntry.objects.filter(account=account, kind="charge").values_list("reference", flat=True)) == [generation_id]
    assert not LedgerEntry.objects.filter(account=account, kind="refund").exists()


def test_pool_process_killed_mid_render_is_redelivered_and_completes(celery_worker_factory, account):
    worker = celery_worker_factory(queues=QUEUE, env={"RENDER_QUEUE": QUEUE})
    api, generation_id = start_render(account)
    row = claimed_while_processing(generation_id)
    pid = int(row.claimed_by.rsplit(":", 1)[1])
    assert pid in worker.pool_pids()
    os.kill(pid, signal.SIGKILL)

    record = wait_status(api, generation_id, timeout=240)
    assert record["status"] == "completed", record
    assert record["imageUrl"] and record["width"] == 4096
    row = Generation.objects.get(pk=generation_id)
    assert row.attempts == 2 and int(row.claimed_by.rsplit(":", 1)[1]) != pid
    assert worker.alive()
    assert_charged_once(account, generation_id)
    assert Event.objects.filter(account=account, type="render.completed").count() == 1


def test_whole_worker_killed_then_the_sweeper_requeues_and_it_completes(celery_worker_factory, account, settings):
    worker = celery_worker_factory(queues=QUEUE, env={"RENDER_QUEUE": QUEUE, "RENDER_JOB_TIMEOUT": "3"})
    api, generation_id = start_render(account)
    claimed_while_processing(generation_id)
    worker.kill(signal.SIGKILL)  # main process, pool and Chromium: nothing acknowledges the message
    assert Generation.objects.get(pk=generation_id).status == "processing"

    celery_worker_factory(queues=QUEUE, env={"RENDER_QUEUE": QUEUE}, purge=False)
    while Generation.objects.get(pk=generation_id).deadline > timezone.now():
        time.sleep(0.2)
    assert processing.generations_sweep()["requeued"] == 1
    record = wait_status(api, generation_id, timeout=240)
    assert record["status"] == "completed", record
    assert_charged_once(account, generation_id)


def test_worker_lost_too_often_fails_and_refunds(celery_worker_factory, account, settings):
    settings.RENDER_MAX_ATTEMPTS = 1
    worker = celery_worker_factory(queues=QUEUE, env={"RENDER_QUEUE": QUEUE, "RENDER_JOB_TIMEOUT": "2"})
    api, generation_id = start_render(account)
    claimed_while_processing(generation_id)
    worker.kill(signal.SIGKILL)
    while Generation.objects.get(pk=generation_id).deadline > timezone.now():
        time.sleep(0.2)
    assert processing.generations_sweep()["failed"] == 1
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert record["status"] == "failed" and record["creditsUsed"] == 0 and record["error"]
    assert credits_balance(account=account) == 3
    assert LedgerEntry.objects.get(account=account, kind="refund").reference == generation_id
    assert Event.objects.get(account=account, type="render.failed").data["generationId"] == generation_id
