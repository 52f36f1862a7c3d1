"""The Studio's arranging and library tools, in headless Chromium against a live ASGI server:
align / distribute / group, proportional resizing, the asset library (browse, reuse, delete),
the live preview of unsaved edits with test data, the out-of-credits error's way to Billing, the
"new project" button's icon, and the top bar on a 390 px phone. Screenshots go to
$AUDOME_SHOTS_DIR (default /tmp/shots) in English and Arabic, light and dark."""
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))
LOOKS = [("light", "en"), ("dark", "ar")]

DOC = {
    "version": 1,
    "background": {"color": "#f8fafc"},
    "elements": [
        {"id": "a", "type": "shape", "shape": "rect", "x": 40, "y": 60, "width": 100, "height": 50, "fill": "#ef4444"},
        {"id": "b", "type": "shape", "shape": "rect", "x": 300, "y": 140, "width": 60, "height": 80, "fill": "#22c55e"},
        {"id": "c", "type": "shape", "shape": "ellipse", "x": 620, "y": 30, "width": 120, "height": 120, "fill": "#3b82f6"},
        {"id": "title", "type": "text", "x": 100, "y": 300, "width": 600, "height": 100, "dynamicKey": "title",
         "text": "Summer sale", "style": {"fontFamily": "Noto Sans", "fontSize": 56, "fontWeight": 700, "color": "#111827",
                                          "textAlign": "center", "verticalAlign": "middle"}},
    ],
}


@pytest.fixture
def card(owner):
    from projects.models import Project

    return Project.objects.create(account=owner, name="Tools", width=800, height=450, document=DOC)


def prop(page, name) -> str:
    return page.get_by_test_id(f"prop-{name}").input_value()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def box_of(page, element_id) -> tuple[int, int, int, int]:
    """x, y, width, height of an element (canvas px), read through the properties panel."""
    page.locator(f".layer[data-layer-id='{element_id}']").click()
    return int(prop(page, "x")), int(prop(page, "y")), int(prop(page, "w")), int(prop(page, "h"))


def select_shapes(page):
    page.locator(".layer[data-layer-id=a]").click()
    page.locator(".layer[data-layer-id=b]").click(modifiers=["Shift"])
    page.locator(".layer[data-layer-id=c]").click(modifiers=["Shift"])
    page.get_by_test_id("align-bar").wait_for()


def test_align_distribute_and_group(owner, card, dashboard_page):
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    page.get_by_test_id("studio").wait_for()

    # One element aligns to the canvas.
    page.locator(".layer[data-layer-id=b]").click()
    page.get_by_test_id("align-hcenter").click()
    assert box_of(page, "b")[0] == (800 - 60) // 2

    # Several align to the box around them, and distribute with equal gaps.
    select_shapes(page)
    page.get_by_test_id("align-top").click()
    assert {box_of(page, i)[1] for i in "abc"} == {30}
    select_shapes(page)
    page.get_by_test_id("distribute-x").click()
    (ax, _, aw, _), (bx, _, bw, _), (cx, _, _, _) = (box_of(page, i) for i in "abc")
    assert (ax, cx) == (40, 620)  # the ends stay
    assert abs((bx - (ax + aw)) - (cx - (bx + bw))) <= 1
    page.keyboard.press("Control+z")
    assert box_of(page, "b")[0] == (800 - 60) // 2  # one undo step

    # Group: a click on one member selects the group; it moves as one; saved with the template.
    select_shapes(page)
    page.get_by_test_id("group").click()
    assert page.get_by_test_id("layer-group").count() == 3
    page.keyboard.press("Escape")
    page.locator(".overlay .hit[data-element-id=b]").click()
    page.get_by_text("3 elements selected").wait_for()
    before = {i: box_of(page, i)[:2] for i in "abc"}
    page.locator(".overlay .hit[data-element-id=b]").click()
    page.keyboard.press("Shift+ArrowDown")
    assert {i: box_of(page, i)[:2] for i in "abc"} == {i: (x, y + 10) for i, (x, y) in before.items()}
    page.keyboard.press("Control+s")
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for()
    card.refresh_from_db()
    groups = {el["id"]: el.get("groupId") for el in card.document["elements"]}
    assert groups["a"] and groups["a"] == groups["b"] == groups["c"] and groups["title"] is None

    # Still a group after a reload; Ctrl+Shift+G ungroups.
    page.reload()
    page.locator(".overlay .hit[data-element-id=a]").click()
    page.get_by_text("3 elements selected").wait_for()
    for look, (theme, language) in enumerate(LOOKS):
        if look:
            page = dashboard_page(owner, f"/render/studio/{card.pk}", theme=theme, language=language)
            page.locator(".overlay .hit[data-element-id=a]").click()
            page.get_by_test_id("align-bar").wait_for()
        shot(page, f"studio-align-group-{theme}-{language}")
    page.keyboard.press("Control+Shift+g")
    assert page.get_by_test_id("layer-group").count() == 0
    page.keyboard.press("Escape")
    page.locator(".overlay .hit[data-element-id=a]").click()
    assert page.locator(".overlay .hit.is-selected").count() == 1
    assert page.errors == []


def drag(page, handle_selector, dx, dy, modifiers=()):
    handle = page.locator(handle_selector).bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    for key in modifiers:
        page.keyboard.down(key)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()
    for key in modifiers:
        page.keyboard.up(key)


def test_shift_keeps_proportions_and_images_keep_them(owner, card, dashboard_page):
    from projects.models import Project

    doc = {**DOC, "elements": [*DOC["elements"], {"id": "pic", "type": "image", "x": 400, "y": 200, "width": 200,
                                                   "height": 100, "src": "", "fit": "cover"}]}
    Project.objects.filter(pk=card.pk).update(document=doc)
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    zoom = page.locator(".artboard").bounding_box()["width"] / 800

    # A shape: free without Shift, its proportions with Shift (snapping on, which once undid them).
    page.locator(".overlay .hit[data-element-id=a]").click()
    drag(page, ".handle--se", 60 * zoom, 5 * zoom, modifiers=["Alt"])
    w, h = int(prop(page, "w")), int(prop(page, "h"))
    assert abs(w - 160) <= 2 and abs(h - 55) <= 2
    page.keyboard.press("Control+z")
    drag(page, ".handle--se", 100 * zoom, 10 * zoom, modifiers=["Shift"])
    w, h = int(prop(page, "w")), int(prop(page, "h"))
    assert w > 150 and abs(w / h - 2) < 0.05, (w, h)
    page.keyboard.press("Control+z")
    # From an edge with Shift the other side follows, about the same centre line.
    drag(page, ".handle--e", 100 * zoom, 0, modifiers=["Shift"])
    x, y, w, h = (int(prop(page, k)) for k in ("x", "y", "w", "h"))
    assert abs(w - 200) <= 2 and abs(h - 100) <= 2 and abs((y + h / 2) - 85) <= 1

    # An image keeps its proportions without Shift; Shift frees them.
    page.locator(".overlay .hit[data-element-id=pic]").click()
    drag(page, ".handle--se", 80 * zoom, 0)
    w, h = int(prop(page, "w")), int(prop(page, "h"))
    assert abs(w - 280) <= 2 and abs(h - 140) <= 2
    page.keyboard.press("Control+z")
    drag(page, ".handle--se", 80 * zoom, 0, modifiers=["Shift", "Alt"])
    w, h = int(prop(page, "w")), int(prop(page, "h"))
    assert abs(w - 280) <= 2 and abs(h - 100) <= 2
    assert page.errors == []


def upload_asset(account, name: str, colour, size):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.services import asset_create

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return asset_create(account=account, credential=None, upload=SimpleUploadedFile(name, buf.getvalue(), "image/png"))


@pytest.mark.parametrize("theme,language", LOOKS)
def test_asset_library_browse_reuse_delete(owner, outsider, card, dashboard_page, theme, language):
    from django.core.files.storage import default_storage

    from projects.models import Asset

    red = upload_asset(owner, "red.png", (220, 38, 38), (120, 60))
    blue = upload_asset(owner, "blue.png", (37, 99, 235), (40, 40))
    theirs = upload_asset(outsider, "theirs.png", (0, 0, 0), (10, 10))
    page = dashboard_page(owner, f"/render/studio/{card.pk}", theme=theme, language=language)

    # Browse: the account's uploads, newest first; not another account's.
    page.get_by_test_id("open-assets").click()
    library = page.get_by_test_id("asset-library")
    library.locator(".asset-card").nth(1).wait_for()
    ids = library.locator(".asset-card").evaluate_all("cards => cards.map(c => c.dataset.assetId)")
    assert ids == [str(blue.pk), str(red.pk)]
    page.wait_for_function("() => [...document.querySelectorAll('.asset-card img')].every(i => i.complete && i.naturalWidth > 0)")
    shot(page, f"studio-assets-{theme}-{language}")

    # Reuse: nothing selected → a new image element in the picture's proportions.
    library.locator(f".asset-card[data-asset-id='{red.pk}'] [data-testid=use-asset]").click()
    library.wait_for(state="detached")
    assert prop(page, "src").endswith(red.file.name)
    assert int(prop(page, "w")) == 2 * int(prop(page, "h"))
    new_id = page.evaluate("document.querySelector('.layer.is-selected').dataset.layerId")
    page.wait_for_function(
        "src => [...document.querySelectorAll('[data-testid=render-root] img')].some(i => i.src === src && i.naturalWidth === 120)",
        arg=prop(page, "src"),
    )
    # With an image element selected, the picked picture replaces its source.
    page.get_by_test_id("choose-asset").click()
    library.locator(f".asset-card[data-asset-id='{red.pk}'] [data-testid=asset-used]").wait_for()
    library.locator(f".asset-card[data-asset-id='{blue.pk}'] [data-testid=use-asset]").click()
    assert prop(page, "src").endswith(blue.file.name)
    assert page.locator(".overlay .hit").count() == len(DOC["elements"]) + 1
    assert page.evaluate("document.querySelector('.layer.is-selected').dataset.layerId") == new_id

    # Delete, after a confirmation; the row and the file go, the other account's stays.
    page.get_by_test_id("open-assets").click()
    card_el = library.locator(f".asset-card[data-asset-id='{red.pk}']")
    card_el.get_by_test_id("delete-asset").click()
    shot(page, f"studio-assets-confirm-{theme}-{language}")
    card_el.get_by_test_id("confirm-delete-asset").click()
    card_el.wait_for(state="detached")
    assert list(Asset.objects.filter(account=owner).values_list("pk", flat=True)) == [blue.pk]
    assert not default_storage.exists(red.file.name)
    assert Asset.objects.filter(pk=theirs.pk).exists()
    page.keyboard.press("Escape")
    library.wait_for(state="detached")
    assert page.errors == []


def test_preview_shows_unsaved_edits_with_test_data(owner, card, dashboard_page):
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    previews = []
    page.on("request", lambda r: "/api/render/preview" in r.url and previews.append(r))
    # An edit that is not saved: the title's colour and a new text element.
    page.locator(".layer", has_text="Summer sale").click()
    page.get_by_test_id("prop-color").fill("#dc2626")
    page.get_by_test_id("prop-color").press("Enter")
    page.get_by_test_id("add-text").click()
    assert page.get_by_test_id("save-status").inner_text() == "Unsaved changes"

    page.get_by_test_id("tab-data").click()
    page.get_by_test_id("data-title").type("Fresh words", delay=20)
    title = page.locator("[data-testid=preview-root] [data-element-id=title]")
    title.filter(has_text="Fresh words").wait_for()
    assert title.evaluate("e => getComputedStyle(e.querySelector('div') || e).color") == "rgb(220, 38, 38)"
    assert page.locator("[data-testid=preview-root] [data-element-id]").count() == len(DOC["elements"]) + 1
    # Scaled to the panel, whole canvas in view.
    frame = page.locator(".live-preview__frame").bounding_box()
    assert frame["width"] <= page.locator(".sidebar--end").bounding_box()["width"]
    assert abs(frame["width"] / frame["height"] - 800 / 450) < 0.02
    assert previews == []  # drawn in the browser, nothing saved or sent
    assert page.get_by_test_id("save-status").inner_text() == "Unsaved changes"
    shot(page, "studio-preview-unsaved-light-en")
    assert page.errors == []


@pytest.mark.parametrize("theme,language", LOOKS)
def test_out_of_credits_links_to_billing(card, dashboard_page, owner, theme, language):
    from billing.services import credits_balance, credits_take

    credits_take(account=owner, amount=credits_balance(account=owner), description="test: spend everything")
    page = dashboard_page(owner, f"/render/studio/{card.pk}", theme=theme, language=language)
    page.get_by_test_id("render").click()
    error = page.get_by_test_id("render-error")
    error.wait_for(timeout=30_000)
    link = error.get_by_test_id("billing-link")
    assert link.get_attribute("href") == "/render/billing"
    shot(page, f"studio-out-of-credits-{theme}-{language}")
    link.click()
    page.wait_for_url("**/render/billing")
    assert page.errors == []


def test_new_project_icon_is_drawn(owner, dashboard_page):
    """The picker's "new project" button starts with a plus. It was U+FF0B, which no font here
    has: Chromium drew an empty box. The first mark must look like a plus: ink across its middle
    row and column, none in its corners (a box is the opposite)."""
    page = dashboard_page(owner, "/render/studio")
    button = page.get_by_test_id("new-project")
    button.wait_for()
    image = Image.open(io.BytesIO(button.screenshot())).convert("L")
    w, h = image.size
    ink = [[image.getpixel((x, y)) > 200 for x in range(w)] for y in range(h)]  # white marks on the accent
    columns = [x for x in range(4, w) if any(ink[y][x] for y in range(3, h - 3))]
    start = columns[0]
    end = start
    while end + 1 in columns:
        end += 1
    rows = [y for y in range(3, h - 3) if any(ink[y][x] for x in range(start, end + 1))]
    top, bottom = rows[0], rows[-1]
    cx, cy = (start + end) // 2, (top + bottom) // 2
    assert end - start >= 5 and bottom - top >= 5
    assert ink[cy][cx] and ink[cy][start] and ink[cy][end] and ink[top][cx] and ink[bottom][cx]
    assert not any(ink[y][x] for x, y in [(start, top), (end, top), (start, bottom), (end, bottom)])


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_top_bar_fits_a_phone(owner, card, dashboard_page, theme, language):
    page = dashboard_page(owner, f"/render/studio/{card.pk}", theme=theme, language=language, viewport=(390, 844))
    page.get_by_test_id("project-name").wait_for()
    page.get_by_test_id("live").filter(has_text="Live" if language == "en" else "متصل").wait_for(state="attached")
    parts = ["open-picker", "project-name", "live", "toggle-theme", "toggle-lang", "save", "render"]
    boxes = {p: page.get_by_test_id(p).bounding_box() for p in parts}
    boxes["brand"] = page.locator(".topbar .brand").bounding_box()
    boxes["tools"] = page.locator(".topbar__center").bounding_box()
    for name, b in boxes.items():
        assert b and b["width"] > 0, name
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390 + 0.5, (name, b)
    names = list(boxes)
    for i, a in enumerate(names):
        for other in names[i + 1:]:
            if other == "tools" or a == "tools":
                continue
            p, q = boxes[a], boxes[other]
            apart = (p["x"] + p["width"] <= q["x"] + 0.5 or q["x"] + q["width"] <= p["x"] + 0.5
                     or p["y"] + p["height"] <= q["y"] + 0.5 or q["y"] + q["height"] <= p["y"] + 0.5)
            assert apart, (a, other, p, q)
    # The tools row sits under the first row, not over it.
    first_row_bottom = max(boxes[p]["y"] + boxes[p]["height"] for p in names if p != "tools")
    assert boxes["tools"]["y"] >= first_row_bottom - 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every tool fits in its row (zoom in, the last one, included), none hidden behind a scroll.
    assert page.locator(".topbar__center").evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shot(page, f"studio-phone-{theme}-{language}")
    assert page.errors == []
