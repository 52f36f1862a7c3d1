"""The Studio's video timeline (static/studio/timeline.tsx) in a real browser: scrubbing poses the
canvas with the renderer's seek (the worker's function), play advances it, the length and the
presets change the template; EN/AR × light/dark screenshots into $AUDOME_SHOTS_DIR."""
import os
from pathlib import Path

import pytest

from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))

DOC = {
    "version": 1, "duration": 3000, "fps": 30,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "box", "type": "shape", "shape": "rect", "x": 400, "y": 700, "width": 200, "height": 200,
         "fill": "#f59e0b", "name": "Box",
         "enter": {"type": "slide", "direction": "left", "distance": 400, "duration": 1000, "easing": "linear"}},
        {"id": "title", "type": "text", "x": 80, "y": 200, "width": 920, "height": 200, "name": "Title",
         "text": "تخفيضات الصيف", "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 96, "color": "#ffffff",
                                          "textAlign": "center"},
         "enter": {"type": "typewriter", "duration": 2000, "easing": "linear"}},
        {"id": "dot", "type": "shape", "shape": "ellipse", "x": 80, "y": 500, "width": 120, "height": 120,
         "fill": "#22c55e", "name": "Dot", "exit": {"type": "fade", "duration": 1000, "easing": "linear"}},
    ],
}


def scrub(page, frame: int) -> None:
    page.get_by_test_id("timeline-scrub").evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", frame)
    page.wait_for_timeout(100)


def canvas_el(page, element_id: str):
    return page.locator(f".canvas-area__stage .audome-canvas [data-element-id={element_id}]")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_timeline_scrubs_plays_and_edits(owner, dashboard_page, theme, language):
    from projects.models import Project

    project = Project.objects.create(account=owner, name="Video card", width=1080, height=1080, document=DOC)
    page = dashboard_page(owner, f"/render/studio/{project.pk}", theme=theme, language=language)
    page.get_by_test_id("timeline").wait_for()
    canvas_el(page, "box").wait_for()
    assert page.get_by_test_id("timeline-row-box").is_visible()
    assert page.get_by_test_id("timeline-row-title").is_visible()

    # Frame 15 = 500 ms: the box has slid half of its 400 px, the Arabic title shows half its letters.
    scrub(page, 15)
    assert "0.50 / 3.00" in page.get_by_test_id("timeline-time").inner_text()
    assert "translate(-200px, 0px)" in canvas_el(page, "box").get_attribute("style")
    shown = canvas_el(page, "title").inner_text()
    assert 0 < len(shown) < len("تخفيضات الصيف") and "تخفيضات الصيف".startswith(shown)
    # Frame 75 = 2500 ms: the dot fades out (exit from 2000 ms), the box is in place.
    scrub(page, 75)
    assert "opacity: 0.5" in canvas_el(page, "dot").get_attribute("style")
    assert "translate" not in (canvas_el(page, "box").get_attribute("style") or "")
    assert canvas_el(page, "title").inner_text() == "تخفيضات الصيف"

    SHOTS.mkdir(parents=True, exist_ok=True)
    scrub(page, 30)
    page.screenshot(path=str(SHOTS / f"studio-timeline-{theme}-{language}.png"))
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

    # Play moves the playhead on by itself; the length typed while it plays (a re-render every
    # frame) is kept and becomes the template's: 4 s; pause stops the playhead.
    scrub(page, 0)
    play = page.get_by_test_id("timeline-play")
    play.click()
    page.locator("[data-testid=timeline-play][aria-pressed=true]").wait_for()
    page.wait_for_timeout(500)
    page.get_by_test_id("timeline-duration").fill("4")
    page.get_by_test_id("timeline-duration").dispatch_event("change")
    page.get_by_test_id("timeline-time").filter(has_text="/ 4.00").wait_for(timeout=5000)
    play.click()
    page.locator("[data-testid=timeline-play][aria-pressed=false]").wait_for()
    played = page.get_by_test_id("timeline-time").inner_text()
    assert not played.startswith("0.00"), played
    page.wait_for_timeout(300)
    assert page.get_by_test_id("timeline-time").inner_text() == played

    # The presets of the selected element.
    page.locator(".overlay .hit[data-element-id=dot]").click()
    page.get_by_test_id("animation-props").wait_for()
    page.get_by_test_id("animation-enter").select_option("pop")
    assert page.get_by_test_id("animation-enter-duration").input_value() == "500"
    scrub(page, 3)  # 100 ms into a 500 ms pop: scaled down
    assert "scale(" in canvas_el(page, "dot").get_attribute("style")
    assert page.errors == []
