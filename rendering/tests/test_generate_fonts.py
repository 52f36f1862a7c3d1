"""An uploaded font, used by a template, through POST /api/render/generate and a real worker:
the image is drawn with the account's glyphs, not a fallback, and another account can't use it."""
import pytest

from conftest import client_for, make_account
from projects.tests.conftest import font_bytes, upload
from rendering.tests.helpers import URL, fetch_image, open_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAMILY = "Audome Block"  # its "A" is one big filled triangle


def card(account, family: str):
    from projects.models import Project

    document = {
        "version": 1,
        "background": {"color": "#000000"},
        "elements": [
            {"id": "title", "type": "text", "x": 0, "y": 0, "width": 600, "height": 300, "dynamicKey": "title",
             "text": "", "style": {"fontFamily": family, "fontSize": 200, "color": "#ffffff", "lineHeight": 1.2}},
        ],
    }
    return Project.objects.create(account=account, name="Font card", width=600, height=300, document=document)


def bright_pixels(api, body) -> int:
    image = open_image(fetch_image(api, body["imageUrl"])[1]).convert("L")
    return sum(image.histogram()[201:])


def render(api, project) -> dict:
    response = api.post(URL, {"projectId": str(project.pk), "data": {"title.text": "AA"}})
    assert response.status_code == 200, response.content
    return response.json()


def test_template_with_an_uploaded_font_renders_its_glyphs(render_worker, api, owner):
    assert upload(api, "/api/render/fonts", "block.ttf", font_bytes(FAMILY)).status_code == 201
    custom = render(api, card(owner, FAMILY))
    bundled = render(api, card(owner, "Noto Sans"))
    assert not [w for w in custom["warnings"] if w["code"] == "FONT_FALLBACK"], custom["warnings"]
    # Two solid triangles cover far more of the canvas than Noto Sans' thin "AA" strokes.
    assert bright_pixels(api, custom) > 2 * bright_pixels(api, bundled)


def test_another_accounts_font_is_not_used(render_worker, api, owner):
    assert upload(api, "/api/render/fonts", "block.ttf", font_bytes(FAMILY)).status_code == 201
    other = make_account("fonts-other@example.com", credits=5)
    body = render(client_for(other, "render-only"), card(other, FAMILY))
    assert [w["code"] for w in body["warnings"]] == ["FONT_FALLBACK"], body["warnings"]
