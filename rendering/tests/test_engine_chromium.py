"""How the warm Chromium is launched: the switches it really runs with, and no browser UI of its
own burning CPU while it waits for the next render."""
import time
from pathlib import Path

import pytest

from rendering import engine
from rendering.engine.browser import DISABLED_FEATURES, PLAYWRIGHT_DISABLED_FEATURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm():
    engine.shutdown()
    engine.warm_up()
    yield engine.get_engine()
    engine.shutdown()


def browser_switches(warm) -> list[str]:
    pid = warm.call(lambda state: state.browser_pid, timeout=10)
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_playwrights_disabled_features_and_ours_all_apply(warm):
    # Chromium honours the last --disable-features only: it must carry both lists.
    last = [s for s in browser_switches(warm) if s.startswith("--disable-features=")][-1]
    applied = set(last.split("=", 1)[1].split(","))
    assert set(PLAYWRIGHT_DISABLED_FEATURES) <= applied
    assert {"WebUIOmniboxPopup", "WebUIOmniboxAimPopup"} <= applied
    assert set(DISABLED_FEATURES) == applied


def test_no_browser_ui_pages_run_next_to_the_render_page(warm):
    time.sleep(1)  # Chromium preloads its UI pages a moment after launch
    targets = warm.call(lambda state: state.browser.new_browser_cdp_session().send("Target.getTargets"), timeout=10)
    kinds = {(t["type"], t["url"].split("/")[2] if "://" in t["url"] else t["url"]) for t in targets["targetInfos"]}
    assert not [k for k in kinds if k[0] == "browser_ui" or "top-chrome" in k[1]], kinds
