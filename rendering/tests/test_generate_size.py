"""Sizes other than the template's, through POST /api/render/generate and signed URLs with a REAL
worker: the design is scaled, never cropped to its top-left corner; a side left out is the template's;
`scale` multiplies the template's size; another ratio is placed by `fit` and warned about."""
import pytest

from conftest import JsonClient
from rendering.models import Generation
from rendering.signed import signing
from rendering.tests.helpers import URL, fetch_image, open_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RED, BLUE, GREEN, YELLOW = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 0)


def close(colour, expected, tolerance=14) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


@pytest.fixture
def banner(owner):
    """A 1200×630 template: red left half, blue right half, a green square in the bottom-right corner."""
    from projects.models import Project

    document = {"version": 1, "background": {"color": "#ffff00"}, "elements": [
        {"id": "l", "type": "shape", "shape": "rect", "x": 0, "y": 0, "width": 600, "height": 630, "fill": "#ff0000"},
        {"id": "r", "type": "shape", "shape": "rect", "x": 600, "y": 0, "width": 600, "height": 630, "fill": "#0000ff"},
        {"id": "c", "type": "shape", "shape": "rect", "x": 1100, "y": 530, "width": 100, "height": 100,
         "fill": "#00ff00"},
    ]}
    return Project.objects.create(account=owner, name="Banner", width=1200, height=630, document=document)


def generate(api, banner, **fields):
    response = api.post(URL, {"projectId": str(banner.pk), **fields})
    assert response.status_code == 200, response.content
    body = response.json()
    return body, open_image(fetch_image(api, body["imageUrl"])[1]).convert("RGB")


def test_half_size_is_the_whole_design_scaled_for_one_credit(render_worker, api, owner, banner):
    body, image = generate(api, banner, width=600, height=315)
    assert (body["width"], body["height"], body["creditsUsed"]) == (600, 315, 1) and image.size == (600, 315)
    assert close(image.getpixel((100, 150)), RED) and close(image.getpixel((400, 150)), BLUE)
    assert close(image.getpixel((590, 305)), GREEN)  # the far corner of the design is in the image
    generation = Generation.objects.get(pk=body["generationId"])
    assert (generation.width, generation.height) == (600, 315) and generation.warnings == []


def test_a_side_left_out_is_the_templates_and_scale_keeps_the_ratio(render_worker, api, banner):
    # The public docs: "height — Defaults to the template height" (and width to its width).
    body, image = generate(api, banner, width=300)
    assert (body["width"], body["height"]) == (300, 630) and image.size == (300, 630)
    assert close(image.getpixel((150, 20)), YELLOW) and close(image.getpixel((150, 610)), YELLOW)  # contained
    assert close(image.getpixel((295, 386)), GREEN)  # the design's far corner, scaled to 300×158
    assert [w["code"] for w in api.get(f"/api/render/generations/{body['generationId']}").json()["warnings"]] == [
        "ASPECT_RATIO_CHANGED"]
    body, image = generate(api, banner, height=315)
    assert (body["width"], body["height"]) == (1200, 315) and image.size == (1200, 315)
    assert close(image.getpixel((20, 150)), YELLOW) and close(image.getpixel((1180, 150)), YELLOW)
    body, image = generate(api, banner, scale=2)
    assert (body["width"], body["height"]) == (2400, 1260) and image.size == (2400, 1260)
    assert close(image.getpixel((2390, 1250)), GREEN) and close(image.getpixel((1150, 600)), RED)


def test_another_ratio_is_contained_by_default_or_covered_and_warned(render_worker, api, banner):
    response = api.post(URL, {"projectId": str(banner.pk), "width": 600, "height": 600})
    body = response.json()
    image = open_image(fetch_image(api, body["imageUrl"])[1]).convert("RGB")
    assert image.size == (600, 600)
    assert close(image.getpixel((300, 40)), YELLOW) and close(image.getpixel((300, 560)), YELLOW)  # the bands
    assert close(image.getpixel((580, 440)), GREEN)  # the whole design, corner included
    record = api.get(f"/api/render/generations/{body['generationId']}").json()
    assert [w["code"] for w in record["warnings"]] == ["ASPECT_RATIO_CHANGED"]

    body, image = generate(api, banner, width=600, height=600, fit="cover")
    assert close(image.getpixel((300, 5)), BLUE) and close(image.getpixel((100, 300)), RED)  # no bands
    assert not close(image.getpixel((590, 590)), GREEN)  # the corner was cropped off
    assert [w["code"] for w in api.get(f"/api/render/generations/{body['generationId']}").json()["warnings"]] == [
        "ASPECT_RATIO_CHANGED"]


@pytest.mark.parametrize("fields,field", [
    ({"scale": 2, "width": 100}, "scale"),
    ({"scale": 0}, "scale"),
    ({"scale": "2"}, "scale"),
    ({"scale": 4}, "scale"),  # 4800×2520: over 4096
    ({"width": 600, "height": 600, "fit": "stretch"}, "fit"),
    ({"width": 5000}, "width"),
    ({"height": 5000}, "height"),
])
def test_bad_sizes_are_400_and_charge_nothing(api, owner, banner, fields, field):
    response = api.post(URL, {"projectId": str(banner.pk), **fields})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_FAILED" and field in response.json()["details"]
    assert Generation.objects.count() == 0


@pytest.mark.parametrize("field", ["scale", "fit"])
def test_html_is_not_scaled_or_fitted(api, field):
    response = api.post(URL, {"html": "<p>hi</p>", field: 2 if field == "scale" else "cover"})
    assert response.status_code == 400 and field in response.json()["details"]


def test_signed_url_w_and_h_scale_the_design(render_worker, owner, banner):
    owner.refresh_from_db()
    url = signing.signed_url(secret=owner.url_signing_secret, path=f"/r/{banner.pk}.png", params={"w": 600, "h": 315})
    response = JsonClient().get(url)
    assert response.status_code == 200, response.content
    image = open_image(response.content).convert("RGB")
    assert image.size == (600, 315) and close(image.getpixel((590, 305)), GREEN)
    url = signing.signed_url(secret=owner.url_signing_secret, path=f"/r/{banner.pk}.png",
                             params={"scale": "0.25"})
    image = open_image(JsonClient().get(url).content).convert("RGB")
    assert image.size == (300, 158) and close(image.getpixel((296, 154)), GREEN)
    url = signing.signed_url(secret=owner.url_signing_secret, path=f"/r/{banner.pk}.png",
                             params={"w": 600, "h": 600, "fit": "cover"})
    image = open_image(JsonClient().get(url).content).convert("RGB")
    assert image.size == (600, 600) and close(image.getpixel((300, 5)), BLUE)
    bad = signing.signed_url(secret=owner.url_signing_secret, path=f"/r/{banner.pk}.png", params={"fit": "fill"})
    assert JsonClient().get(bad).status_code == 400
