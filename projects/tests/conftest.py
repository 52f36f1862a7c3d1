"""Helpers for the projects tests: files built in memory (images, fonts, SVG), embed sessions,
a private media root per test."""
import io
import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from conftest import JsonClient


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of each test go to a directory of their own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def png_bytes(width=4, height=3, colour=(255, 0, 0, 255), fmt="PNG", **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, (width, height), colour if mode == "RGBA" else colour[:3]).save(buffer, fmt, **save)
    return buffer.getvalue()


def gif_bytes(frames=3, size=(8, 8)) -> bytes:
    # Distinct colours: Pillow merges identical consecutive frames.
    images = [Image.new("RGB", size, (i * 40 % 256, 255 - i * 30 % 256, i * 70 % 256)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=50, loop=0)
    return buffer.getvalue()


def png_header_bomb(width=100_000, height=100_000) -> bytes:
    """A valid PNG signature and IHDR that claim a huge canvas, with a tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def font_bytes(family="Audome Test Sans", flavor=None, weight=400, italic=False) -> bytes:
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    glyphs = [".notdef", "A"]
    fb.setupGlyphOrder(glyphs)
    fb.setupCharacterMap({ord("A"): "A"})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((500, 700))
    pen.lineTo((900, 0))
    pen.closePath()
    glyph = pen.glyph()
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "A": glyph})
    fb.setupHorizontalMetrics({".notdef": (500, 0), "A": (1000, 100)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    style = "Italic" if italic else "Regular"
    fb.setupNameTable({"familyName": family, "styleName": style})
    fb.setupOS2(usWeightClass=weight, fsSelection=0x01 if italic else 0x40)
    fb.setupPost()
    if flavor:
        fb.font.flavor = flavor
    buffer = io.BytesIO()
    fb.save(buffer)
    return buffer.getvalue()


MALICIOUS_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80"
     onload="alert(1)">
  <script>alert('x')</script>
  <style>@import url(https://evil.example/x.css); rect { fill: red }</style>
  <foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/></body></foreignObject>
  <a xlink:href="javascript:alert(2)"><rect width="10" height="10"/></a>
  <image href="https://evil.example/track.png" width="10" height="10"/>
  <use xlink:href="https://evil.example/sprite.svg#x"/>
  <use href="#ok"/>
  <rect id="ok" width="50" height="40" fill="#0f0" onclick="alert(3)" style="fill: url(https://evil.example/x)"/>
  <circle cx="60" cy="40" r="20" fill="url(#grad)"/>
  <animate attributeName="href" to="javascript:alert(4)"/>
  <set attributeName="onmouseover" to="alert(5)"/>
</svg>"""


def upload(client, path, name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    # JsonClient would turn the dict into JSON: go straight to APIClient for multipart.
    return APIClient.post(client, path, {"file": SimpleUploadedFile(name, content, content_type=content_type)},
                          format="multipart")


def embed_client(account, *, project_id=None, category_id=None, read_only=False) -> JsonClient:
    from accounts.models import EmbedSession
    from accounts.tokens import new_embed_token, token_hash

    plain = new_embed_token()
    EmbedSession.objects.create(account=account, token_hash=token_hash(plain),
                                project_id=str(project_id) if project_id else None,
                                category_id=str(category_id) if category_id else None, read_only=read_only,
                                expires_at=timezone.now() + timedelta(minutes=15))
    client = JsonClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client
