"""POST /api/render/preview end to end: the test process is the API, a REAL preview worker
(`celery -A config worker -Q preview`) renders with the real engine (Chromium)."""
import io
import threading
import time
from urllib.parse import urlparse

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image

from billing.models import LedgerEntry
from billing.services import credits_balance
from core.redis import get_redis
from projects.models import Project
from rendering.models import Generation
from rendering.preview import cache, services
from rendering.preview.tests.conftest import BACKGROUND, BAR, HEIGHT, WIDTH

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

URL = "/api/render/preview"


def preview(api, project, data=None):
    body = {"projectId": project["id"]}
    if data is not None:
        body["data"] = data
    return api.post(URL, body)


def fetch(client, url: str) -> tuple[object, bytes]:
    response = client.get(urlparse(url).path)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


def name_of(url: str) -> str:
    return urlparse(url).path.removeprefix("/media/")


def renders_done() -> int:
    return int(get_redis().get(services.RENDERS) or 0)


def test_miss_then_hit_shape_pixels_and_no_credits(preview_worker, api, owner, project):
    before_ms = int(time.time() * 1000)
    first = preview(api, project, {"title.text": "Hello preview"})
    assert first.status_code == 200, first.content
    body = first.json()
    assert set(body) == {"success", "previewUrl", "expiresAt", "watermarked", "lowRes", "cached", "rateLimit",
                         "generationTime"}
    assert body["success"] is True and body["watermarked"] is False and body["lowRes"] is True
    assert body["cached"] is False
    assert isinstance(body["generationTime"], int) and body["generationTime"] > 0
    assert before_ms + 3_590_000 <= body["expiresAt"] <= int(time.time() * 1000) + 3_600_000
    assert body["rateLimit"]["remaining"] == 29 and body["rateLimit"]["resetAt"] >= before_ms + 59_000
    path = urlparse(body["previewUrl"]).path
    assert path.startswith(f"/media/previews/{owner.pk}/preview-") and path.endswith(".webp")
    assert first["X-RateLimit-Limit-Minute"] == "30" and first["X-RateLimit-Limit-Hour"] == "200"

    image_response, data = fetch(api, body["previewUrl"])
    assert image_response.status_code == 200 and image_response["Content-Type"] == "image/webp"
    image = open_image(data)
    assert image.format == "WEBP" and image.size == (WIDTH, HEIGHT)  # the template's size
    rgb = image.convert("RGB")
    assert close(rgb.getpixel((WIDTH - 5, 140)), BACKGROUND) and close(rgb.getpixel((WIDTH // 2, 180)), BAR)

    second = preview(api, project, {"title.text": "Hello preview"})
    assert second.status_code == 200
    hit = second.json()
    assert hit["cached"] is True and "generationTime" not in hit
    assert hit["previewUrl"] == body["previewUrl"] and hit["expiresAt"] == body["expiresAt"]
    assert hit["rateLimit"]["remaining"] == 28
    # Free: no credit moved, no generation recorded.
    assert credits_balance(account=owner) == 100
    assert not LedgerEntry.objects.filter(account=owner, kind="charge").exists()
    assert Generation.objects.filter(account=owner).count() == 0


def test_pixels_match_generate_apart_from_encoding(preview_worker, render_worker, api, project):
    data = {"title.text": "Same pixels", "subtitle.text": "مرحبا بالعالم"}
    shown = preview(api, project, data).json()
    made = api.post("/api/render/generate", {"projectId": project["id"], "data": data, "format": "png"})
    assert made.status_code == 200, made.content
    _r, preview_bytes = fetch(api, shown["previewUrl"])
    _r, png_bytes = fetch(api, made.json()["imageUrl"])
    a = open_image(preview_bytes).convert("RGB")
    b = open_image(png_bytes).convert("RGB")
    assert a.size == b.size == (WIDTH, HEIGHT)
    diffs = [sum(abs(x - y) for x, y in zip(a.getpixel((x, y)), b.getpixel((x, y)), strict=True))
             for x in range(0, WIDTH, 4) for y in range(0, HEIGHT, 4)]
    assert sum(diffs) / len(diffs) < 12  # WebP q70 vs PNG: the same picture, lossy edges only


def test_key_order_does_not_matter(preview_worker, api, project):
    first = preview(api, project, {"title.text": "A", "subtitle.text": "B"}).json()
    second = preview(api, project, {"subtitle.text": "B", "title.text": "A"}).json()
    assert first["cached"] is False and second["cached"] is True
    assert second["previewUrl"] == first["previewUrl"]
    assert preview(api, project, {"title.text": "A", "subtitle.text": "C"}).json()["cached"] is False


def test_saving_the_template_invalidates(preview_worker, api, project):
    first = preview(api, project).json()
    document = dict(project["document"])
    document["elements"] = [dict(el, fill="#00ff00") if el["id"] == "s1" else el for el in document["elements"]]
    saved = api.patch(f"/api/render/projects/{project['id']}", {"document": document})
    assert saved.status_code == 200, saved.content
    again = preview(api, project).json()
    assert again["cached"] is False and again["previewUrl"] != first["previewUrl"]
    _r, data = fetch(api, again["previewUrl"])
    assert close(open_image(data).convert("RGB").getpixel((WIDTH // 2, 180)), (0, 255, 0))


def test_lru_cap_evicts_the_least_recently_used_and_cleanup_deletes_its_file(preview_worker, api, project, settings):
    settings.PREVIEW_CACHE_MAX_ENTRIES = 2
    a = preview(api, project, {"title.text": "A"}).json()
    b = preview(api, project, {"title.text": "B"}).json()
    assert preview(api, project, {"title.text": "A"}).json()["cached"] is True  # A is now the most recent
    c = preview(api, project, {"title.text": "C"}).json()  # evicts B
    assert cache.cache_size() == 2
    assert default_storage.exists(name_of(b["previewUrl"]))
    counts = cache.files_cleanup()
    assert counts["deleted"] == 1
    assert not default_storage.exists(name_of(b["previewUrl"]))
    assert default_storage.exists(name_of(a["previewUrl"])) and default_storage.exists(name_of(c["previewUrl"]))
    assert preview(api, project, {"title.text": "A"}).json()["cached"] is True
    assert preview(api, project, {"title.text": "C"}).json()["cached"] is True
    again = preview(api, project, {"title.text": "B"}).json()
    assert again["cached"] is False and again["previewUrl"] == b["previewUrl"]
    assert default_storage.exists(name_of(b["previewUrl"]))


def test_entries_expire_after_the_ttl_and_their_files_go(preview_worker, api, project, settings):
    settings.PREVIEW_CACHE_TTL = 1
    first = preview(api, project, {"title.text": "Short-lived"}).json()
    assert first["cached"] is False
    assert first["expiresAt"] - int(time.time() * 1000) <= 1000
    time.sleep(1.2)
    cache.files_cleanup()
    assert not default_storage.exists(name_of(first["previewUrl"]))
    assert api.get(urlparse(first["previewUrl"]).path).status_code == 404
    again = preview(api, project, {"title.text": "Short-lived"}).json()
    assert again["cached"] is False and "generationTime" in again


def test_31st_preview_in_a_minute_is_429(preview_worker, api, owner, project):
    statuses = [preview(api, project, {"title.text": "same"}).status_code for _ in range(30)]
    assert statuses == [200] * 30
    response = preview(api, project, {"title.text": "same"})
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "rate_limited" and body["code"] == "RATE_LIMITED"
    assert 1 <= body["retryAfter"] <= 60 and response["Retry-After"] == str(body["retryAfter"])
    assert body["rateLimit"]["remaining"] == 0
    assert response["X-RateLimit-Limit-Minute"] == "30" and response["X-RateLimit-Limit-Hour"] == "200"
    assert response["X-RateLimit-Reset"] == str(body["rateLimit"]["resetAt"])
    assert credits_balance(account=owner) == 100


def test_identical_requests_in_flight_render_once(preview_worker, api, project):
    before = renders_done()
    results = [None] * 4
    barrier = threading.Barrier(4)

    def run(i):
        try:
            barrier.wait()
            results[i] = preview(api, project, {"title.text": "together"})
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 4, [r.content for r in results]
    assert len({r.json()["previewUrl"] for r in results}) == 1
    assert renders_done() - before == 1
    # The one request whose render it was says so; the others were served by it.
    assert sorted(r.json()["cached"] for r in results) == [False, True, True, True]
    assert sum("generationTime" in r.json() for r in results) == 1


def test_saturated_queue_answers_503_and_the_abandoned_job_is_skipped(api, project, settings, celery_worker_factory):
    settings.PREVIEW_QUEUE_TIMEOUT = 1
    settings.PREVIEW_QUEUE = "preview-saturated"  # no worker serves it yet: no slot frees up
    get_redis().delete("preview-saturated")
    before = renders_done()
    response = preview(api, project, {"title.text": "busy"})
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["error"] == "preview_busy" and body["code"] == "PREVIEW_BUSY" and body["requestId"]
    assert body["retryAfter"] >= 1 and response["Retry-After"] == str(body["retryAfter"])
    # The job is marked abandoned: a worker that gets to it later skips it.
    worker = celery_worker_factory(queues="preview-saturated", purge=False)
    deadline = time.monotonic() + 30
    while get_redis().llen("preview-saturated") and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    worker.stop()
    assert renders_done() == before
    row = Project.objects.get(pk=project["id"])
    digest = cache.cache_key(project_id=row.pk, data={"title.text": "busy"}, updated_at=row.updated_at,
                             width=row.width, height=row.height)
    assert not default_storage.exists(cache.file_name(account_id=row.account_id, digest=digest))
    assert cache.cache_get(digest) is None


def test_a_deep_queue_answers_503_at_once_without_queueing(api, project, settings):
    settings.PREVIEW_QUEUE = "preview-deep"
    get_redis().delete("preview-deep")
    now = cache.now_ms()
    get_redis().zadd(services.WAITING, {f"other-{i}": now for i in range(60)})  # 60 previews ahead of us
    response = preview(api, project, {"title.text": "deep"})
    assert response.status_code == 503 and response.json()["error"] == "preview_busy"
    assert response.json()["retryAfter"] >= 30
    assert get_redis().llen("preview-deep") == 0  # nothing was queued behind them
