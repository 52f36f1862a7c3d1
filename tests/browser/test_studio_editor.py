"""The Studio in the dashboard, driven in headless Chromium against a live ASGI server:
create a project, add and drag a text element, undo/redo, set a dynamic key, save, reload;
render (pushed over the WebSocket); another tab's save
shows up live; Arabic UI is right-to-left."""
import io
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOC = {
    "version": 1,
    "background": {"color": "#1e1b4b"},
    "elements": [
        {"id": "title", "type": "text", "x": 60, "y": 100, "width": 680, "height": 160, "dynamicKey": "title",
         "placeholder": "Title", "text": "Summer sale",
         "style": {"fontFamily": "Noto Sans", "fontSize": 64, "fontWeight": 700, "color": "#ffffff",
                   "textAlign": "center", "verticalAlign": "middle"}},
        {"id": "bar", "type": "shape", "shape": "rect", "x": 300, "y": 300, "width": 200, "height": 10, "fill": "#f59e0b"},
    ],
}


@pytest.fixture
def card(owner):
    from projects.models import Project

    return Project.objects.create(account=owner, name="Card", width=800, height=450, document=DOC)


def prop(page, name) -> str:
    return page.get_by_test_id(f"prop-{name}").input_value()


def drag_by(page, locator, dx, dy):
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.keyboard.down("Alt")  # no snapping: an exact move
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()
    page.keyboard.up("Alt")


def test_create_edit_undo_redo_save_and_reload(owner, dashboard_page):
    from projects.models import Project

    page = dashboard_page(owner, "/render/studio")
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("new-name").fill("Launch card")
    page.get_by_test_id("new-width").fill("1000")
    page.get_by_test_id("new-height").fill("500")
    page.get_by_test_id("create-project").click()
    page.wait_for_url("**/render/studio/*")
    project = Project.objects.get(account=owner, name="Launch card")
    assert page.url.endswith(f"/render/studio/{project.pk}")
    assert (project.width, project.height) == (1000, 500)

    page.get_by_test_id("add-text").click()
    hit = page.locator(".overlay .hit")
    assert hit.count() == 1
    x0, y0 = int(prop(page, "x")), int(prop(page, "y"))
    zoom = page.locator(".artboard").bounding_box()["width"] / 1000
    drag_by(page, hit.first, 150, 60)
    x1, y1 = int(prop(page, "x")), int(prop(page, "y"))
    assert abs(x1 - (x0 + round(150 / zoom))) <= 2 and abs(y1 - (y0 + round(60 / zoom))) <= 2
    assert page.get_by_test_id("save-status").inner_text() == "Unsaved changes"

    page.keyboard.press("Control+z")
    assert (int(prop(page, "x")), int(prop(page, "y"))) == (x0, y0)
    page.keyboard.press("Control+Shift+z")
    assert (int(prop(page, "x")), int(prop(page, "y"))) == (x1, y1)
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+y")
    assert int(prop(page, "x")) == x1

    page.get_by_test_id("prop-text").fill("Hello launch")
    key = page.get_by_test_id("prop-dynamic-key")
    key.fill("headline")
    key.press("Enter")
    page.locator(".layer .chip", has_text="headline").wait_for()
    page.keyboard.press("Control+s")
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for()

    project.refresh_from_db()
    [el] = project.document["elements"]
    assert el["type"] == "text" and el["dynamicKey"] == "headline" and el["text"] == "Hello launch"
    assert (el["x"], el["y"]) == (x1, y1)

    page.reload()
    page.locator(".layer", has_text="Hello launch").click()
    assert (int(prop(page, "x")), int(prop(page, "y"))) == (x1, y1)
    assert prop(page, "dynamic-key") == "headline"
    assert page.get_by_test_id("save-status").inner_text() == "Saved"
    assert page.errors == []


def test_render_shows_the_image_pushed_over_the_websocket(owner, card, dashboard_page, render_worker):
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    page.get_by_test_id("live").filter(has_text="Live").wait_for()
    page.get_by_test_id("tab-data").click()
    page.get_by_test_id("data-title").fill("Rendered in the Studio")
    generate_bodies = []
    page.on("request", lambda r: "/api/render/generate" in r.url and generate_bodies.append(r.post_data_json))
    page.get_by_test_id("render").click()
    image = page.get_by_test_id("render-image")
    image.wait_for(timeout=60_000)
    assert generate_bodies == [{"projectId": str(card.pk), "data": {"title.text": "Rendered in the Studio"}, "format": "png", "async": True}]
    with urllib.request.urlopen(image.get_attribute("src"), timeout=30) as response:
        png = Image.open(io.BytesIO(response.read()))
    assert png.size == (800, 450)
    # The canvas background, not an empty or error image.
    assert png.convert("RGB").getpixel((5, 5)) == (0x1E, 0x1B, 0x4B)
    from rendering.models import Generation

    assert Generation.objects.get(account=owner).status == "completed"


def test_a_save_in_another_tab_shows_up_live(owner, card, dashboard_page):
    first = dashboard_page(owner, f"/render/studio/{card.pk}")
    second = dashboard_page(owner, f"/render/studio/{card.pk}")
    for page in (first, second):
        page.get_by_test_id("live").filter(has_text="Live").wait_for()
    first.locator(".layer", has_text="Summer sale").click()
    first.get_by_test_id("prop-text").fill("Changed in tab one")
    first.keyboard.press("Control+s")
    first.get_by_test_id("save-status").filter(has_text="Saved").wait_for()
    # The other tab had no edits: it reloads by itself, no polling.
    second.locator(".layer", has_text="Changed in tab one").wait_for(timeout=10_000)

    # Now the second tab has unsaved edits when the first saves again: it asks instead.
    second.locator(".layer", has_text="Changed in tab one").click()
    second.get_by_test_id("prop-text").fill("Tab two's own edit")
    first.get_by_test_id("prop-text").fill("Tab one again")
    first.keyboard.press("Control+s")
    second.get_by_test_id("banner-remote").wait_for(timeout=10_000)
    assert second.get_by_test_id("prop-text").input_value() == "Tab two's own edit"
    # Saving from the stale tab is refused with a conflict, not a silent overwrite.
    second.keyboard.press("Control+s")
    second.get_by_test_id("banner-conflict").wait_for(timeout=10_000)
    card.refresh_from_db()
    assert card.document["elements"][0]["text"] == "Tab one again"
    second.get_by_test_id("reload-latest").click()
    second.locator(".layer", has_text="Tab one again").wait_for()


def test_arabic_ui_is_right_to_left(owner, card, dashboard_page):
    page = dashboard_page(owner, f"/render/studio/{card.pk}", language="ar")
    page.get_by_test_id("studio").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_test_id("tab-design").inner_text() == "التصميم"
    assert page.get_by_test_id("render").inner_text().endswith("إنشاء الصورة")
    width = page.viewport_size["width"]
    layers = page.locator(".sidebar--start").bounding_box()
    props = page.locator(".sidebar--end").bounding_box()
    assert layers["x"] > width / 2 > props["x"]  # mirrored: layers on the right
    # The canvas itself stays in canvas coordinates.
    assert page.locator(".artboard").get_attribute("dir") == "ltr"
    page.get_by_test_id("toggle-lang").click()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_test_id("tab-design").inner_text() == "Design"


def test_upload_an_image_and_a_font_from_the_studio(owner, card, dashboard_page, tmp_path):
    from django.conf import settings

    from projects.models import Asset, Font

    png = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (10, 200, 120)).save(png)
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    page.get_by_test_id("add-image").click()
    page.get_by_test_id("image-upload").set_input_files(str(png))
    page.wait_for_function("() => (document.querySelector('[data-testid=prop-src]') || {}).value?.startsWith('http')")
    asset = Asset.objects.get(account=owner)
    src = prop(page, "src")
    assert src.startswith(settings.PUBLIC_BASE_URL + "/media/") and asset.width == 64
    # The canvas (the shared renderer) shows the uploaded picture.
    page.wait_for_function(
        "src => [...document.querySelectorAll('[data-testid=render-root] img')].some(i => i.src === src && i.naturalWidth === 64)",
        arg=src,
    )

    font_file = Path(settings.BASE_DIR) / "node_modules/@fontsource/noto-serif/files/noto-serif-latin-700-normal.woff2"
    page.locator(".layer", has_text="Summer sale").click()
    page.get_by_test_id("font-upload").set_input_files(str(font_file))
    page.wait_for_function("() => document.querySelector('[data-testid=prop-font]').value !== 'Noto Sans'")
    family = Font.objects.get(account=owner)
    assert prop(page, "font") == family.family_name
    assert page.locator("[data-testid=prop-font] optgroup option", has_text=family.family_name).count() == 1


def test_handles_snapping_marquee_keyboard_and_layers(owner, card, dashboard_page):
    page = dashboard_page(owner, f"/render/studio/{card.pk}")
    board = page.locator(".artboard").bounding_box()
    zoom = board["width"] / 800
    bar = page.locator(".overlay .hit[data-element-id=bar]")
    bar.click()
    assert (prop(page, "x"), prop(page, "w")) == ("300", "200")

    # Arrow keys nudge by 1 px, with Shift by 10 px.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    assert (prop(page, "x"), prop(page, "y")) == ("301", "310")

    # Snapping: dragged near the canvas centre, the bar's centre lands on it and a guide shows.
    box = bar.bounding_box()
    sx, sy = box["x"] + box["width"] / 4, box["y"] + box["height"] / 2  # grab off the middle handles
    target_x = sx + (400 - 401) * zoom + 4  # would put the bar's centre 4 px right of the canvas centre
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(target_x, sy + 40, steps=6)
    assert page.locator(".guide--v").count() >= 1
    page.mouse.up()
    assert int(prop(page, "x")) + int(prop(page, "w")) / 2 == 400

    # Resize from the south-east handle, then rotate with the rotation handle.
    handle = page.locator(".handle--se").bounding_box()
    page.keyboard.down("Alt")
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5 + 50 * zoom, handle["y"] + 5 + 20 * zoom, steps=5)
    page.mouse.up()
    page.keyboard.up("Alt")
    assert abs(int(prop(page, "w")) - 250) <= 2 and abs(int(prop(page, "h")) - 30) <= 2
    rotator = page.locator(".rotator").bounding_box()
    b = bar.bounding_box()
    cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(rotator["x"] + 7, rotator["y"] + 7)
    page.mouse.down()
    page.mouse.move(cx + 200, cy, steps=6)  # pointing right of the centre: 90°
    page.mouse.up()
    assert prop(page, "rotation") == "90"

    # Duplicate, then bring backward / forward in the stack (the layers list shows top first).
    page.keyboard.press("Control+d")
    names = page.locator(".layer .layer__name").all_inner_texts()
    assert len(names) == 3
    page.keyboard.press("Control+[")
    page.keyboard.press("Control+[")
    assert page.locator(".layer").last.get_attribute("data-layer-id") == page.evaluate(
        "document.querySelector('.layer.is-selected').dataset.layerId"
    )
    page.keyboard.press("Delete")
    assert page.locator(".layer").count() == 2

    # Marquee over the whole canvas selects both (unlocked) elements.
    page.mouse.move(board["x"] - 20, board["y"] - 20)
    page.mouse.down()
    page.mouse.move(board["x"] + board["width"] + 10, board["y"] + board["height"] + 10, steps=6)
    page.mouse.up()
    page.get_by_text("2 elements selected").wait_for()

    # Locked elements don't move; hidden ones leave the canvas.
    title = page.locator(".layer", has_text="Summer sale")
    title.click()
    title.get_by_role("button", name="Lock").click()
    hit = page.locator(".overlay .hit[data-element-id=title]")
    before = prop(page, "x")
    drag_by(page, hit, 80, 0)
    assert prop(page, "x") == before
    title.get_by_role("button", name="Hide").click()
    assert hit.count() == 0
    page.keyboard.press("Control+z")
    hit.wait_for()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_text_is_edited_on_the_canvas(owner, card, dashboard_page, language):
    page = dashboard_page(owner, f"/render/studio/{card.pk}", language=language)
    hit = page.locator(".overlay .hit[data-element-id=title]")
    drawn = page.locator(".render-root [data-element-id=title]")
    drawn.wait_for()
    hit.dblclick()
    editor = page.get_by_test_id("inline-text")
    editor.wait_for()
    # Over the element, in its font and colour; the drawn text is hidden meanwhile.
    assert editor.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert "Noto Sans" in editor.evaluate("e => getComputedStyle(e).fontFamily")
    assert drawn.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    box, area = editor.bounding_box(), hit.bounding_box()
    assert area["x"] - 1 <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"] + 1

    # The words were selected: typing replaces them. Backspace and arrows stay in the text
    # (they are not the Studio's delete and nudge), and Arabic goes in as typed.
    page.keyboard.type("عرض خاص")
    page.keyboard.press("Backspace")
    page.keyboard.type("ص")
    page.keyboard.press("ArrowLeft")
    import os

    shots = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"studio-inline-edit-{language}.png"))
    page.keyboard.press("Escape")
    editor.wait_for(state="detached")
    assert prop(page, "text") == "عرض خاص"
    assert page.locator(".overlay .hit").count() == 2  # nothing was deleted
    assert drawn.inner_text() == "عرض خاص" and drawn.evaluate("e => getComputedStyle(e).visibility") == "visible"

    # One undo step for the typing; the Studio's undo works again once editing ended.
    page.keyboard.press("Control+z")
    assert prop(page, "text") == "Summer sale"
    page.keyboard.press("Control+Shift+z")
    assert prop(page, "text") == "عرض خاص"

    # A locked element is not edited on the canvas.
    hit.dblclick()
    editor.wait_for()
    page.keyboard.press("Control+Enter")
    page.get_by_test_id("inline-text").wait_for(state="detached")
    lock = "Lock" if language == "en" else "قفل"
    page.locator(".layer", has_text="عرض خاص").get_by_role("button", name=lock, exact=True).click()
    hit.dblclick(force=True)
    page.wait_for_timeout(200)
    assert page.get_by_test_id("inline-text").count() == 0
    assert page.errors == []
