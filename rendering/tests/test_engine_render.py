"""rendering.engine.render(): real Chromium, checked by pixels and warnings."""
from __future__ import annotations

import base64
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from PIL import Image

from projects import fonts as engine_fonts
from rendering import engine
from rendering.tests.test_engine_helpers import (
    close,
    dark_pixels,
    doc,
    image_of,
    in_page,
    ink_bbox,
    pixel,
    rect_el,
    render,
    text_el,
)

ROOT = Path(dj_settings.BASE_DIR)


def png_bytes(size=(40, 40), colour=(0, 128, 255)):
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


# --- formats, size, alpha, shapes ----------------------------------------------------------

@pytest.mark.parametrize("fmt,pil", [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_size_and_format(fmt, pil):
    result = render(doc(rect_el(x=10, y=20, width=100, height=50, fill="#ff0000")), width=320, height=240, fmt=fmt)
    im = image_of(result)
    assert im.format == pil and im.size == (320, 240)
    assert (result.width, result.height, result.format) == (320, 240, fmt)
    assert result.mime == f"image/{fmt}"
    assert close(pixel(result, 60, 45)[:3], (255, 0, 0), tol=12)
    assert close(pixel(result, 200, 200)[:3], (255, 255, 255), tol=12)
    assert set(result.timings) >= {"fetch", "layout", "capture", "encode", "total"}
    assert all(v >= 0 for v in result.timings.values())


def test_transparent_background_is_a_png_with_real_alpha():
    d = {"version": 1, "background": {"color": "#123456"}, "elements": [rect_el(x=50, y=50, width=60, height=60, fill="#00ff00")]}
    result = render(d, width=200, height=200, fmt="jpeg", background="transparent")
    im = image_of(result)
    assert result.format == "png" and im.format == "PNG" and im.mode == "RGBA"
    assert im.getpixel((5, 5))[3] == 0  # the canvas is clear…
    assert close(im.getpixel((80, 80)), (0, 255, 0, 255), tol=4)  # …the shape is opaque


def test_request_background_overrides_the_document_and_default_is_white():
    d = doc(background="#123456")
    assert close(pixel(render(d, width=50, height=50), 10, 10)[:3], (0x12, 0x34, 0x56), 3)
    assert close(pixel(render(d, width=50, height=50, background="#ff8800"), 10, 10)[:3], (255, 136, 0), 3)
    nobg = {"version": 1, "elements": []}
    assert close(pixel(render(nobg, width=50, height=50), 10, 10)[:3], (255, 255, 255), 3)


def test_shapes_ellipse_stroke_line_rotation_opacity_zorder_hidden():
    d = doc(
        rect_el("under", x=0, y=0, width=100, height=100, fill="#0000ff"),
        rect_el("over", x=50, y=50, width=100, height=100, fill="#ff0000"),  # later = on top
        {"id": "el", "type": "shape", "shape": "ellipse", "x": 200, "y": 0, "width": 100, "height": 100,
         "fill": "#00ff00", "stroke": "#000000", "strokeWidth": 6},
        {"id": "ln", "type": "shape", "shape": "line", "x": 0, "y": 180, "width": 300, "height": 20,
         "stroke": "#000000", "strokeWidth": 4},
        rect_el("ghost", x=0, y=220, width=100, height=60, fill="#ff00ff", opacity=0.5),
        rect_el("hidden", x=200, y=220, width=100, height=60, fill="#ff00ff", hidden=True),
        rect_el("rot", x=320, y=20, width=60, height=60, fill="#000000", rotation=45),
    )
    r = render(d, width=400, height=300)
    assert close(pixel(r, 25, 25)[:3], (0, 0, 255))
    assert close(pixel(r, 75, 75)[:3], (255, 0, 0))  # overlap: the later element wins
    assert close(pixel(r, 250, 50)[:3], (0, 255, 0))
    assert close(pixel(r, 203, 3)[:3], (255, 255, 255))  # ellipse corner is empty
    assert close(pixel(r, 250, 2)[:3], (0, 0, 0), 40)  # stroke on the ellipse's edge
    assert close(pixel(r, 150, 190)[:3], (0, 0, 0), 40)  # line through the middle of its box
    assert close(pixel(r, 150, 183)[:3], (255, 255, 255), 10)
    assert close(pixel(r, 50, 250)[:3], (255, 128, 255), 10)  # 50 % magenta on white
    assert close(pixel(r, 250, 250)[:3], (255, 255, 255))  # hidden → not drawn
    # rotated 45°: the box's corner is empty, a point beyond its side (still in the diamond) is inked
    assert close(pixel(r, 322, 22)[:3], (255, 255, 255), 10)
    assert close(pixel(r, 350, 15)[:3], (0, 0, 0), 10)


# --- text --------------------------------------------------------------------------------

def test_text_is_drawn_inside_its_box_with_dynamic_data():
    d = doc(text_el("title", "placeholder", x=20, y=20, width=360, height=80, fontSize=40))
    r = render(d, data={"title.text": "Summer sale"}, width=400, height=300)
    im = image_of(r)
    assert dark_pixels(im, (20, 20, 380, 100)) > 200
    assert dark_pixels(im, (0, 120, 400, 300)) == 0
    assert r.warnings == []
    # different data → different ink
    other = render(d, data={"title.text": "I"}, width=400, height=300)
    assert dark_pixels(image_of(other), (20, 20, 380, 100)) < dark_pixels(im, (20, 20, 380, 100)) / 4


def test_text_alignment_and_vertical_alignment():
    def bbox(**style):
        d = doc(text_el("t", "Hi", x=0, y=0, width=400, height=200, fontSize=40, **style))
        return ink_bbox(image_of(render(d, width=400, height=200)))

    left, right, centre = bbox(textAlign="left"), bbox(textAlign="right"), bbox(textAlign="center")
    assert left[0] < 10 and right[2] > 390 and abs((centre[0] + centre[2]) / 2 - 200) < 6
    top, middle, bottom = bbox(verticalAlign="top"), bbox(verticalAlign="middle"), bbox(verticalAlign="bottom")
    assert top[1] < 30 and bottom[3] > 170 and abs((middle[1] + middle[3]) / 2 - 100) < 15


ARABIC = "مرحبا بكم"


def plain_chromium_png(html: str, width: int, height: int) -> Image.Image:
    """Chromium rendering `html` in a plain page (own context, no renderer, no routes)."""
    def run(state):
        state.ensure()
        context = state.browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        try:
            page = context.new_page()
            page.set_content(html)
            page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))")
            return page.screenshot(type="png")
        finally:
            context.close()

    return Image.open(io.BytesIO(engine.get_engine().call(run, timeout=30)))


def test_arabic_is_shaped_and_right_to_left_like_plain_chromium():
    d = doc(text_el("t", ARABIC, x=40, y=40, width=600, height=120, fontFamily="Noto Sans Arabic", fontSize=64))
    ours = image_of(render(d, width=700, height=200))
    font = ROOT / "node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2"
    b64 = base64.b64encode(font.read_bytes()).decode()
    plain = plain_chromium_png(
        f"<style>@font-face{{font-family:Ref;src:url(data:font/woff2;base64,{b64})}}"
        "body{margin:0;background:#fff}</style>"
        f'<div dir="auto" style="position:absolute;left:40px;top:40px;width:600px;height:120px;'
        f'font:400 64px Ref;line-height:1.2;color:#000">{ARABIC}</div>',
        700, 200,
    )
    ob, pb = ink_bbox(ours), ink_bbox(plain)
    assert ob and pb
    # Right-to-left: textAlign start hugs the right edge of the box (x = 640).
    assert 625 <= ob[2] <= 641 and ob[0] > 300
    # Same glyphs, same shaping, same place as plain Chromium.
    assert abs((ob[2] - ob[0]) - (pb[2] - pb[0])) <= 2 and abs(ob[2] - pb[2]) <= 2 and abs(ob[1] - pb[1]) <= 2
    # Shaping matters: the same letters kept apart (ZWNJ) draw differently.
    apart = "\u200c".join(ARABIC)
    ab = ink_bbox(image_of(render(doc(text_el("t", apart, x=40, y=40, width=600, height=120,
                                                fontFamily="Noto Sans Arabic", fontSize=64)), width=700, height=200)))
    assert abs((ab[2] - ab[0]) - (ob[2] - ob[0])) > 10


def test_direction_rtl_ltr_and_mixed_text_and_emoji():
    mixed = "مرحبا Audome 2026 🎉"
    r = render(doc(text_el("t", mixed, x=0, y=0, width=800, height=120, fontSize=48)), width=800, height=120)
    bb = ink_bbox(image_of(r))
    assert bb[2] > 780 and bb[0] > 100  # starts with Arabic → RTL, aligned right
    assert r.warnings == []
    # the emoji is in colour
    raw = image_of(r).convert("RGB").tobytes()
    pixels = (raw[i:i + 3] for i in range(0, len(raw), 3))
    assert any(abs(p[0] - p[1]) > 60 or abs(p[1] - p[2]) > 60 for p in pixels)
    forced = render(doc(text_el("t", mixed, x=0, y=0, width=800, height=120, fontSize=48, direction="ltr")),
                    width=800, height=120)
    fb = ink_bbox(image_of(forced))
    assert fb[0] < 10 and fb[2] < 700
    latin_rtl = render(doc(text_el("t", "Hello", x=0, y=0, width=800, height=120, fontSize=48, direction="rtl")),
                       width=800, height=120)
    assert ink_bbox(image_of(latin_rtl))[2] > 780


def test_auto_fit_shrinks_and_reports_the_size():
    long = "A long headline that will never fit at this size in such a small box"
    r = render(doc(text_el("title", long, x=0, y=0, width=300, height=100, fontSize=72, autoFit=True)),
               width=300, height=200)
    fitted = [w for w in r.warnings if w["code"] == "TEXT_FITTED"]
    assert len(fitted) == 1 and fitted[0]["elementId"] == "title"
    assert 8 <= fitted[0]["fontSize"] < 72 and str(fitted[0]["fontSize"]).rstrip("0").rstrip(".") in fitted[0]["message"]
    assert not [w for w in r.warnings if w["code"] == "TEXT_OVERFLOW"]
    bb = ink_bbox(image_of(r))
    assert bb[3] <= 102  # the text stays inside its box
    # short text: nothing to do, no warning
    ok = render(doc(text_el("title", "Hi", x=0, y=0, width=300, height=100, fontSize=40, autoFit=True)),
                width=300, height=200)
    assert ok.warnings == []


def test_overflow_is_reported():
    long = "This text is far too long for the tiny box it was given, " * 4
    r = render(doc(text_el("body", long, x=0, y=0, width=200, height=40, fontSize=32)), width=300, height=300)
    assert [w["code"] for w in r.warnings] == ["TEXT_OVERFLOW"] and r.warnings[0]["elementId"] == "body"
    # even auto-fit can't: at the minimum size it still overflows
    tiny = render(doc(text_el("body", long * 3, x=0, y=0, width=40, height=10, fontSize=32, autoFit=True)),
                  width=300, height=300)
    assert "TEXT_OVERFLOW" in [w["code"] for w in tiny.warnings]


def test_missing_font_falls_back_with_a_warning():
    r = render(doc(text_el("t", "Hello", fontFamily="Comic Nonexistent Sans")), width=700, height=200)
    assert [w["code"] for w in r.warnings] == ["FONT_FALLBACK"]
    assert r.warnings[0]["elementId"] == "t" and "Comic Nonexistent Sans" in r.warnings[0]["message"]
    same = render(doc(text_el("t", "Hello", fontFamily="Noto Sans")), width=700, height=200)
    assert same.warnings == []
    assert image_of(r).tobytes() == image_of(same).tobytes()  # the fallback is Noto Sans


def test_account_font_is_loaded_from_storage(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    serif = ROOT / "node_modules/@fontsource/noto-serif/files/noto-serif-latin-400-normal.woff2"
    name = default_storage.save("fonts/brand.woff2", ContentFile(serif.read_bytes()))
    face = engine.FontFace(family="Brand Face", storage_name=name)
    d = doc(text_el("t", "Hamburgefonts", fontFamily="Brand Face", fontSize=48), )
    with_font = render(d, width=700, height=200, fonts=[face], key="acct-fonts")
    assert with_font.warnings == []
    without = render(d, width=700, height=200, key="acct-nofonts")
    assert [w["code"] for w in without.warnings] == ["FONT_FALLBACK"]
    assert image_of(with_font).tobytes() != image_of(without).tobytes()
    # an unreadable font file → the family is missing → fallback, with a warning
    broken = render(d, width=700, height=200, key="acct-broken",
                    fonts=[engine.FontFace(family="Brand Face", storage_name="fonts/missing.woff2")])
    assert [w["code"] for w in broken.warnings] == ["FONT_FALLBACK"]


# --- images ------------------------------------------------------------------------------

def image_el(id="hero", src="", x=0, y=0, width=100, height=100, **extra):
    return {"id": id, "type": "image", "x": x, "y": y, "width": width, "height": height, "src": src,
            "dynamicKey": id, **extra}


def test_images_from_our_storage_and_data_urls_fill_their_slot(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("assets/blue.png", ContentFile(png_bytes((40, 40), (0, 0, 255))))
    url = settings.PUBLIC_BASE_URL + settings.MEDIA_URL + name
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes((10, 10), (0, 255, 0))).decode()
    d = doc(image_el("hero", url, x=0, y=0, width=100, height=100, borderRadius=30),
            image_el("side", "", x=150, y=0, width=100, height=100, fit="contain"))
    r = render(d, data={"side.img": data_url}, width=300, height=120)
    assert r.warnings == []
    assert close(pixel(r, 50, 50)[:3], (0, 0, 255), 6)
    assert close(pixel(r, 2, 2)[:3], (255, 255, 255), 10)  # the rounded corner is cut
    assert close(pixel(r, 200, 50)[:3], (0, 255, 0), 6)


def test_image_fallback_keeps_the_template_image(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("assets/red.png", ContentFile(png_bytes((20, 20), (255, 0, 0))))
    default = settings.PUBLIC_BASE_URL + settings.MEDIA_URL + name
    not_an_image = "data:image/png;base64," + base64.b64encode(b"this is not a png at all").decode()
    d = doc(image_el("hero", default, width=100, height=100))
    r = render(d, data={"hero.img": not_an_image}, width=120, height=120)
    assert [w["code"] for w in r.warnings] == ["IMAGE_FALLBACK"] and r.warnings[0]["elementId"] == "hero"
    assert close(pixel(r, 50, 50)[:3], (255, 0, 0), 6)
    # no usable default either → the slot is left empty
    d2 = doc(image_el("hero", "https://example.invalid/none.png", width=100, height=100))
    r2 = render(d2, width=120, height=120)
    assert [w["code"] for w in r2.warnings] == ["IMAGE_FALLBACK"]
    assert close(pixel(r2, 50, 50)[:3], (255, 255, 255), 6)


def test_remote_image_from_an_allowed_https_server(settings):
    from core.tests.tlsserver import LocalServer, make_test_ca

    ca = make_test_ca(names=("images.test",), ips=("127.0.0.2",))
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = ["127.0.0.2/32"]
    settings.AUDOME_FETCH_CA_FILE = str(ca.ca_file)
    from rendering.engine import images

    images.cache.clear()
    body = png_bytes((30, 30), (255, 200, 0))
    with LocalServer(host="127.0.0.2", tls=ca, handler=lambda r, i: (200, {"Content-Type": "image/png"}, body)) as srv:
        d = doc(image_el("hero", "", width=100, height=100))
        r = render(d, data={"hero.img": srv.url("/photo.png")}, width=120, height=120)
        assert r.warnings == []
        assert close(pixel(r, 50, 50)[:3], (255, 200, 0), 6)
        assert r.timings["fetch"] >= 0
        # fetched once, then served from the cache
        render(d, data={"hero.img": srv.url("/photo.png")}, width=120, height=120)
        assert len(srv.received) == 1


# --- values are data ---------------------------------------------------------------------

def test_hostile_text_renders_as_characters():
    hostile = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>'
    r = render(doc(text_el("t", hostile, x=0, y=0, width=1000, height=100, fontSize=24)), width=1000, height=100,
               key="acct-hostile")
    assert dark_pixels(image_of(r), (0, 0, 1000, 100)) > 300
    state = in_page("acct-hostile", """() => {
        const t = document.querySelector('[data-element-id="t"] > div');
        return {text: t.textContent, imgs: document.querySelectorAll('#audome-root img').length,
                bolds: document.querySelectorAll('#audome-root b').length, title: document.title};
    }""")
    assert state == {"text": hostile, "imgs": 0, "bolds": 0, "title": ""}


def test_hostile_style_values_are_rejected():
    el = text_el("t", "Hello", x=0, y=0, width=400, height=100, fontSize=40,
                 color="red; background-image: url(https://example.com/x.png)",
                 fontFamily='x"; } body { background: red } .a { font-family: "y',
                 textAlign="center;position:fixed", lineHeight="1; color: red", fontSize_="x")
    shape = rect_el("r", x=0, y=100, width=100, height=100, fill="url(javascript:alert(1))",
                    stroke="#000; background: red", borderRadius="4px; background:red")
    r = render(doc(el, shape), width=400, height=200, key="acct-hostile")
    assert [w["code"] for w in r.warnings] == ["FONT_FALLBACK"]
    styles = in_page("acct-hostile", """() => [...document.querySelectorAll('#audome-root [data-element-id], #audome-root [data-element-id] > div')]
        .map((n) => n.getAttribute('style') || '')""")
    joined = " ".join(styles)
    assert "url(" not in joined and "javascript" not in joined and "fixed" not in joined
    assert "background: red" not in joined and 'font-family: "x' not in joined
    im = image_of(r)
    assert close(im.convert("RGB").getpixel((50, 150)), (255, 255, 255), 4)  # the bad fill drew nothing
    assert dark_pixels(im, (0, 0, 400, 100)) > 100  # the text still renders (black)


def test_bundled_font_catalogue_matches_the_renderer():
    ts = (ROOT / "static/renderer/fonts.ts").read_text()
    families = re.findall(r"\{ family: '([^']+)'", ts)
    assert families == engine_fonts.bundled_families()
    font_files = (ROOT / "static/renderer/font-files.ts").read_text()
    for fam in families:
        slug = fam.lower().replace(" ", "-")
        if fam == "Noto Color Emoji":
            # Not a web font (@fontsource's is OpenType-SVG, drawn blank by Chromium): the
            # render servers' own colour emoji font, which Chromium draws.
            assert f"@fontsource/{slug}/" not in font_files
            listed = subprocess.run(["fc-list", ":family=Noto Color Emoji"], capture_output=True, text=True).stdout
            assert "NotoColorEmoji" in listed
        else:
            assert f"@fontsource/{slug}/" in font_files


def test_the_render_page_links_the_bundled_fonts_like_the_studio():
    """Renders and the Studio draw text with the same @fontsource files: the render page links
    the stylesheets the Studio's page links for the renderer, and text is drawn with them."""
    from core.templatetags.vite import entry_files
    from rendering.engine.browser import Assets

    assets = Assets()
    _, studio_css = entry_files("static/studio/main.tsx")
    assert assets.css and all(c[len("/static/"):] in studio_css for c in assets.css)
    render(doc(text_el("t", "Serif Ωμέγα Привет", fontFamily="Noto Serif")), key="acct-fonts")
    used = in_page("acct-fonts", """() => [...document.fonts].filter((f) => f.status === 'loaded')
        .map((f) => f.family)""")
    assert "Noto Serif" in used  # a @font-face of the bundled CSS, not a system font


def test_bad_options_and_jobs_can_not_be_built():
    for values, field in (({"width": 0, "height": 10}, "width"), ({"width": 10, "height": 99999}, "height"),
                          ({"width": 10, "height": 10, "format": "gif"}, "format"),
                          ({"width": 10, "height": 10, "quality": 0}, "quality"),
                          ({"width": 10, "height": 10, "background": "red;x"}, "background"),
                          ({"width": 10.5, "height": 10}, "width")):
        with pytest.raises(engine.InvalidOptions) as exc:
            engine.RenderOptions(**values)
        assert list(exc.value.problems) == [field]
    options = engine.RenderOptions(width=10, height=10)
    for content in ({}, {"document": doc(), "html": "<p>both</p>"}, {"document": "not an object"}):
        with pytest.raises(engine.RenderError) as exc:
            engine.RenderJob(options, **content)
        assert exc.value.retryable is False


def test_transparent_makes_a_png_with_alpha():
    options = engine.RenderOptions(width=40, height=20, format="jpeg", background=" Transparent ")
    assert (options.format, options.background) == ("png", "transparent")
    r = engine.render(engine.RenderJob(options, document=doc(rect_el(x=0, y=0, width=20, height=20))))
    assert r.format == "png" and image_of(r).mode == "RGBA"
    assert pixel(r, 10, 10)[:3] == (255, 0, 0) and pixel(r, 30, 10)[3] == 0


def test_images_switch_correctly_between_renders_on_a_warm_page():
    def url(colour):
        return "data:image/png;base64," + base64.b64encode(png_bytes((20, 20), colour)).decode()

    red, green = url((255, 0, 0)), url((0, 255, 0))
    d = doc(image_el("a", red, x=0, y=0, width=50, height=50), image_el("b", red, x=50, y=0, width=50, height=50))
    for data, want in (({}, ((255, 0, 0), (255, 0, 0))), ({"b.img": green}, ((255, 0, 0), (0, 255, 0))),
                       ({"a.img": green, "b.img": red}, ((0, 255, 0), (255, 0, 0))), ({}, ((255, 0, 0), (255, 0, 0)))):
        r = render(d, data=data, width=100, height=50, key="acct-images")
        assert r.warnings == []
        assert close(pixel(r, 25, 25)[:3], want[0], 6) and close(pixel(r, 75, 25)[:3], want[1], 6)


def quadrants_doc():
    """A 200×100 template: red left half, blue right half, a green square in the middle."""
    return doc(rect_el("l", x=0, y=0, width=100, height=100, fill="#ff0000"),
               rect_el("r", x=100, y=0, width=100, height=100, fill="#0000ff"),
               rect_el("m", x=90, y=40, width=20, height=20, fill="#00ff00"), background="#ffff00")


def placed(width, height, *, fit="contain", fmt="png", background=None):
    options = engine.RenderOptions(width=width, height=height, format=fmt, design=(200, 100), fit=fit,
                                   background=background)
    return engine.render(engine.RenderJob(options, document=quadrants_doc(), isolation_key="acct-placed"))


def test_an_output_of_the_same_ratio_is_the_whole_design_scaled():
    for width, height in ((100, 50), (400, 200), (601, 300)):  # half, double, within a pixel of the ratio
        r = placed(width, height)
        im = image_of(r).convert("RGB")
        assert im.size == (width, height) and (r.width, r.height) == (width, height)
        sx, sy = width / 200, height / 100
        assert close(im.getpixel((round(20 * sx), round(50 * sy))), (255, 0, 0), 12)  # left half: red
        assert close(im.getpixel((round(180 * sx), round(50 * sy))), (0, 0, 255), 12)  # right half: blue
        assert close(im.getpixel((round(100 * sx), round(50 * sy))), (0, 255, 0), 12)  # the centre: green
        assert close(im.getpixel((width - 1, height - 1)), (0, 0, 255), 12)  # the corner is the design's, not cut
        assert r.warnings == []


def test_contain_shows_all_of_the_design_with_bands_of_its_background():
    r = placed(200, 200)  # a square output of a 2:1 template: scale 1, 50 px bands above and below
    im = image_of(r).convert("RGB")
    assert im.size == (200, 200)
    assert close(im.getpixel((100, 10)), (255, 255, 0), 12) and close(im.getpixel((100, 190)), (255, 255, 0), 12)
    assert close(im.getpixel((20, 100)), (255, 0, 0), 12) and close(im.getpixel((180, 100)), (0, 0, 255), 12)
    assert close(im.getpixel((100, 100)), (0, 255, 0), 12)
    assert [w["code"] for w in r.warnings] == ["ASPECT_RATIO_CHANGED"]
    assert "contain" in r.warnings[0]["message"] and "200×100" in r.warnings[0]["message"]


def test_contain_bands_take_the_requested_background_and_stay_clear_when_transparent():
    im = image_of(placed(100, 100, background="#ff00ff")).convert("RGB")
    assert close(im.getpixel((50, 5)), (255, 0, 255), 12)
    clear = image_of(placed(100, 100, background="transparent"))
    assert clear.mode == "RGBA" and clear.getpixel((50, 5))[3] == 0 and clear.getpixel((10, 50))[3] == 255


def test_cover_fills_the_output_and_crops_the_sides():
    r = placed(100, 100, fit="cover")  # scale 1: the middle 100×100 of the design
    im = image_of(r).convert("RGB")
    assert im.size == (100, 100)
    assert close(im.getpixel((10, 50)), (255, 0, 0), 12) and close(im.getpixel((90, 50)), (0, 0, 255), 12)
    assert close(im.getpixel((30, 2)), (255, 0, 0), 12)  # no band: the design reaches the top
    assert close(im.getpixel((50, 50)), (0, 255, 0), 12)
    assert [w["code"] for w in r.warnings] == ["ASPECT_RATIO_CHANGED"] and "cover" in r.warnings[0]["message"]


def test_a_scaled_render_and_a_native_one_alternate_on_a_warm_page():
    native = engine.render(engine.RenderJob(engine.RenderOptions(width=200, height=100), document=quadrants_doc(),
                                            isolation_key="acct-placed"))
    small = placed(100, 50)
    again = engine.render(engine.RenderJob(engine.RenderOptions(width=200, height=100), document=quadrants_doc(),
                                           isolation_key="acct-placed"))
    assert image_of(native).size == image_of(again).size == (200, 100) and image_of(small).size == (100, 50)
    assert close(pixel(again, 199, 99)[:3], (0, 0, 255), 12) and close(pixel(small, 99, 49)[:3], (0, 0, 255), 12)


def test_text_is_drawn_at_the_output_resolution_not_blown_up():
    def edge_share(im):  # anti-aliased edge pixels per inked pixel: an enlarged bitmap has ~4× more
        values = im.convert("L").tobytes()
        return sum(1 for v in values if 10 < v < 245) / max(1, sum(1 for v in values if v <= 10))

    small = doc(text_el("t", "Hi", x=0, y=0, width=200, height=100, fontSize=60))
    large = doc(text_el("t", "Hi", x=0, y=0, width=800, height=400, fontSize=240))
    scaled = engine.render(engine.RenderJob(engine.RenderOptions(width=800, height=400, design=(200, 100)),
                                            document=small, isolation_key="acct-placed"))
    native = render(large, width=800, height=400, key="acct-placed")
    assert edge_share(image_of(scaled)) < 1.5 * edge_share(image_of(native))
    ink_scaled, ink_native = dark_pixels(image_of(scaled), (0, 0, 800, 400)), dark_pixels(image_of(native), (0, 0, 800, 400))
    assert ink_native > 2000 and abs(ink_scaled - ink_native) < 0.05 * ink_native


def test_image_over_the_pixel_cap_is_refused():
    buf = io.BytesIO()
    Image.new("1", (10_000, 5_000), 1).save(buf, "PNG")  # 50 megapixels, a few kB on the wire
    bomb = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    r = render(doc(image_el("hero", "", width=50, height=50)), data={"hero.img": bomb}, width=60, height=60)
    assert [w["code"] for w in r.warnings] == ["IMAGE_FALLBACK"] and "too large" in r.warnings[0]["message"]


def test_renders_from_many_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    colours = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff"]

    def one(i):
        c = colours[i % len(colours)]
        r = render(doc(rect_el(x=0, y=0, width=40, height=40, fill=c)), width=40, height=40, key=f"acct-t{i % 3}")
        return c, pixel(r, 20, 20)[:3]

    with ThreadPoolExecutor(6) as pool:
        for c, got in pool.map(one, range(12)):
            assert close(got, tuple(int(c[j:j + 2], 16) for j in (1, 3, 5)), 4)
