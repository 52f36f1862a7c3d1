"""Screenshots of the Studio in light/dark × English/Arabic (into $AUDOME_SHOTS_DIR, default
/tmp/shots) for people to look at, with checks that the theme and direction really changed."""
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))

DOC = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "bg", "type": "shape", "shape": "rect", "x": 0, "y": 0, "width": 1080, "height": 1080, "fill": "#1e1b4b"},
        {"id": "blob", "type": "shape", "shape": "ellipse", "x": 640, "y": -120, "width": 600, "height": 600, "fill": "#7c3aed", "opacity": 0.6},
        {"id": "title", "type": "text", "x": 80, "y": 300, "width": 920, "height": 200, "dynamicKey": "title", "placeholder": "Title",
         "text": "Summer sale 🌞", "style": {"fontFamily": "Noto Sans", "fontSize": 96, "fontWeight": 800, "color": "#ffffff",
                                           "textAlign": "center", "verticalAlign": "middle", "lineHeight": 1.1, "autoFit": True}},
        {"id": "subtitle", "type": "text", "x": 80, "y": 520, "width": 920, "height": 120, "dynamicKey": "subtitle",
         "text": "تخفيضات الصيف حتى ٥٠٪", "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 56, "fontWeight": 600,
                                                   "color": "#fde68a", "textAlign": "center", "verticalAlign": "middle"}},
        {"id": "bar", "type": "shape", "shape": "rect", "x": 440, "y": 700, "width": 200, "height": 10, "fill": "#f59e0b", "borderRadius": 5},
    ],
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_studio_screenshots(owner, dashboard_page, theme, language):
    from projects.models import Project

    project = Project.objects.create(account=owner, name="Summer card", width=1080, height=1080, document=DOC)
    page = dashboard_page(owner, f"/render/studio/{project.pk}", theme=theme, language=language)
    page.locator(".overlay .hit[data-element-id=title]").click()
    page.get_by_test_id("prop-text").wait_for()
    page.get_by_test_id("live").filter(has_text="Live" if language == "en" else "متصل").wait_for()
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"studio-{theme}-{language}.png"
    png = page.screenshot(path=str(path))
    assert page.locator("html").get_attribute("data-theme") == theme
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    r, g, b = image.getpixel((image.width // 2, 4))  # the top bar
    assert (r + g + b) / 3 > 200 if theme == "light" else (r + g + b) / 3 < 60
    assert page.errors == []
    # The emoji is drawn in colour (a bundled OpenType-SVG emoji font once drew it blank in
    # Chromium): the white-on-dark title has saturated yellow/orange pixels.
    title = Image.open(io.BytesIO(page.locator(".audome-canvas [data-element-id=title]").screenshot())).convert("HSV")
    assert sum(1 for h, s, v in title.getdata() if s > 120 and v > 120 and 10 <= h <= 50) > 50
