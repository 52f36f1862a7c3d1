"""POST /api/render/batches and the reads around it, without a worker: validation of every
row (400 listing them, nothing charged), uploads, 402, idempotency, other accounts' 404s,
cancel before anything ran."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from batches.models import Batch, BatchRow
from batches.tests.conftest import URL, make_project, rows_of, upload
from billing.models import LedgerEntry
from billing.services import credits_balance
from conftest import client_for, make_account
from rendering.models import Generation

pytestmark = pytest.mark.django_db


def test_bad_rows_are_listed_by_number_and_key_and_nothing_is_charged(api, owner, project):
    rows = rows_of("one", "two") + [
        {"data": {"title.text": "x", "nope.text": "y"}},
        {"data": {"photo.img": "ftp://example.com/a.png"}},
        {"data": {"title.text": 12}},
        {"data": {"title.text": "ok"}, "format": "gif"},
        "not an object",
    ]
    response = api.post(URL, {"projectId": str(project.pk), "rows": rows})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "VALIDATION_FAILED"
    problems = {(item["row"], item["key"]) for item in body["badRows"]}
    assert problems == {(3, "nope.text"), (4, "photo.img"), (5, "title.text"), (6, "format"), (7, "row")}
    assert "rows[3].nope.text" in body["details"]
    assert credits_balance(account=owner) == 100
    assert not Batch.objects.exists() and not BatchRow.objects.exists() and not Generation.objects.exists()
    assert not LedgerEntry.objects.filter(account=owner, kind="charge").exists()


def test_request_fields_are_checked_strictly(api, project):
    cases = [
        ({"rows": rows_of("a")}, "projectId"),
        ({"projectId": str(project.pk), "projectIds": [str(project.pk)], "rows": rows_of("a")}, "projectId"),
        ({"projectId": str(project.pk), "rows": []}, "rows"),
        ({"projectId": str(project.pk), "rows": rows_of("a"), "format": "bmp"}, "format"),
        ({"projectId": str(project.pk), "rows": rows_of("a"), "quality": "90"}, "quality"),
        ({"projectId": str(project.pk), "rows": rows_of("a"), "notifyEachRow": "yes"}, "notifyEachRow"),
        ({"projectId": str(project.pk), "rows": rows_of("a"), "colour": "red"}, "colour"),
        ({"projectId": str(project.pk)}, "rows"),
    ]
    for body, field in cases:
        response = api.post(URL, body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["details"], (body, response.json())
    assert not Batch.objects.exists()


def test_too_many_rows_is_400(api, project, settings):
    settings.BATCH_MAX_ROWS = 3
    response = api.post(URL, {"projectId": str(project.pk), "rows": rows_of("a", "b", "c", "d")})
    assert response.status_code == 400 and "rows" in response.json()["details"]
    two = make_project(project.account)
    response = api.post(URL, {"projectIds": [str(project.pk), str(two.pk)], "rows": rows_of("a", "b")})
    assert response.status_code == 400 and "4" in response.json()["error"]


def test_accepted_batch_reserves_one_credit_per_image(api, owner, project):
    second = make_project(owner, width=120, height=80)
    response = api.post(URL, {
        "projectIds": [str(project.pk), str(second.pk)], "format": "jpeg", "quality": 80,
        "rows": [{"data": {"title.text": "A"}, "metadata": {"sku": 1}}, {"title.text": "B", "format": "png"} | {},
                 {"data": {"title.text": "C"}, "format": "webp"}],
    })
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["batchId"].startswith("bat_") and body["status"] == "pending"
    assert body["counts"] == {"total": 6, "done": 0, "failed": 0, "canceled": 0, "pending": 6, "processing": 0}
    assert body["creditsRemaining"] == 94 and credits_balance(account=owner) == 94
    assert body["statusUrl"].endswith(f"/api/render/batches/{body['batchId']}")
    assert response["Location"] == body["statusUrl"]
    charge = LedgerEntry.objects.get(account=owner, kind="charge")
    assert (charge.amount, charge.reference) == (-6, body["batchId"])
    rows = list(BatchRow.objects.filter(batch_id=body["batchId"]).order_by("row", "project_ref"))
    assert [(r.row, r.format) for r in rows] == [(1, "jpeg"), (1, "jpeg"), (2, "png"), (2, "png"), (3, "webp"),
                                                 (3, "webp")]
    assert rows[0].metadata == {"sku": 1} and rows[2].data == {"title.text": "B"}
    assert {r.project_ref for r in rows} == {str(project.pk), str(second.pk)}

    detail = api.get(f"{URL}/{body['batchId']}?limit=2").json()
    assert detail["pagination"] == {"page": 1, "limit": 2, "totalCount": 6, "totalPages": 3, "hasNext": True}
    assert [r["row"] for r in detail["rows"]] == [1, 1]
    assert detail["rows"][0]["status"] == "pending" and detail["rows"][0]["generationId"] is None
    listing = api.get(f"{URL}?limit=10").json()
    assert [b["batchId"] for b in listing["batches"]] == [body["batchId"]]
    assert listing["batches"][0]["counts"]["total"] == 6 and listing["pagination"]["totalCount"] == 1


def test_insufficient_credits_is_402_and_nothing_is_recorded(project):
    poor = make_account("poor@example.com", credits=2)
    project.account = poor
    project.save()
    response = client_for(poor, "render-only").post(URL, {"projectId": str(project.pk), "rows": rows_of("a", "b", "c")})
    assert response.status_code == 402 and response.json()["code"] == "INSUFFICIENT_CREDITS"
    assert credits_balance(account=poor) == 2 and not Batch.objects.exists()


def test_another_accounts_project_or_batch_is_not_found(api, owner, outsider, outsider_api, project):
    theirs = make_project(outsider)
    for body in ({"projectId": str(theirs.pk)}, {"projectIds": [str(project.pk), str(theirs.pk)]}):
        response = api.post(URL, {**body, "rows": rows_of("a")})
        assert response.status_code == 404 and response.json()["code"] == "PROJECT_NOT_FOUND"
    assert credits_balance(account=owner) == 100 and not Batch.objects.exists()

    batch_id = api.post(URL, {"projectId": str(project.pk), "rows": rows_of("a")}).json()["batchId"]
    for method, path in (("get", ""), ("post", "/cancel"), ("post", "/retry"), ("get", "/download")):
        response = getattr(outsider_api, method)(f"{URL}/{batch_id}{path}")
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND", path
    assert outsider_api.get(URL).json()["batches"] == []
    assert Batch.objects.get(pk=batch_id).status == "pending"


def test_scopes_read_only_may_look_but_not_start(owner, project):
    reader = client_for(owner, "read-only")
    assert reader.post(URL, {"projectId": str(project.pk), "rows": rows_of("a")}).status_code == 403
    assert reader.get(URL).status_code == 200


def test_idempotent_resubmit_returns_the_first_batch_and_charges_once(api, owner, project):
    body = {"projectId": str(project.pk), "rows": rows_of("a", "b")}
    first = api.post(URL, body, HTTP_IDEMPOTENCY_KEY="import-7")
    again = api.post(URL, body, HTTP_IDEMPOTENCY_KEY="import-7")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Batch.objects.count() == 1 and credits_balance(account=owner) == 98
    other = api.post(URL, {**body, "rows": rows_of("c")}, HTTP_IDEMPOTENCY_KEY="import-7")
    assert other.status_code == 409 and other.json()["code"] == "CONFLICT"
    assert Batch.objects.count() == 1


def test_csv_upload_maps_columns_to_keys_metadata_and_format(api, owner, project):
    csv_text = ("title.text,photo.img,metadata.sku,format\n"
                "Hello,,A1,\n"
                "\"Comma, inside\",https://example.com/p.png,B2,jpeg\n"
                ",,,\n"
                "مرحبا,,C3,webp\n")
    upload_file = SimpleUploadedFile("rows.csv", ("\ufeff" + csv_text).encode(), content_type="text/csv")
    response = upload(api, {"projectId": str(project.pk), "file": upload_file, "format": "png",
                             "notifyEachRow": "true"})
    assert response.status_code == 202, response.content
    batch = Batch.objects.get(pk=response.json()["batchId"])
    assert batch.total == 3 and batch.notify_each_row is True
    rows = list(batch.rows.order_by("row"))
    assert [(r.row, r.data, r.metadata, r.format) for r in rows] == [
        (1, {"title.text": "Hello"}, {"sku": "A1"}, "png"),
        (2, {"title.text": "Comma, inside", "photo.img": "https://example.com/p.png"}, {"sku": "B2"}, "jpeg"),
        (3, {"title.text": "مرحبا"}, {"sku": "C3"}, "webp"),
    ]


def test_csv_with_bad_columns_and_values_lists_them(api, owner, project):
    csv_text = "title.text,subtitle.text,colour\nHi,x,red\n"
    upload_file = SimpleUploadedFile("rows.csv", csv_text.encode(), content_type="text/csv")
    response = upload(api, {"projectId": str(project.pk), "file": upload_file})
    assert response.status_code == 400
    body = response.json()
    assert {(i["row"], i["key"]) for i in body["badRows"]} == {(None, "columns.colour"), (1, "subtitle.text")}
    assert credits_balance(account=owner) == 100 and not Batch.objects.exists()


def test_xlsx_upload(api, project):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["title.text", "metadata.n"])
    sheet.append(["First", 1])
    sheet.append([2.0, 2.5])
    buffer = io.BytesIO()
    book.save(buffer)
    upload_file = SimpleUploadedFile("rows.xlsx", buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = upload(api, {"projectId": str(project.pk), "file": upload_file})
    assert response.status_code == 202, response.content
    rows = list(Batch.objects.get(pk=response.json()["batchId"]).rows.order_by("row"))
    assert [(r.data, r.metadata) for r in rows] == [({"title.text": "First"}, {"n": "1"}),
                                                    ({"title.text": "2"}, {"n": "2.5"})]


def test_broken_upload_is_400(api, project):
    for name, content in (("rows.xlsx", b"PK\x03\x04 not really"), ("rows.csv", b"\xff\xfe\x00bad"),
                          ("rows.csv", b"")):
        upload_file = SimpleUploadedFile(name, content)
        response = upload(api, {"projectId": str(project.pk), "file": upload_file})
        assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED", name
    assert not Batch.objects.exists()


def test_cancel_before_anything_ran_refunds_every_row(api, owner, project):
    batch_id = api.post(URL, {"projectId": str(project.pk), "rows": rows_of("a", "b", "c")}).json()["batchId"]
    assert credits_balance(account=owner) == 97
    response = api.post(f"{URL}/{batch_id}/cancel")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "canceled" and body["counts"]["canceled"] == 3 and body["completedAt"]
    assert credits_balance(account=owner) == 100
    refund = LedgerEntry.objects.get(account=owner, kind="refund")
    assert (refund.amount, refund.reference) == (3, batch_id)
    again = api.post(f"{URL}/{batch_id}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    assert credits_balance(account=owner) == 100
    from webhooks.models import Event

    event = Event.objects.get(account=owner, type="batch.completed")
    assert event.data["status"] == "canceled" and event.data["counts"]["canceled"] == 3


def test_a_batch_keeps_one_row_in_flight_while_single_renders_arrive(api, owner, project, settings):
    """While single renders are being queued (the key generate sets), a new batch takes one
    render slot, not BATCH_IN_FLIGHT_PER_ACCOUNT; once they stop, the feeder gives it the rest."""
    from batches.processing import batch_feed
    from core.redis import get_redis
    from rendering.services import SINGLE_RENDERS_KEY

    settings.BATCH_IN_FLIGHT_PER_ACCOUNT = 4
    settings.BATCH_IN_FLIGHT_SHARED = 1
    get_redis().set(SINGLE_RENDERS_KEY, 1, ex=30)
    response = api.post(URL, {"projectId": str(project.pk), "rows": rows_of(*[f"Row {i}" for i in range(10)])})
    assert response.status_code == 202, response.content
    rows = BatchRow.objects.filter(batch_id=response.json()["batchId"])
    assert batch_feed(account_id=owner.pk) == 1  # what the API's feed after commit does
    assert rows.filter(status="queued").count() == 1
    assert Generation.objects.filter(account=owner).count() == 1
    assert batch_feed(account_id=owner.pk) == 0  # still shared: nothing more

    get_redis().delete(SINGLE_RENDERS_KEY)
    assert batch_feed(account_id=owner.pk) == 3
    assert rows.filter(status="queued").count() == 4
    assert Generation.objects.filter(account=owner).count() == 4


def test_the_render_hook_costs_no_query_while_no_batch_is_open_and_settles_rows_once_one_is(
        api, owner, project, django_assert_num_queries, monkeypatch):
    """The after-render hook (batches.signals) runs for every render a worker does. While no batch
    is open anywhere it must not touch the database (#17); once one is fed, a finished row's
    render is settled by it at once."""
    from batches.processing import OPEN_KEY, batch_feed
    from batches.signals import settle_after_render
    from core.redis import get_redis

    get_redis().delete(OPEN_KEY)
    single = Generation.objects.create(account=owner, project=project, status="completed", data={}, options={})
    with django_assert_num_queries(0):
        settle_after_render(single.id)

    response = api.post(URL, {"projectId": str(project.pk), "rows": rows_of("One", "Two")})
    assert response.status_code == 202, response.content
    assert batch_feed(account_id=owner.pk) == 2  # what the API's feed after commit does
    assert get_redis().exists(OPEN_KEY)
    row = BatchRow.objects.filter(batch_id=response.json()["batchId"]).order_by("row").first()
    Generation.objects.filter(pk=row.generation_id).update(status="completed", output="x.png")
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)  # the test's transaction stays open
    settle_after_render(row.generation_id)
    row.refresh_from_db()
    assert row.status == "completed"
