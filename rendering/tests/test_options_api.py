"""GET /api/render/options: formats, canvas, presets, fonts (bundled + the caller's own only),
credit costs and limits, as read-only discovery."""
import pytest

from projects.models import Font

pytestmark = pytest.mark.django_db


def test_options_describe_what_a_render_may_ask_for(api, settings):
    settings.MAX_CANVAS = 2048
    r = api.get("/api/render/options")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [f["format"] for f in body["formats"]] == ["png", "jpeg", "webp"]
    png = body["formats"][0]
    assert png["mimeType"] == "image/png" and png["supportsQuality"] is False and png["supportsTransparency"] is True
    assert body["quality"] == {"min": 1, "max": 100, "default": 90}
    assert body["canvas"]["maxWidth"] == 2048 and body["canvas"]["maxHeight"] == 2048
    assert {"name": "og", "width": 1200, "height": 630} in body["sizePresets"]
    assert "Noto Sans" in [f["family"] for f in body["fonts"]["bundled"]]
    assert body["credits"]["render"] == 1 and body["credits"]["preview"] == 0
    assert body["limits"]["requestsPerMinute"] == settings.API_RATE_LIMIT_PER_MINUTE
    assert body["limits"]["maxUploadBytes"] == 25 * 1024 * 1024


def test_account_fonts_are_the_callers_own(api, outsider_api, owner, outsider):
    Font.objects.create(account=owner, family_name="Owner Sans", file="fonts/owner.ttf", format="ttf")
    Font.objects.create(account=outsider, family_name="Outsider Serif", file="fonts/outsider.ttf", format="ttf")
    mine = [f["familyName"] for f in api.get("/api/render/options").json()["fonts"]["account"]]
    theirs = [f["familyName"] for f in outsider_api.get("/api/render/options").json()["fonts"]["account"]]
    assert mine == ["Owner Sans"] and theirs == ["Outsider Serif"]


def test_options_need_a_token_and_read_only_is_enough(anon, owner):
    from conftest import client_for

    r = anon.get("/api/render/options")
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
    assert client_for(owner, "read-only").get("/api/render/options").status_code == 200
    assert anon.post("/api/render/options", {}, HTTP_AUTHORIZATION=f"Bearer {client_for(owner).plain_token}").status_code == 405
