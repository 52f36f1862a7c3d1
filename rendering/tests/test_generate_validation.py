"""POST /api/render/generate: bad bodies → 400 with details, and nothing changes (no credit, no row)."""
import pytest

from billing.services import credits_balance
from rendering.models import Generation, IdempotencyRecord

URL = "/api/render/generate"
HTML = "<div style='width:100%;height:100%;background:#f00'></div>"


def assert_400(response, field=None):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == "VALIDATION_FAILED" and body["requestId"]
    if field is not None:
        assert field in body["details"], body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "projectId"),
        ({"html": HTML, "projectId": "00000000-0000-0000-0000-000000000000"}, "projectId"),
        ({"html": HTML, "bogus": 1}, "bogus"),
        ({"html": HTML, "width": "100"}, "width"),
        ({"html": HTML, "width": 0}, "width"),
        ({"html": HTML, "height": 4097}, "height"),
        ({"html": HTML, "width": 10.5}, "width"),
        ({"html": HTML, "width": True}, "width"),
        ({"html": HTML, "format": "gif"}, "format"),
        ({"html": HTML, "format": 1}, "format"),
        ({"html": HTML, "quality": 0}, "quality"),
        ({"html": HTML, "quality": 101}, "quality"),
        ({"html": HTML, "quality": "90"}, "quality"),
        ({"html": HTML, "backgroundColor": "red; background:url(x)"}, "backgroundColor"),
        ({"html": HTML, "backgroundColor": 255}, "backgroundColor"),
        ({"html": HTML, "async": "yes"}, "async"),
        ({"html": HTML, "metadata": "x"}, "metadata"),
        ({"html": HTML, "metadata": {"blob": "x" * 5000}}, "metadata"),
        ({"html": HTML, "data": []}, "data"),
        ({"html": 42}, "html"),
        ({"html": HTML, "data": {"title.text": "x"}}, "data.title.text"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(api, owner, body, field):
    before = credits_balance(account=owner)
    assert_400(api.post(URL, body), field)
    assert credits_balance(account=owner) == before
    assert Generation.objects.count() == 0


@pytest.mark.django_db
def test_several_problems_are_all_named(api):
    response = api.post(URL, {"html": HTML, "width": -1, "format": "tiff", "extra": True})
    assert_400(response)
    assert {"width", "format", "extra"} <= set(response.json()["details"])


@pytest.mark.django_db
def test_body_must_be_an_object(api):
    assert_400(api.post(URL, [1, 2], content_type="application/json"))
    assert_400(api.post(URL, "{not json", content_type="application/json"))


@pytest.mark.django_db
def test_wrong_content_type_is_415(api):
    response = api.post(URL, "html=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.django_db
def test_read_only_token_may_not_render(owner):
    from conftest import client_for

    response = client_for(owner, "read-only").post(URL, {"html": HTML})
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    assert Generation.objects.count() == 0


@pytest.mark.django_db
def test_no_token_is_401(anon):
    response = anon.post(URL, {"html": HTML})
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.django_db
def test_idempotency_key_longer_than_255_is_400(api, owner):
    response = api.post(URL, {"html": HTML}, HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert_400(response, "Idempotency-Key")
    assert Generation.objects.count() == 0 and IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_400_answer_is_replayed_for_the_same_key(api):
    first = api.post(URL, {"html": HTML, "width": 0}, HTTP_IDEMPOTENCY_KEY="same")
    again = api.post(URL, {"html": HTML, "width": 0}, HTTP_IDEMPOTENCY_KEY="same")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = api.post(URL, {"html": HTML, "width": 1}, HTTP_IDEMPOTENCY_KEY="same")
    assert other.status_code == 409 and other.json()["code"] == "CONFLICT"


@pytest.mark.django_db
def test_insufficient_credits_is_402_and_creates_nothing():
    from conftest import client_for, make_account

    poor = make_account("poor@example.com", credits=0)
    response = client_for(poor, "render-only").post(URL, {"html": HTML, "async": True})
    assert response.status_code == 402 and response.json()["code"] == "INSUFFICIENT_CREDITS"
    assert credits_balance(account=poor) == 0
    assert Generation.objects.count() == 0
