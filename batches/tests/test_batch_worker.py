"""Batches end to end with REAL Celery workers (subprocesses), real Chromium, Postgres and
Redis: a row whose image can't be fetched fails and is refunded while the rest complete
(partial), the ZIP against its manifest, per-row webhooks only when asked, cancel half-way, a
worker killed mid-batch (no row charged twice, none lost)."""
import csv
import io
import signal
import time
import zipfile

import pytest
from PIL import Image

from batches.models import BatchRow
from batches.processing import batches_sweep
from batches.tests.conftest import BROKEN_IMAGE, URL, make_project, rows_of, wait_batch
from billing.models import LedgerEntry
from billing.services import credits_balance
from conftest import client_for, make_account
from rendering import processing as render_processing
from rendering.models import Generation
from webhooks.models import Event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def download(api, batch_id: str) -> tuple[object, zipfile.ZipFile]:
    response = api.get(f"{URL}/{batch_id}/download")
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    assert response.streaming and response["Content-Type"] == "application/zip"
    return response, zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def manifest_of(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))


def ledger(account) -> list[tuple[str, int, str]]:
    return sorted(LedgerEntry.objects.filter(account=account, kind__in=["charge", "refund"])
                  .values_list("kind", "amount", "reference"))


def test_a_row_whose_image_fails_is_refunded_the_rest_complete_and_the_zip_matches(render_worker, api, owner):
    project = make_project(owner)
    rows = rows_of("Alpha", "Beta") + [{"data": {"title.text": "Gamma", "photo.img": BROKEN_IMAGE}}] + \
        rows_of("Delta", "Epsilon", metadata={"campaign": "spring"})
    response = api.post(URL, {"projectId": str(project.pk), "rows": rows})
    assert response.status_code == 202, response.content
    batch_id = response.json()["batchId"]
    assert credits_balance(account=owner) == 95

    body = wait_batch(api, batch_id)
    assert body["status"] == "partial", body
    assert body["counts"] == {"total": 5, "done": 4, "failed": 1, "canceled": 0, "pending": 0, "processing": 0}
    assert body["progress"] == 1.0
    by_row = {r["row"]: r for r in body["rows"]}
    assert by_row[3]["status"] == "failed" and "photo.img" in by_row[3]["error"]
    assert by_row[3]["imageUrl"] is None
    for number in (1, 2, 4, 5):
        assert by_row[number]["status"] == "completed" and by_row[number]["imageUrl"], by_row[number]
        assert by_row[number]["generationId"].startswith("gen_") and by_row[number]["error"] is None
    assert by_row[4]["metadata"] == {"campaign": "spring"}

    # One reservation, one refund (the failed row), nothing else — and the balance says so.
    assert credits_balance(account=owner) == 96
    assert ledger(owner) == [("charge", -5, batch_id), ("refund", 1, by_row[3]["generationId"])]
    assert Generation.objects.get(pk=by_row[3]["generationId"]).credits_used == 0
    # Each row is a generation of its own, filed under the "batch" source (the Renders page filters by it).
    assert set(Generation.objects.filter(account=owner).values_list("source", flat=True)) == {"batch"}

    # batch.completed once, with the counts and the download URL; no per-row events unless asked.
    events = list(Event.objects.filter(account=owner, type="batch.completed"))
    assert len(events) == 1 and events[0].data["batchId"] == batch_id
    assert events[0].data["status"] == "partial" and events[0].data["counts"]["done"] == 4
    assert events[0].data["downloadUrl"].endswith(f"/api/render/batches/{batch_id}/download")
    assert not Event.objects.filter(account=owner, type__in=["render.completed", "render.failed"]).exists()

    response, archive = download(api, batch_id)
    assert response["Content-Disposition"] == f'attachment; filename="{batch_id}.zip"'
    assert archive.testzip() is None
    manifest = manifest_of(archive)
    assert [(m["row"], m["status"]) for m in manifest] == [("1", "completed"), ("2", "completed"), ("3", "failed"),
                                                           ("4", "completed"), ("5", "completed")]
    assert manifest[2]["file"] == "" and "photo.img" in manifest[2]["error"]
    images = sorted(n for n in archive.namelist() if n != "manifest.csv")
    assert images == sorted(m["file"] for m in manifest if m["status"] == "completed")
    assert images == ["row-00001.png", "row-00002.png", "row-00004.png", "row-00005.png"]
    for name in images:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG" and image.size == (240, 160)
        assert image.convert("RGB").getpixel((220, 135)) == (255, 0, 0)  # the template's red shape
    # Each file is the generation's own image, byte for byte.
    from django.core.files.storage import default_storage

    for m in manifest:
        if m["status"] == "completed":
            with default_storage.open(Generation.objects.get(pk=m["generationId"]).output, "rb") as f:
                assert archive.read(m["file"]) == f.read()


def test_per_row_webhooks_only_when_asked_and_jpeg_rows(render_worker, api, owner):
    project = make_project(owner)
    response = api.post(URL, {"projectId": str(project.pk), "format": "jpeg", "notifyEachRow": True,
                              "rows": rows_of("One", "Two", metadata={"k": "v"})})
    assert response.status_code == 202, response.content
    body = wait_batch(api, response.json()["batchId"])
    assert body["status"] == "completed" and body["counts"]["done"] == 2
    events = list(Event.objects.filter(account=owner, type="render.completed"))
    assert sorted(e.data["generationId"] for e in events) == sorted(r["generationId"] for r in body["rows"])
    assert all(e.data["metadata"] == {"k": "v"} and e.data["format"] == "jpeg" for e in events)
    _, archive = download(api, body["batchId"])
    assert sorted(archive.namelist()) == ["manifest.csv", "row-00001.jpg", "row-00002.jpg"]
    assert Image.open(io.BytesIO(archive.read("row-00001.jpg"))).format == "JPEG"
    # Under an ASGI server the same bytes come from the async iterator (each step in a thread).
    from asgiref.sync import async_to_sync

    from batches.archive import zip_chunks, zip_chunks_async
    from batches.models import Batch

    async def collect(batch):
        return [chunk async for chunk in zip_chunks_async(batch)]

    batch = Batch.objects.get(pk=body["batchId"])
    streamed = async_to_sync(collect)(batch)
    assert len(streamed) > 2 and b"".join(streamed) == b"".join(zip_chunks(batch))


def test_cancel_half_way_refunds_what_had_not_started(celery_worker_factory, owner, api, settings):
    settings.RENDER_QUEUE = queue = "render-batch-cancel"
    settings.BATCH_IN_FLIGHT_PER_ACCOUNT = 2
    celery_worker_factory(queues=queue, env={"RENDER_QUEUE": queue, "BATCH_IN_FLIGHT_PER_ACCOUNT": "2"})
    project = make_project(owner)
    batch_id = api.post(URL, {"projectId": str(project.pk),
                              "rows": rows_of(*[f"Row {i}" for i in range(1, 31)])}).json()["batchId"]
    deadline = time.monotonic() + 120
    while BatchRow.objects.filter(batch_id=batch_id, status="completed").count() < 3:
        assert time.monotonic() < deadline, "the batch did not start"
        time.sleep(0.05)
    response = api.post(f"{URL}/{batch_id}/cancel")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "canceled"

    body = wait_batch(api, batch_id, statuses=("canceled",))
    counts = body["counts"]
    assert counts["done"] >= 3 and counts["canceled"] >= 10, counts
    assert counts["done"] + counts["canceled"] + counts["failed"] == 30 and counts["failed"] == 0
    # Rows that were waiting were refunded by the batch, rows whose render was still pending by
    # rendering — each once; the balance is what the completed rows cost.
    time.sleep(1)  # anything still in the queue is skipped by the worker, not rendered
    assert credits_balance(account=owner) == 100 - counts["done"]
    entries = ledger(owner)
    assert entries[0] == ("charge", -30, batch_id)
    assert sum(amount for kind, amount, _ in entries if kind == "refund") == counts["canceled"]
    refs = [ref for kind, _, ref in entries if kind == "refund" and ref != batch_id]
    assert len(refs) == len(set(refs))
    assert Generation.objects.filter(account=owner, status="completed").count() == counts["done"]
    event = Event.objects.get(account=owner, type="batch.completed")
    assert event.data["status"] == "canceled" and event.data["counts"] == counts
    _, archive = download(api, batch_id)
    assert len(archive.namelist()) == counts["done"] + 1


def test_worker_killed_mid_batch_loses_no_row_and_charges_none_twice(celery_worker_factory, settings):
    queue = "render-batch-kill"
    settings.RENDER_QUEUE = queue
    settings.RENDER_PENDING_TIMEOUT = 3
    env = {"RENDER_QUEUE": queue, "RENDER_JOB_TIMEOUT": "3", "RENDER_PENDING_TIMEOUT": "3"}
    worker = celery_worker_factory(queues=queue, env=env)
    account = make_account("killed-batch@example.com", credits=20)
    api = client_for(account, "render-only")
    project = make_project(account)
    batch_id = api.post(URL, {"projectId": str(project.pk),
                              "rows": rows_of(*[f"Row {i}" for i in range(1, 13)])}).json()["batchId"]
    deadline = time.monotonic() + 120
    while not (BatchRow.objects.filter(batch_id=batch_id, status="completed").count() >= 2
               and Generation.objects.filter(account=account, status="processing").exists()):
        assert time.monotonic() < deadline, "never caught a row rendering"
        time.sleep(0.01)
    worker.kill(signal.SIGKILL)  # main process, pool and Chromium at once, mid-render
    assert BatchRow.objects.filter(batch_id=batch_id).exclude(status="completed").exists()

    celery_worker_factory(queues=queue, env=env, purge=False)
    deadline = time.monotonic() + 240
    while api.get(f"{URL}/{batch_id}").json()["completedAt"] is None:
        assert time.monotonic() < deadline, api.get(f"{URL}/{batch_id}?limit=100").json()
        render_processing.generations_sweep()  # what beat does: stuck generations are re-queued
        batches_sweep()
        time.sleep(0.5)
    body = api.get(f"{URL}/{batch_id}?limit=100").json()
    assert body["status"] == "completed" and body["counts"]["done"] == 12, body["counts"]
    # One generation per row, each charged once (by the batch), no refund, nothing lost.
    generation_ids = [r["generationId"] for r in body["rows"]]
    assert len(set(generation_ids)) == 12
    assert Generation.objects.filter(account=account).count() == 12
    assert ledger(account) == [("charge", -12, batch_id)]
    assert credits_balance(account=account) == 8
    assert Event.objects.filter(account=account, type="batch.completed").count() == 1
    _, archive = download(api, batch_id)
    assert len([n for n in archive.namelist() if n.endswith(".png")]) == 12


def test_another_accounts_single_render_goes_ahead_of_queued_batch_rows(render_worker, api, owner, project):
    """A's rows wait in the render queue's bulk list; B's sync generate, sent after they were
    queued, is rendered before them — it waits for the row being rendered, not for A's queue."""
    response = api.post(URL, {"projectId": str(project.pk), "rows": rows_of(*[f"Row {i}" for i in range(12)])})
    assert response.status_code == 202, response.content
    other = make_account("fair-b@example.com", credits=5)
    b_project = make_project(other, name="B's card")
    b = client_for(other, "render-only").post("/api/render/generate", {"projectId": str(b_project.pk),
                                                                        "data": {"title.text": "B first"}})
    assert b.status_code == 200, b.content
    from rendering.services import single_renders_active

    assert single_renders_active()  # the batch now leaves a renderer free for the next one
    b_generation = Generation.objects.get(pk=b.json()["generationId"])
    queued_before_b = Generation.objects.filter(account=owner, created_at__lt=b_generation.created_at)
    assert queued_before_b.count() >= 3  # the batch had rows queued when B asked
    overtaken = [g for g in queued_before_b if g.started_at is None or g.started_at > b_generation.started_at]
    assert len(overtaken) >= 2, [(g.created_at, g.started_at) for g in queued_before_b]
    assert wait_batch(api, response.json()["batchId"])["status"] == "completed"
