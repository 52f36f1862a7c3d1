"""Band capture (rendering/engine/frames.py): a PNG render on the warm path re-captures only
the rows its changed elements cover and splices them into the page's last PNG.

Every band render is checked pixel for pixel against a whole-canvas capture of the same page
at that moment, and against a full build in a page that never rendered before; the engine's
counters prove which capture path each render took.
"""
from __future__ import annotations

import base64
import io
import random
import uuid
import zlib

import pytest
from PIL import Image, ImageDraw

from rendering import engine
from rendering.engine.frames import STRIP, Frame, FrameMismatch, adler32_combine
from rendering.tests.test_engine_helpers import doc, image_of, rect_el, render, same_pixels, text_el
from rendering.tests.test_engine_render import image_el, png_bytes

W = H = 1080


def new_key() -> str:
    return f"acct-band-{uuid.uuid4().hex[:8]}"


def counts() -> dict:
    return dict(engine.get_engine().call(lambda state: dict(state.captures), timeout=10))


def captured_now(key: str, width=W, height=H, fmt="png") -> Image.Image:
    """A whole-canvas capture of the page of `key` as it is now."""
    def run(state):
        ctx = state.context_for(key)
        return state.capture(ctx.cdp, width, height, fmt, 90)[0]

    im = Image.open(io.BytesIO(engine.get_engine().call(run, timeout=20)))
    im.load()
    return im


def check_sequence(document, datas, *, width=W, height=H, background=None, expect_band=True):
    """Renders datas in turn in one page; each result must equal a capture of the page and a
    fresh full build. Returns the results and how they were captured."""
    key = new_key()
    before = counts()
    results = []
    for data in datas:
        result = render(document, data=data, key=key, width=width, height=height, background=background)
        assert same_pixels(image_of(result), captured_now(key, width, height)), f"band render differs for {data}"
        fresh = render(document, data=data, key=new_key(), width=width, height=height, background=background)
        assert same_pixels(image_of(result), image_of(fresh)), f"differs from a full build for {data}"
        assert result.warnings == fresh.warnings
        results.append(result)
    after = counts()
    used = {k: after[k] - before[k] for k in after}
    # every render above also made one fresh full build
    used["full"] -= len(datas)
    if expect_band:
        assert used["band"] >= 1, used
    return results, used


CARD = doc(
    image_el("hero", "data:image/png;base64," + base64.b64encode(png_bytes((40, 40), (200, 30, 30))).decode(),
             x=0, y=400, width=1080, height=680, borderRadius=24),
    text_el("title", "Summer sale", x=80, y=120, width=920, height=200, fontSize=72, fontWeight=700,
            autoFit=True, textAlign="center", verticalAlign="middle"),
    text_el("sub", "خصم ٣٠٪ على كل شيء", x=80, y=330, width=920, height=60, fontSize=40,
            fontFamily="Noto Sans Arabic", textAlign="center"),
    rect_el("bar", x=40, y=40, width=200, height=8, fill="#f59e0b"),
    background="#0f172a",
)


def test_changing_the_title_recaptures_only_its_rows_and_matches_full_captures():
    datas = [{"title.text": f"Summer sale #{i} — up to {i * 7 % 90}% off"} for i in range(5)]
    datas.append({"title.text": "A much longer headline that has to be shrunk to fit inside its box, twice over"})
    datas.append({"title.text": "Short"})
    results, used = check_sequence(CARD, datas)
    # the build, then one more whole capture before the frame is cut into strips, then bands
    assert used["band"] == len(datas) - 2 and used["full"] == 2, used
    # the output is a plain PNG of the canvas size
    im = image_of(results[-1])
    assert im.format == "PNG" and im.size == (W, H)


def test_band_captures_go_on_after_switching_to_another_template_and_back():
    """Each canvas a page keeps has its own last PNG: after another template of the same
    account (another size), a render of the first is still a band, with the right pixels."""
    other = doc(text_el("title", "Link", x=40, y=40, width=1000, height=200, fontSize=64),
                rect_el("r", x=0, y=500, width=1200, height=130, fill="#22c55e"), background="#ffffff")
    key = new_key()
    for i, (document, width, height) in enumerate([(CARD, W, H)] * 3 + [(other, 1200, 630), (CARD, W, H),
                                                                           (other, 1200, 630), (CARD, W, H)]):
        before = counts()
        data = {"title.text": f"Render {i}"}
        result = render(document, data=data, key=key, width=width, height=height)
        used = {k: v - before[k] for k, v in counts().items()}
        assert same_pixels(image_of(result), captured_now(key, width, height)), f"render {i} differs from the page"
        fresh = render(document, data=data, key=new_key(), width=width, height=height)
        assert same_pixels(image_of(result), image_of(fresh)), f"render {i} differs from a full build"
        if i in (4, 6):  # back on the card: its own frame, strips already made
            assert used["band"] == 1, (i, used)


def test_the_rows_text_left_are_repainted_when_it_gets_shorter():
    # Text that overflows its box downward (no auto-fit), then a short value: the old lines'
    # rows must be cleared in the spliced image.
    long = "\n".join(["overflowing line"] * 8)
    document = doc(text_el("t", "x", x=100, y=100, width=500, height=60, fontSize=48), background="#ffffff")
    results, _ = check_sequence(document, [{"t.text": long}, {"t.text": "gone"}, {"t.text": long}])
    assert any(w["code"] == "TEXT_OVERFLOW" for w in results[0].warnings)


@pytest.mark.parametrize("line_height", [0.3, 1.0])
def test_glyphs_past_their_line_boxes_are_inside_the_band(line_height):
    # Small line heights put Arabic marks, emoji and descenders outside the line boxes.
    document = doc(text_el("t", "x", x=60, y=500, width=960, height=100, fontSize=80, lineHeight=line_height,
                           fontFamily="Noto Naskh Arabic", textAlign="center"), background="#fefce8")
    datas = [{"t.text": "بِسْمِ اللَّهِ 😀 gjpqy"}, {"t.text": "ÅÉÎ ْ ٌ ٍ"}, {"t.text": "ما شاءَ اللهُ 🎉"}]
    check_sequence(document, datas)


def test_rotated_and_translucent_text():
    document = doc(text_el("t", "x", x=300, y=420, width=480, height=120, fontSize=56, rotation=33, opacity=0.7),
                   rect_el("under", x=0, y=450, width=1080, height=40, fill="#22c55e"), background="#ffffff")
    check_sequence(document, [{"t.text": "Turned text"}, {"t.text": "Another, longer turned text"}, {"t.text": "X"}])


def test_an_image_slot_swapped():
    def url(colour):
        return "data:image/png;base64," + base64.b64encode(png_bytes((16, 16), colour)).decode()

    document = doc(image_el("pic", url((255, 0, 0)), x=700, y=60, width=300, height=200, borderRadius=30),
                   text_el("t", "caption", x=40, y=700, width=900, height=80, fontSize=40))
    _, used = check_sequence(document, [{"pic.img": url((0, 0, 255))}, {"pic.img": url((0, 255, 0))}, {},
                                        {"pic.img": url((0, 0, 255))}])
    assert used["band"] == 2


def test_changes_far_apart_are_captured_whole():
    document = doc(text_el("a", "top", x=0, y=0, width=1080, height=80, fontSize=48),
                   text_el("b", "bottom", x=0, y=1000, width=1080, height=80, fontSize=48))
    _, used = check_sequence(document, [{"a.text": "1", "b.text": "1"}, {"a.text": "2", "b.text": "2"}],
                             expect_band=False)
    assert used["band"] == 0 and used["full"] == 2


def test_small_and_large_changes_in_turn_never_pay_for_strips():
    # A large change (the hero image, most of the canvas) between small ones: each small one
    # follows a whole capture, so no frame is ever cut into strips for a single band.
    def url(colour):
        return "data:image/png;base64," + base64.b64encode(png_bytes((16, 16), colour)).decode()

    colours = [(255, 0, 0), (0, 0, 255), (0, 128, 0), (90, 90, 90)]
    datas = []
    for i, colour in enumerate(colours):
        datas += [{"hero.img": url(colour), "title.text": f"big {i}"}, {"hero.img": url(colour), "title.text": f"small {i}"}]
    _, used = check_sequence(CARD, datas, expect_band=False)
    assert used["band"] == 0 and used["full"] == len(datas), used


def test_text_at_the_bottom_edge_and_a_height_off_the_strip_grid():
    height = 1000  # not a multiple of the strip height
    assert height % STRIP
    document = doc(text_el("t", "x", x=0, y=940, width=1080, height=60, fontSize=40), background="#e0f2fe")
    check_sequence(document, [{"t.text": "bottom 1"}, {"t.text": "bottom line two"}, {"t.text": "3"}], height=height)


def test_a_transparent_background_keeps_its_alpha():
    document = doc(text_el("t", "x", x=100, y=300, width=880, height=100, fontSize=60),
                   rect_el("r", x=0, y=0, width=1080, height=100, fill="#ff0000"))
    results, _ = check_sequence(document, [{"t.text": "first"}, {"t.text": "second"}, {"t.text": "third one"}],
                                background="transparent")
    im = image_of(results[-1])
    assert im.mode == "RGBA" and im.getpixel((5, 600))[3] == 0 and im.getpixel((5, 50)) == (255, 0, 0, 255)


def test_the_same_data_again_captures_nothing_and_returns_the_same_image():
    key = new_key()
    first = render(CARD, data={"title.text": "Same"}, key=key, width=W, height=H)
    before = counts()
    again = render(CARD, data={"title.text": "Same"}, key=key, width=W, height=H)
    assert counts()["unchanged"] == before["unchanged"] + 1
    assert same_pixels(image_of(again), image_of(first))
    assert same_pixels(image_of(again), captured_now(key))


def test_jpeg_in_between_drops_the_frame_and_png_after_it_is_still_right():
    key = new_key()
    render(CARD, data={"title.text": "png one"}, key=key, width=W, height=H)
    jpeg = render(CARD, data={"title.text": "a jpeg"}, key=key, width=W, height=H, fmt="jpeg")
    assert image_of(jpeg).format == "JPEG"
    before = counts()
    png = render(CARD, data={"title.text": "png two"}, key=key, width=W, height=H)
    assert counts()["full"] == before["full"] + 1  # no frame to splice into after the jpeg
    assert same_pixels(image_of(png), captured_now(key))


def test_a_failing_splice_falls_back_to_a_whole_capture(monkeypatch):
    key = new_key()
    for text in ("one", "two", "three"):  # the third would be a band
        render(CARD, data={"title.text": text}, key=key, width=W, height=H)

    def broken(self, top, band_png):
        raise RuntimeError("simulated failure while splicing")

    monkeypatch.setattr(Frame, "splice", broken)
    before = counts()
    result = render(CARD, data={"title.text": "four"}, key=key, width=W, height=H)
    assert counts()["full"] == before["full"] + 1 and counts()["band"] == before["band"]
    assert same_pixels(image_of(result), captured_now(key))


def test_a_template_whose_font_is_missing_is_always_captured_whole():
    # FONT_FALLBACK / IMAGE_FALLBACK renders may still change (a late font or image): no frame is kept.
    document = doc(text_el("t", "x", x=0, y=0, width=1080, height=100, fontSize=40, fontFamily="No Such Font"))
    _, used = check_sequence(document, [{"t.text": str(i)} for i in range(4)], expect_band=False)
    assert used["band"] == 0 and used["full"] == 4


# --- the PNG work itself ---------------------------------------------------------------------

def test_adler32_combine_matches_zlib():
    rng = random.Random(7)
    for _ in range(200):
        a, b = rng.randbytes(rng.randint(0, 70_000)), rng.randbytes(rng.randint(0, 70_000))
        assert adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def test_splicing_gives_the_pixels_of_the_edited_image():
    rng = random.Random(3)
    base = Image.frombytes("RGB", (300, 250), rng.randbytes(300 * 250 * 3))
    frame = Frame(_png(base))
    assert frame.png == _png(base)
    edited = base.copy()
    for top, bottom in ((32, 96), (0, 32), (224, 250), (64, 250)):
        ImageDraw.Draw(edited).rectangle((10, top, 200, bottom - 1), fill=(rng.randrange(256), 0, 255))
        out = frame.splice(top, _png(edited.crop((0, top, 300, bottom))))
        decoded = Image.open(io.BytesIO(out))
        decoded.load()
        assert decoded.size == (300, 250) and decoded.tobytes() == edited.tobytes()
        assert frame.png == out


def test_a_band_that_does_not_fit_is_refused():
    frame = Frame(_png(Image.new("RGB", (100, 100), "white")))
    with pytest.raises(FrameMismatch):
        frame.splice(32, _png(Image.new("RGBA", (100, 32), "white")))  # another colour type
    with pytest.raises(FrameMismatch):
        frame.splice(10, _png(Image.new("RGB", (100, 32), "white")))  # off the strip grid
    with pytest.raises(FrameMismatch):
        frame.splice(32, _png(Image.new("RGB", (90, 32), "white")))  # another width
