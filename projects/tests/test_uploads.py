"""Asset and font uploads: content sniffed (not the name), bombs refused, SVG sanitised, fonts
parsed, 25 MB cap, generated names, and the files served with safe headers."""
import hashlib
import re
import uuid

import pytest
from django.core.files.storage import default_storage

from conftest import client_for
from projects.models import Asset, Font
from projects.selectors import fonts_for
from projects.tests.conftest import (
    MALICIOUS_SVG,
    embed_client,
    font_bytes,
    gif_bytes,
    png_bytes,
    png_header_bomb,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "http://testserver"

ASSETS = "/api/render/assets"
FONTS = "/api/render/fonts"


def media_path(url: str) -> str:
    assert url.startswith("http://testserver/media/"), url
    return url[len("http://testserver"):]


def fetch(client, url):
    response = client.get(media_path(url))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# --- images --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,mime,ext", [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"),
                                          ("WEBP", "image/webp", "webp")])
def test_upload_raster(api, owner, anon, fmt, mime, ext):
    content = png_bytes(40, 30, fmt=fmt)
    r = upload(api, ASSETS, f"My Photo.{ext}", content)
    assert r.status_code == 201, r.json()
    body = r.json()
    asset = body["asset"]
    assert body["success"] is True
    assert (asset["width"], asset["height"], asset["mime"], asset["bytes"]) == (40, 30, mime, len(content))
    # Stored under a generated name, never the uploader's.
    assert re.fullmatch(rf"http://testserver/media/assets/[0-9a-f]{{2}}/[0-9a-f]{{32}}\.{ext}", asset["url"])
    row = Asset.objects.get(pk=asset["id"])
    assert row.account == owner and row.sha256 == hashlib.sha256(content).hexdigest()
    assert "Photo" not in row.file.name
    response, served = fetch(anon, asset["url"])
    assert response.status_code == 200 and served == content
    assert response["Content-Type"] == mime
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_upload_gif_animation(api):
    r = upload(api, ASSETS, "anim.gif", gif_bytes(frames=4))
    assert r.status_code == 201 and r.json()["asset"]["mime"] == "image/gif"


def test_frame_cap(api, settings, owner):
    settings.ASSET_MAX_FRAMES = 3
    r = upload(api, ASSETS, "anim.gif", gif_bytes(frames=5))
    assert r.status_code == 400 and "file" in r.json()["details"]
    assert not Asset.objects.filter(account=owner).exists()


def test_content_decides_not_the_name(api, owner):
    # A PNG named .svg is stored as the PNG it is.
    r = upload(api, ASSETS, "looks.svg", png_bytes(), content_type="image/svg+xml")
    assert r.status_code == 201
    assert r.json()["asset"]["mime"] == "image/png" and r.json()["asset"]["url"].endswith(".png")
    # A text file named .png is refused.
    r = upload(api, ASSETS, "evil.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert "file" in r.json()["details"]
    # A PNG signature followed by garbage is refused too.
    r = upload(api, ASSETS, "broken.png", png_bytes()[:40])
    assert r.status_code == 400
    assert Asset.objects.filter(account=owner).count() == 1


def test_decompression_bomb_refused(api, owner, _media_root):
    r = upload(api, ASSETS, "bomb.png", png_header_bomb(100_000, 100_000))
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert "MP" in r.json()["details"]["file"][0]
    # Below Pillow's own bomb threshold (~179 MP) but over ours.
    r = upload(api, ASSETS, "big.png", png_header_bomb(10_000, 6_000))
    assert r.status_code == 400
    assert not Asset.objects.filter(account=owner).exists()
    assert not (_media_root / "assets").exists() or not any((_media_root / "assets").rglob("*.*"))


def test_upload_cap_413(api, owner, settings):
    settings.API_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
    content = png_bytes() + b"\x00" * (25 * 1024 * 1024)
    r = upload(api, ASSETS, "huge.png", content)
    assert r.status_code == 413 and r.json()["code"] == "PAYLOAD_TOO_LARGE"
    r = upload(api, FONTS, "huge.ttf", font_bytes() + b"\x00" * (25 * 1024 * 1024))
    assert r.status_code == 413
    assert not Asset.objects.exists() and not Font.objects.exists()


def test_upload_needs_a_file_and_multipart(api):
    r = api.post(ASSETS, {"file": "x"})
    assert r.status_code == 400 and "file" in r.json()["details"]
    r = api.post(ASSETS, b"raw", content_type="image/png")
    assert r.status_code == 415


def test_malicious_svg_sanitised(api, anon):
    r = upload(api, ASSETS, "logo.svg", MALICIOUS_SVG, content_type="image/svg+xml")
    assert r.status_code == 201, r.json()
    asset = r.json()["asset"]
    assert asset["mime"] == "image/svg+xml" and (asset["width"], asset["height"]) == (120, 80)
    response, served = fetch(anon, asset["url"])
    text = served.decode().lower()
    for bad in ("<script", "onload", "onclick", "foreignobject", "javascript:", "evil.example", "@import",
                "<animate", "<set", "<iframe"):
        assert bad not in text, bad
    assert "<rect" in text and 'href="#ok"' in text and "url(#grad)" in text
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp


@pytest.mark.parametrize("svg", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    b'<!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    b"<svg><rect/></svg>",  # no SVG namespace
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect',  # not well formed
])
def test_svg_refused(api, svg):
    r = upload(api, ASSETS, "x.svg", svg)
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"


def test_assets_list_get_delete(api, outsider_api, owner):
    ids = [upload(api, ASSETS, f"{i}.png", png_bytes(i + 1, 1)).json()["asset"]["id"] for i in range(3)]
    r = api.get(ASSETS, {"limit": 2})
    assert r.status_code == 200
    assert len(r.json()["assets"]) == 2 and r.json()["pagination"]["totalCount"] == 3
    assert api.get(f"{ASSETS}/{ids[0]}").json()["asset"]["id"] == ids[0]
    # Outsiders: empty list, 404 on the id, and nothing changes.
    assert outsider_api.get(ASSETS).json()["assets"] == []
    for method in ("get", "delete"):
        r = getattr(outsider_api, method)(f"{ASSETS}/{ids[0]}")
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert Asset.objects.filter(account=owner).count() == 3
    name = Asset.objects.get(pk=ids[0]).file.name
    r = api.delete(f"{ASSETS}/{ids[0]}")
    assert r.status_code == 200
    assert not Asset.objects.filter(pk=ids[0]).exists()
    assert api.get(f"{ASSETS}/{uuid.uuid4()}").status_code == 404
    assert name  # the file goes after the commit (on_commit); the row is what the API answers for


def test_embed_sessions_list_assets_but_delete_none(api, owner):
    """The Studio's asset library inside an embed: the account's images to reuse, no deleting."""
    asset_id = upload(api, ASSETS, "a.png", png_bytes()).json()["asset"]["id"]
    embed = embed_client(owner)
    assert [a["id"] for a in embed.get(ASSETS).json()["assets"]] == [asset_id]
    r = embed.delete(f"{ASSETS}/{asset_id}")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    assert Asset.objects.filter(pk=asset_id).exists()


def test_deleting_an_asset_removes_its_file(api, owner, django_capture_on_commit_callbacks):
    asset_id = upload(api, ASSETS, "a.png", png_bytes()).json()["asset"]["id"]
    name = Asset.objects.get(pk=asset_id).file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{ASSETS}/{asset_id}").status_code == 200
    assert not default_storage.exists(name)


def test_uploaded_asset_url_is_accepted_in_documents_and_data(api):
    url = upload(api, ASSETS, "a.png", png_bytes()).json()["asset"]["url"]
    doc = {"version": 1, "elements": [{"id": "i", "type": "image", "x": 0, "y": 0, "width": 10, "height": 10,
                                       "dynamicKey": "hero", "src": url}]}
    r = api.post("/api/render/projects", {"name": "x", "width": 10, "height": 10, "document": doc})
    assert r.status_code == 201, r.json()
    assert r.json()["dynamicElements"][0]["defaultValue"] == url


def test_upload_scopes(owner):
    reader = client_for(owner, "read-only")
    assert upload(reader, ASSETS, "a.png", png_bytes()).status_code == 403
    assert upload(reader, FONTS, "a.ttf", font_bytes()).status_code == 403
    assert upload(client_for(owner, "render-only"), ASSETS, "a.png", png_bytes()).status_code == 201


# --- fonts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flavor,fmt", [(None, "ttf"), ("woff", "woff"), ("woff2", "woff2")])
def test_font_upload_reads_family(api, owner, anon, flavor, fmt):
    content = font_bytes("Brand Display", flavor=flavor, weight=700)
    r = upload(api, FONTS, "whatever.bin", content)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["success"] is True and body["familyName"] == "Brand Display"
    uuid.UUID(body["id"])
    assert body["weight"] == 700 and body["style"] == "normal" and body["format"] == fmt
    font = Font.objects.get(pk=body["id"])
    assert font.account == owner and font.file.name.startswith("fonts/") and font.file.name.endswith("." + fmt)
    assert [f.pk for f in fonts_for(account=owner)] == [font.pk]
    response, served = fetch(anon, body["url"])
    assert response.status_code == 200 and served == content
    assert response["Content-Type"] == f"font/{fmt}"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_font_italic_and_name_cleaned(api):
    r = upload(api, FONTS, "a.ttf", font_bytes('Evil"; } body{x', italic=True))
    assert r.status_code == 201
    assert r.json()["familyName"] == "Evil body x" and r.json()["style"] == "italic"


def test_font_refusals(api, owner):
    for name, content in [("a.ttf", b"not a font at all"), ("a.ttf", png_bytes()), ("a.woff2", b"wOF2" + b"\0" * 60),
                          ("a.otf", b"OTTO" + b"\x00" * 100)]:
        r = upload(api, FONTS, name, content)
        assert r.status_code == 400 and "file" in r.json()["details"], name
    assert not Font.objects.filter(account=owner).exists()


def test_fonts_list_and_delete(api, outsider_api, owner):
    fid = upload(api, FONTS, "a.ttf", font_bytes("Alpha")).json()["id"]
    upload(api, FONTS, "b.ttf", font_bytes("Beta"))
    r = api.get(FONTS)
    assert [f["familyName"] for f in r.json()["fonts"]] == ["Alpha", "Beta"]
    assert "Noto Sans" in [f["familyName"] for f in r.json()["bundled"]]
    assert outsider_api.get(FONTS).json()["fonts"] == []
    r = outsider_api.delete(f"{FONTS}/{fid}")
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert Font.objects.filter(account=owner).count() == 2
    assert api.delete(f"{FONTS}/not-a-uuid").status_code == 404
    embed = embed_client(owner)
    assert embed.delete(f"{FONTS}/{fid}").status_code == 403
    assert embed.get(FONTS).status_code == 200
    r = api.delete(f"{FONTS}/{fid}")
    assert r.status_code == 200
    assert [f.family_name for f in fonts_for(account=owner)] == ["Beta"]


def test_media_view_only_serves_known_names(anon, api):
    url = upload(api, ASSETS, "a.png", png_bytes()).json()["asset"]["url"]
    path = media_path(url)
    assert anon.get(path.replace(".png", ".svg")).status_code == 404
    assert anon.get("/media/assets/../../etc/passwd").status_code == 404
    assert anon.get(path.replace("/assets/", "/fonts/")).status_code == 404
    assert default_storage.exists(path[len("/media/"):])
