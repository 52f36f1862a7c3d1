"""The one colour check agrees with Chromium: what it accepts, Chromium draws; what Chromium
refuses, it refuses (asked with CSS.supports in a real headless Chromium)."""
import os
import threading

import pytest
from playwright.sync_api import sync_playwright

from core.colours import is_css_colour

AGREED = [
    "#abc", "#ABCD", "#aabbcc", "#aabbccdd", "#ab", "#abcde", "#aabbccd", "abc", "#ggg",
    "rgb(1,2,3)", "rgb(1, 2 ,3)", "rgba(1,2,3,0.5)", "rgb(1,2,3,50%)", "rgba(1,2,3)", "RGB(+1,-2,3.5)",
    "rgb(10%,20%,30%)", "rgb(10%,2,3)", "rgb(1deg,2,3)", "rgb(1 2 3)", "rgb(10% 2 3)", "rgb(1 2 3 / 50%)",
    "rgb(1,2 3)", "rgb(1 2, 3)", "rgb(1,2,3 / 0.5)", "rgb(1 2 3, 0.5)", "rgb(1,2)",
    "hsl(10,20%,30%)", "hsl(10deg,20%,30%)", "hsl(1turn,20%,30%)", "hsl(10grad,20%,30%)", "hsl(1rad 20% 30%)",
    "hsla(10,20%,30%,0.5)", "hsl(10,20%,30%,50%)", "hsl(10 20 30)", "hsl(10 20% 30% / .5)",
    "hsl(10,20,30)", "hsl(10%,20%,30%)", "hsl(10 20% 30%, .5)", "hsl(10px,20%,30%)",
    "red", "Red", "rebeccapurple", "transparent", "notacolour", "", "  #fff  ", "url(x)", "red;x:y",
]
REFUSED_ON_PURPOSE = ["currentcolor", "rgb(none 2 3)", "rgb(1e2,2,3)", "rgb(1 2 3"]  # CSS closes it at the end


@pytest.fixture(scope="module")
def supports():
    """Chromium's CSS.supports('color', …) of every value here, asked from a thread of its own
    (Playwright's sync API refuses a thread where an earlier test left an event loop)."""
    verdicts = {}

    def ask():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )
            page = browser.new_page()
            for value in (*AGREED, *REFUSED_ON_PURPOSE):
                verdicts[value] = page.evaluate("(c) => CSS.supports('color', c)", value.strip())
            browser.close()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    assert verdicts, "Chromium gave no answer"
    return verdicts.__getitem__


def test_the_colour_check_agrees_with_chromium(supports):
    disagreements = {value: (is_css_colour(value), supports(value)) for value in AGREED
                     if bool(is_css_colour(value)) != (bool(value.strip()) and supports(value))}
    assert disagreements == {}, "ours vs Chromium's: " + repr(disagreements)


def test_forms_refused_on_purpose_are_ones_chromium_knows(supports):
    for value in REFUSED_ON_PURPOSE:
        assert supports(value) and not is_css_colour(value), value


def test_four_digit_hex_and_hue_units_are_colours_for_documents_and_render_options():
    from projects.document import is_colour
    from rendering.validation import parse_generate_body

    for value in ("#f00c", "hsl(0.5turn, 50%, 50%)", "rgb(255 0 0 / 40%)"):
        assert is_colour(value)
        assert parse_generate_body({"html": "<p>x</p>", "backgroundColor": value}).background == value
    assert not is_colour(None) and not is_colour("#f00c0")
