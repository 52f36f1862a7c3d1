"""POST /api/render/generate end to end: the test process is the API, a REAL Celery worker
subprocess renders with the real engine (Chromium), outputs land in storage."""
import pytest

from billing.models import LedgerEntry
from billing.services import credits_balance
from conftest import client_for, make_account
from rendering.models import Generation
from rendering.tests.helpers import URL, fetch_image, in_threads, open_image, solid_html, wait_status
from webhooks.models import Event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_sync_png_render_has_the_right_size_pixels_and_record(render_worker, api, owner):
    response = api.post(URL, {"html": solid_html("#00ff00"), "width": 320, "height": 200, "metadata": {"order": 7}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["width"] == 320 and body["height"] == 200 and body["format"] == "png"
    assert body["creditsUsed"] == 1 and body["creditsRemaining"] == 99
    assert body["generationId"].startswith("gen_")
    assert body["imageUrl"].startswith("http://") and "/renders/" in body["imageUrl"]
    assert set(body["timings"]) >= {"queue", "fetch", "layout", "capture", "encode", "store", "total"}
    assert isinstance(body["warnings"], list)
    assert "total;dur=" in response["Server-Timing"] and "queue;dur=" in response["Server-Timing"]

    file_response, data = fetch_image(api, body["imageUrl"])
    assert file_response.status_code == 200
    assert file_response["Content-Type"] == "image/png"
    assert file_response["Cache-Control"] == "public, max-age=31536000, immutable"
    image = open_image(data)
    assert image.format == "PNG" and image.size == (320, 200)
    assert image.convert("RGB").getpixel((160, 100)) == (0, 255, 0)

    record = api.get(f"/api/render/generations/{body['generationId']}").json()
    assert record["status"] == "completed" and record["imageUrl"] == body["imageUrl"]
    assert record["creditsUsed"] == 1 and record["metadata"] == {"order": 7}
    assert record["renderMs"] is not None and record["completedAt"]
    assert credits_balance(account=owner) == 99
    event = Event.objects.get(account=owner, type="render.completed")
    assert event.data["generationId"] == body["generationId"] and event.data["imageUrl"] == body["imageUrl"]
    assert event.data["metadata"] == {"order": 7} and event.data["width"] == 320


@pytest.mark.parametrize("fmt, pil_format, mime", [("jpeg", "JPEG", "image/jpeg"), ("webp", "WEBP", "image/webp")])
def test_jpeg_and_webp(render_worker, api, fmt, pil_format, mime):
    response = api.post(URL, {"html": solid_html("#0000ff"), "width": 240, "height": 120, "format": fmt, "quality": 80})
    assert response.status_code == 200, response.content
    assert response.json()["format"] == fmt
    file_response, data = fetch_image(api, response.json()["imageUrl"])
    assert file_response["Content-Type"] == mime
    image = open_image(data)
    assert image.format == pil_format and image.size == (240, 120)
    r, g, b = image.convert("RGB").getpixel((120, 60))
    assert b > 230 and r < 30 and g < 30


def test_transparent_background_forces_png_with_alpha(render_worker, api):
    html = "<html><body style='margin:0;background:transparent'><div style='width:50px;height:50px;background:#f00'></div></body></html>"
    response = api.post(URL, {"html": html, "width": 200, "height": 100, "format": "jpeg", "backgroundColor": "transparent"})
    assert response.status_code == 200, response.content
    assert response.json()["format"] == "png"
    image = open_image(fetch_image(api, response.json()["imageUrl"])[1])
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((150, 80))[3] == 0  # see-through where nothing was drawn
    assert image.getpixel((10, 10)) == (255, 0, 0, 255)


def test_async_answers_202_then_completes(render_worker, api, owner):
    response = api.post(URL, {"html": solid_html("#123456"), "width": 64, "height": 64, "async": True})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["success"] is True and body["status"] in ("pending", "processing")
    assert body["statusUrl"].endswith(f"/api/render/generations/{body['generationId']}")
    record = wait_status(api, body["generationId"])
    assert record["status"] == "completed" and record["imageUrl"] and record["creditsUsed"] == 1
    assert set(record["timings"]) >= {"queue", "total"}
    assert open_image(fetch_image(api, record["imageUrl"])[1]).size == (64, 64)
    assert credits_balance(account=owner) == 99
    listing = api.get("/api/render/generations?status=completed").json()
    assert [g["generationId"] for g in listing["generations"]] == [body["generationId"]]


def test_idempotent_sync_render_is_replayed_and_charged_once(render_worker, api, owner):
    request = {"html": solid_html("#ff00ff"), "width": 50, "height": 50}
    first = api.post(URL, request, HTTP_IDEMPOTENCY_KEY="order-42")
    again = api.post(URL, request, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and again["Server-Timing"] == first["Server-Timing"]
    assert credits_balance(account=owner) == 99
    assert Generation.objects.filter(account=owner).count() == 1
    other = api.post(URL, {**request, "width": 51}, HTTP_IDEMPOTENCY_KEY="order-42")
    assert other.status_code == 409 and other.json()["code"] == "CONFLICT"
    # Keys are per account: another account may use the same key for its own request.
    stranger = make_account("stranger@example.com", credits=5)
    response = client_for(stranger, "render-only").post(URL, request, HTTP_IDEMPOTENCY_KEY="order-42")
    assert response.status_code == 200 and response.json()["generationId"] != first.json()["generationId"]


def test_parallel_requests_with_balance_n_exactly_n_succeed(render_worker):
    account = make_account("parallel@example.com", credits=4)
    clients = [client_for(account, "render-only") for _ in range(9)]
    results = in_threads([
        (lambda c=c, i=i: c.post(URL, {"html": solid_html("#000"), "width": 8, "height": 8 + i, "async": True}))
        for i, c in enumerate(clients)
    ])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [202] * 4 + [402] * 5, statuses
    for response in results:
        if response.status_code == 402:
            assert response.json()["code"] == "INSUFFICIENT_CREDITS"
    assert credits_balance(account=account) == 0
    ids = [r.json()["generationId"] for r in results if r.status_code == 202]
    for generation_id in ids:
        assert wait_status(clients[0], generation_id)["status"] == "completed"
    assert credits_balance(account=account) == 0
    charges = LedgerEntry.objects.filter(account=account, kind="charge")
    assert sorted(charges.values_list("reference", flat=True)) == sorted(ids)
    assert not LedgerEntry.objects.filter(account=account, kind="refund").exists()


def test_outsider_cannot_see_cancel_or_delete(render_worker, api, outsider_api, owner):
    response = api.post(URL, {"html": solid_html("#fff"), "width": 10, "height": 10})
    assert response.status_code == 200
    generation_id = response.json()["generationId"]
    for call in (
        lambda: outsider_api.get(f"/api/render/generations/{generation_id}"),
        lambda: outsider_api.post(f"/api/render/generations/{generation_id}/cancel"),
        lambda: outsider_api.delete(f"/api/render/generations/{generation_id}"),
    ):
        answer = call()
        assert answer.status_code == 404 and answer.json()["code"] == "NOT_FOUND"
    assert outsider_api.get("/api/render/generations").json()["generations"] == []
    assert Generation.objects.get(pk=generation_id).status == "completed"
    assert fetch_image(api, response.json()["imageUrl"])[0].status_code == 200


def test_delete_removes_the_record_and_the_file(render_worker, api, owner):
    from conftest import client_for

    response = api.post(URL, {"html": solid_html("#abcdef"), "width": 33, "height": 17})
    generation_id, image_url = response.json()["generationId"], response.json()["imageUrl"]
    render_only = client_for(owner, "render-only")
    assert render_only.delete(f"/api/render/generations/{generation_id}").json()["code"] == "FORBIDDEN"
    deleted = api.delete(f"/api/render/generations/{generation_id}")
    assert deleted.status_code == 200 and deleted.json()["success"] is True
    assert api.get(f"/api/render/generations/{generation_id}").status_code == 404
    assert fetch_image(api, image_url)[0].status_code == 404
    assert api.delete(f"/api/render/generations/{generation_id}").status_code == 404
    assert credits_balance(account=owner) == 99  # deleting never refunds a completed render


def test_template_render_fills_data_and_draws_shapes(render_worker, api, owner):
    from projects.models import Project

    document = {
        "version": 1,
        "background": {"color": "#000000"},
        "elements": [
            {"id": "bar", "type": "shape", "shape": "rect", "x": 20, "y": 200, "width": 100, "height": 60,
             "fill": "#ff0000"},
            {"id": "title", "type": "text", "x": 20, "y": 20, "width": 360, "height": 120, "dynamicKey": "title",
             "text": "", "style": {"fontFamily": "Noto Sans", "fontSize": 48, "color": "#ffffff",
                                   "textAlign": "left", "verticalAlign": "top"}},
        ],
    }
    project = Project.objects.create(account=owner, name="Card", width=400, height=300, document=document)
    response = api.post(URL, {"projectId": str(project.pk), "data": {"title.text": "Hello World"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["width"], body["height"]) == (400, 300)
    image = open_image(fetch_image(api, body["imageUrl"])[1]).convert("RGB")
    assert image.size == (400, 300)
    assert image.getpixel((70, 230)) == (255, 0, 0)  # the shape, where the template put it
    assert image.getpixel((300, 250)) == (0, 0, 0)  # background
    text_box = image.crop((20, 20, 380, 140))
    pixels = text_box.load()
    bright = sum(1 for y in range(text_box.height) for x in range(text_box.width) if min(pixels[x, y]) > 200)
    assert bright > 200, "the title text was not drawn"
    record = api.get(f"/api/render/generations/{body['generationId']}").json()
    assert record["projectId"] == str(project.pk) and record["status"] == "completed"


def test_engine_failure_is_500_render_failed_refunded_and_the_worker_goes_on(render_worker, api, owner):
    from projects.models import Project

    # A template whose stored document the engine refuses (written around the API's validation).
    broken = Project.objects.create(account=owner, name="Broken", width=100, height=100, document={"version": 1})
    Project.objects.filter(pk=broken.pk).update(document=["not", "a", "document"])
    response = api.post(URL, {"projectId": str(broken.pk), "metadata": {"try": 1}})
    assert response.status_code == 500, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == "RENDER_FAILED" and body["requestId"]
    generation_id = body["generationId"]
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert record["status"] == "failed" and record["creditsUsed"] == 0 and record["error"]
    assert "imageUrl" not in record
    assert credits_balance(account=owner) == 100
    refund = LedgerEntry.objects.get(account=owner, kind="refund")
    assert refund.reference == generation_id
    failed = Event.objects.get(account=owner, type="render.failed")
    assert failed.data["generationId"] == generation_id and failed.data["error"] and failed.data["metadata"] == {"try": 1}
    # The same worker renders the next job.
    ok = api.post(URL, {"html": solid_html("#00ff00"), "width": 20, "height": 20})
    assert ok.status_code == 200 and credits_balance(account=owner) == 99


def test_the_worker_keeps_its_database_connection_between_renders(render_worker, api):
    """A new Postgres connection per render costs several ms on every request's critical path
    (Postgres, as in CI and production: pg_stat_activity lists the connections)."""
    from django.db import connection

    def render():
        response = api.post(URL, {"html": solid_html("#00ff00"), "width": 40, "height": 40})
        assert response.status_code == 200, response.content

    def backends() -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            return dict(cursor.fetchall())

    render()
    before = backends()
    for _ in range(3):
        render()
    assert before, "the worker closed its connection after the render"
    assert backends() == before, "the worker opened a new connection for a render"


def test_parallel_sync_renders_each_report_the_balance_their_charge_left(render_worker):
    account = make_account("remaining@example.com", credits=3)
    clients = [client_for(account, "render-only") for _ in range(3)]
    results = in_threads([
        (lambda c=c, i=i: c.post(URL, {"html": solid_html("#000"), "width": 8, "height": 8 + i}))
        for i, c in enumerate(clients)
    ])
    assert [r.status_code for r in results] == [200] * 3, [r.content for r in results]
    assert sorted(r.json()["creditsRemaining"] for r in results) == [0, 1, 2]
    assert credits_balance(account=account) == 0
