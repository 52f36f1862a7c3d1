"""The warm path: a page that holds a document's canvas only redoes the values that changed.

Every render here is compared with a full build of the same (document, data) in a page that
never saw anything (a fresh account context): same pixels, same warnings. The page's own
counters (window.__audome.stats) prove which path a render took.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import time
import uuid
from pathlib import Path

from django.conf import settings

from rendering import engine
from rendering.tests.test_engine_helpers import (
    close,
    doc,
    image_of,
    in_page,
    ink_bbox,
    pixel,
    rect_el,
    render,
    same_pixels,
    text_el,
)
from rendering.tests.test_engine_render import image_el, png_bytes

ARABIC = "مرحبا بكم"


def png_url(colour) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes((20, 20), colour)).decode()


RED, GREEN, BLUE = png_url((255, 0, 0)), png_url((0, 255, 0)), png_url((0, 0, 255))
NOT_AN_IMAGE = "data:image/png;base64," + base64.b64encode(b"this is not a png at all").decode()
UNREACHABLE = "https://example.invalid/none.png"


def new_key(prefix="acct-inc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def stats(key: str) -> dict:
    return in_page(key, "() => ({...window.__audome.stats})")


def full_build(document, **kw):
    """The same render as a full build in a page that never rendered before."""
    kw.pop("key", None)
    return render(document, key=new_key("acct-fresh"), **kw)


def assert_same(result, expected):
    """Same warnings and the same pixels as the full build."""
    assert result.warnings == expected.warnings
    assert same_pixels(image_of(result), image_of(expected)), "pixels differ from a full build"


def run_sequence(document, datas, key, **kw):
    """Renders each data in turn in one account's page; returns the results."""
    return [render(document, data=data, key=key, **kw) for data in datas]


CARD = doc(
    image_el("hero", RED, x=0, y=150, width=400, height=150, borderRadius=12),
    text_el("title", "Summer sale", x=20, y=20, width=360, height=80, fontSize=48, autoFit=True),
    text_el("sub", ARABIC, x=20, y=100, width=360, height=40, fontSize=24, fontFamily="Noto Sans Arabic"),
    rect_el("bar", x=0, y=0, width=400, height=8, fill="#f59e0b"),
    background="#e2e8f0",
)


# --- one document, new data ------------------------------------------------------------------

def test_new_data_updates_the_canvas_in_place_and_matches_a_full_build():
    key = new_key()
    datas = [
        {"title.text": "First", "hero.img": GREEN},
        {"title.text": "Second, a little longer", "sub.text": "خصم ٣٠٪"},
        {"title.text": "Second, a little longer", "sub.text": "خصم ٣٠٪"},  # nothing changed
        {},
    ]
    first = render(CARD, data=datas[0], key=key)
    in_page(key, "() => { document.querySelector('.audome-canvas').__kept = 1; }")
    rest = run_sequence(CARD, datas[1:], key)
    assert stats(key) == {"builds": 1, "updates": 3}
    assert in_page(key, "() => document.querySelector('.audome-canvas').__kept") == 1  # the same canvas node
    for data, result in zip(datas, [first, *rest], strict=True):
        assert_same(result, full_build(CARD, data=data))
    # the data really showed: green photo, then back to the template's red one
    assert close(pixel(first, 200, 250)[:3], (0, 255, 0), 6)
    assert close(pixel(rest[0], 200, 250)[:3], (255, 0, 0), 6)


def test_auto_fit_shrinks_for_longer_text_and_grows_back_for_shorter():
    document = doc(text_el("title", "Hi", x=0, y=0, width=300, height=100, fontSize=72, autoFit=True),
                   text_el("body", "Short", x=0, y=120, width=300, height=40, fontSize=32))
    long = "A long headline that will never fit at this size in such a small box"
    datas = [{}, {"title.text": long, "body.text": long}, {"title.text": "Hi again"}, {}]
    key = new_key()
    results = run_sequence(document, datas, key, width=300, height=200)
    assert stats(key) == {"builds": 1, "updates": 3}
    short, shrunk, grown, back = results
    assert short.warnings == [] and grown.warnings == []
    assert [(w["code"], w["elementId"]) for w in shrunk.warnings] == [("TEXT_FITTED", "title"), ("TEXT_OVERFLOW", "body")]
    assert 8 <= shrunk.warnings[0]["fontSize"] < 72
    # back at the original size: the same pixels as the first render
    assert_same(back, short)
    size = in_page(key, """() => document.querySelector('[data-element-id="title"] > div').style.fontSize""")
    assert size == "72px"
    for data, result in zip(datas, results, strict=True):
        assert_same(result, full_build(document, data=data, width=300, height=200))


def test_arabic_and_emoji_arriving_in_a_latin_element_are_shaped_right_to_left():
    document = doc(text_el("t", "Hello", x=0, y=0, width=800, height=120, fontSize=48))
    mixed = f"{ARABIC} Ελληνικά 🦄"
    key = new_key()
    latin, arabic = run_sequence(document, [{}, {"t.text": mixed}], key, width=800, height=120)
    assert stats(key) == {"builds": 1, "updates": 1}
    assert arabic.warnings == []
    assert_same(latin, full_build(document, width=800, height=120))
    assert_same(arabic, full_build(document, data={"t.text": mixed}, width=800, height=120))
    # right to left (it starts with Arabic): hugs the right edge, unlike the Latin text
    assert ink_bbox(image_of(latin))[0] < 10
    bb = ink_bbox(image_of(arabic))
    assert bb[2] > 780 and bb[0] > 100
    # the emoji is in colour
    raw = image_of(arabic).convert("RGB").tobytes()
    assert any(abs(raw[i] - raw[i + 1]) > 60 or abs(raw[i + 1] - raw[i + 2]) > 60 for i in range(0, len(raw), 3))
    # shaped: the same letters kept apart draw differently
    apart = render(document, data={"t.text": "\u200c".join(ARABIC)}, key=key, width=800, height=120)
    alone = render(document, data={"t.text": ARABIC}, key=key, width=800, height=120)
    a, b = ink_bbox(image_of(apart)), ink_bbox(image_of(alone))
    assert abs((a[2] - a[0]) - (b[2] - b[0])) > 10


def bundled_stylesheet() -> str:
    """The built renderer's stylesheet (the bundled @font-face rules, one file per script)."""
    manifest = json.loads((Path(settings.BASE_DIR) / "static/dist/manifest.json").read_text())
    chunks = manifest["static/render-page/main.ts"].get("imports", [])
    return "/static/" + next(c for chunk in chunks for c in manifest[chunk].get("css", []))


WITH_WEB_FONTS = """(href) => new Promise((resolve) => {
    const link = Object.assign(document.createElement('link'), {rel: 'stylesheet', href});
    link.onload = resolve;
    document.head.appendChild(link);
})"""
FONT_FILES = "() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.woff2'))"


def test_an_update_waits_for_the_web_fonts_its_new_text_needs():
    """With the bundled fonts as web fonts (one file per script, fetched when text first needs
    it), the page answers only once the files for the new text arrived: nothing is captured
    with fallback glyphs. A full build in a page with the same fonts draws the same pixels."""
    document = doc(text_el("t", "Hello", x=0, y=0, width=800, height=120, fontSize=48, autoFit=True))
    text = f"{ARABIC} Ελληνικά Привет"
    key, fresh = new_key(), new_key("acct-fresh")
    for k in (key, fresh):
        render(doc(), key=k, width=800, height=120)  # the page exists…
        in_page(k, WITH_WEB_FONTS, bundled_stylesheet())  # …and has the bundled web fonts
    render(document, key=key, width=800, height=120)
    before = in_page(key, f"""() => {{
        const render = window.__audome.render;
        window.__audome.render = async (p) => {{
            const out = await render(p);
            window.__atAnswer = [document.fonts.status, ({FONT_FILES})()];
            return out;
        }};
        return ({FONT_FILES})();
    }}""")
    updated = render(document, data={"t.text": text}, key=key, width=800, height=120)
    assert stats(key) == {"builds": 2, "updates": 1}
    time.sleep(0.5)
    status, at_answer = in_page(key, "() => window.__atAnswer")
    assert status == "loaded"
    fetched = " ".join(set(at_answer) - set(before))
    assert "noto-sans-greek-400" in fetched and "noto-sans-cyrillic-400" in fetched  # the new text needed them…
    assert in_page(key, FONT_FILES) == at_answer  # …and none came in after the answer
    assert_same(updated, render(document, data={"t.text": text}, key=fresh, width=800, height=120))


def test_images_changed_removed_failing_and_back():
    document = doc(image_el("hero", RED, x=0, y=0, width=100, height=100),
                   image_el("side", "", x=100, y=0, width=100, height=100))
    datas = [
        {},                                          # template image; the empty slot stays hidden
        {"hero.img": GREEN, "side.img": BLUE},       # both changed
        {"side.img": BLUE},                          # hero removed → back to the template's src
        {"hero.img": NOT_AN_IMAGE, "side.img": NOT_AN_IMAGE},  # undecodable: template kept / slot empty
        {"hero.img": UNREACHABLE},                   # not fetchable: template kept
        {"hero.img": GREEN},
    ]
    key = new_key()
    results = run_sequence(document, datas, key, width=200, height=100)
    assert stats(key) == {"builds": 1, "updates": 5}
    expected_colours = [((255, 0, 0), (255, 255, 255)), ((0, 255, 0), (0, 0, 255)), ((255, 0, 0), (0, 0, 255)),
                        ((255, 0, 0), (255, 255, 255)), ((255, 0, 0), (255, 255, 255)), ((0, 255, 0), (255, 255, 255))]
    for result, (hero, side) in zip(results, expected_colours, strict=True):
        assert close(pixel(result, 50, 50)[:3], hero, 6) and close(pixel(result, 150, 50)[:3], side, 6)
    warned = [[(w["code"], w["elementId"]) for w in r.warnings] for r in results]
    assert warned == [[], [], [], [("IMAGE_FALLBACK", "hero"), ("IMAGE_FALLBACK", "side")],
                      [("IMAGE_FALLBACK", "hero")], []]
    assert "template image was kept" in results[3].warnings[0]["message"]
    assert "left empty" in results[3].warnings[1]["message"]
    for data, result in zip(datas, results, strict=True):
        assert_same(result, full_build(document, data=data, width=200, height=100))


def test_warnings_are_listed_build_then_images_then_fitting_in_document_order():
    long = "This text is far too long for the tiny box it was given, " * 3
    document = doc(
        text_el("a", "short", x=0, y=0, width=200, height=30, fontSize=20, autoFit=True),
        image_el("img", RED, x=200, y=0, width=50, height=50),
        text_el("b", "Hello", x=0, y=40, width=200, height=30, fontSize=20, fontFamily="Comic Nonexistent Sans"),
        text_el("c", "Hi", x=0, y=80, width=200, height=30, fontSize=20),
    )
    data = {"a.text": "A somewhat longer title here", "img.img": NOT_AN_IMAGE, "b.text": long, "c.text": long}
    key = new_key()
    _, updated = run_sequence(document, [{}, data], key, width=300, height=120)
    assert stats(key) == {"builds": 1, "updates": 1}
    assert [(w["code"], w["elementId"]) for w in updated.warnings] == [
        ("FONT_FALLBACK", "b"),
        ("IMAGE_FALLBACK", "img"),
        ("TEXT_FITTED", "a"),
        ("TEXT_OVERFLOW", "b"),
        ("TEXT_OVERFLOW", "c"),
    ]
    assert_same(updated, full_build(document, data=data, width=300, height=120))


# --- what must not be reused -----------------------------------------------------------------

def test_two_documents_alternating_in_one_account_never_mix():
    one = doc(text_el("title", "One", x=10, y=10, width=300, height=60, fontSize=40),
              rect_el("r", x=0, y=150, width=200, height=50, fill="#ff0000"))
    two = doc(text_el("title", "Two", x=100, y=100, width=300, height=60, fontSize=20, color="#0000ff"),
              image_el("hero", GREEN, x=200, y=150, width=100, height=50), background="#222222")
    key = new_key()
    steps = [(one, {"title.text": "A"}), (two, {"title.text": "A"}), (one, {"title.text": "B"}),
             (two, {"title.text": "B"}), (two, {"title.text": "C"})]
    results = [render(d, data=data, key=key, width=400, height=200) for d, data in steps]
    # each document is built once and kept: switching back to it updates it
    assert stats(key) == {"builds": 2, "updates": 3}
    # another size or background of the same document is another canvas
    render(one, key=key, width=400, height=200)
    render(one, key=key, width=400, height=201)
    render(one, key=key, width=400, height=201, background="#00ff00")
    assert stats(key) == {"builds": 4, "updates": 4}
    for (d, data), result in zip(steps, results, strict=True):
        assert_same(result, full_build(d, data=data, width=400, height=200))


def test_a_page_keeps_at_most_render_page_canvases_and_rebuilds_the_oldest(settings):
    settings.RENDER_PAGE_CANVASES = 2
    docs = [doc(text_el("title", name, x=10, y=10 + 20 * i, width=300, height=60, fontSize=30),
                rect_el("r", x=0, y=150, width=100 + 50 * i, height=40, fill=colour), background=bg)
            for i, (name, colour, bg) in enumerate((("One", "#ff0000", "#ffffff"), ("Two", "#00ff00", "#000000"),
                                                     ("Three", "#0000ff", "#888888")))]
    key = new_key()
    steps = [(0, "a"), (1, "a"), (2, "a"), (1, "b"), (2, "b"), (0, "b")]
    results = [render(docs[i], data={"title.text": t}, key=key, width=400, height=200) for i, t in steps]
    # 0, 1, 2 built (0 dropped for 2); 1 and 2 kept (updates); 0 built again
    assert stats(key) == {"builds": 4, "updates": 2}
    assert in_page(key, "() => document.querySelectorAll('.audome-root').length") == 2
    assert in_page(key, "() => [...document.querySelectorAll('.audome-root')].filter((r) => r.style.display !== 'none').length") == 1
    for (i, t), result in zip(steps, results, strict=True):
        assert_same(result, full_build(docs[i], data={"title.text": t}, width=400, height=200))


def test_templates_of_other_sizes_in_turn_match_full_builds():
    """The render page keeps canvases of several sizes and its viewport follows the one it
    renders: each canvas comes out at its own size, as a full build."""
    wide = doc(text_el("title", "Wide", x=20, y=20, width=560, height=80, fontSize=48, autoFit=True),
               rect_el("r", x=500, y=200, width=100, height=100, fill="#ff00ff"), background="#102030")
    tall = doc(text_el("title", "Tall", x=20, y=500, width=200, height=80, fontSize=40),
               image_el("hero", GREEN, x=0, y=0, width=240, height=400), background="#fefefe")
    key = new_key()
    steps = [(CARD, 400, 300, "x"), (wide, 600, 300, "y"), (tall, 240, 640, "z"), (CARD, 400, 300, "w"),
             (wide, 600, 300, "v")]
    for document, width, height, text in steps:
        result = render(document, data={"title.text": text}, key=key, width=width, height=height)
        assert image_of(result).size == (width, height)
        assert_same(result, full_build(document, data={"title.text": text}, width=width, height=height))
    assert stats(key) == {"builds": 3, "updates": 2}


def test_a_restarted_chromium_gives_a_page_without_state_and_a_full_build():
    key = new_key()
    render(CARD, data={"title.text": "Before"}, key=key)
    os.kill(engine.get_engine().state.browser_pid, signal.SIGKILL)
    after = render(CARD, data={"title.text": "After"}, key=key)
    assert stats(key) == {"builds": 1, "updates": 0}
    assert_same(after, full_build(CARD, data={"title.text": "After"}))


def test_a_page_that_lost_its_canvas_asks_for_the_document():
    key = new_key()
    render(CARD, data={"title.text": "Before"}, key=key)
    # The page reloads behind the engine's back: the engine still believes it holds the canvas.
    engine.get_engine().call(lambda s: s.render_page(s.context_for(key)).reload(), timeout=30)
    engine.get_engine().call(
        lambda s: s.render_page(s.context_for(key)).wait_for_function("window.__audome && window.__audome.ready"),
        timeout=30)
    after = render(CARD, data={"title.text": "After"}, key=key)
    assert stats(key) == {"builds": 1, "updates": 0}  # answered needDocument, then built
    assert_same(after, full_build(CARD, data={"title.text": "After"}))
    # and the next render is an update again
    render(CARD, data={"title.text": "Again"}, key=key)
    assert stats(key) == {"builds": 1, "updates": 1}


# --- the memory check ------------------------------------------------------------------------

def test_the_browser_process_is_the_root_of_chromiums_tree():
    """The pid that a hang's kill and the memory check use is the browser's, whatever order
    the pids came in: its children are never taken for a browser."""
    from core.processes import descendants
    from rendering.engine import browser

    render(doc(rect_el()), width=60, height=60)
    pid = engine.get_engine().state.browser_pid
    browsers, children = set(browser.browser_pids()), set(descendants(pid))
    assert pid in browsers and any(_is_chromium(p) for p in children)
    assert not browsers & children  # none of its children (renderers, zygotes…) counts as a browser


def _is_chromium(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"chromium" in fh.read().split(b"\0")[0]
    except OSError:
        return False


def test_chromium_is_restarted_when_it_outgrows_its_memory_between_renders(settings):
    settings.RENDER_MAX_RSS_MB = 1
    settings.RENDER_RSS_CHECK_SECONDS = 0
    settings.RENDER_RSS_CHECK_RENDERS = 2
    pids = set()
    for _ in range(6):
        r = render(doc(rect_el(fill="#00ff00")), width=60, height=60)
        assert close(pixel(r, 25, 25)[:3], (0, 255, 0))
        pids.add(engine.get_engine().state.browser_pid)
    assert len(pids) >= 2


def test_chromium_is_restarted_when_it_outgrows_its_memory_while_idle(settings):
    settings.RENDER_RSS_CHECK_RENDERS = 10**9  # never between renders
    settings.RENDER_RSS_CHECK_SECONDS = 0
    settings.RENDER_MAX_RSS_MB = 1
    render(doc(rect_el(fill="#00ff00")), width=60, height=60)
    state = engine.get_engine().state
    pid = state.browser_pid
    assert pid
    deadline = time.monotonic() + 10
    while state.browser_pid == pid and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state.browser_pid != pid
    settings.RENDER_MAX_RSS_MB = 1500
    r = render(doc(rect_el(fill="#00ff00")), width=60, height=60)
    assert close(pixel(r, 25, 25)[:3], (0, 255, 0))
