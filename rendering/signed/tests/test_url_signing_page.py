"""The URL-signing panel on the real API tokens page, in real Chromium: roll the secret, build a
signed URL from test data, and that URL passes the server's signature check."""
import time
from urllib.parse import urlparse

import pytest

from rendering.preview.tests.conftest import make_project
from rendering.signed import signing
from tests.browser.conftest import chromium_browser, live_url, open_page, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_roll_and_build_a_signed_url(open_page, shot, owner, api, language):  # noqa: F811
    project = make_project(api, name="Card")
    page = open_page("/render/api-tokens", account=owner, language=language)
    secret_input = page.get_by_test_id("url-secret")
    assert secret_input.input_value() == owner.url_signing_secret
    page.get_by_test_id("url-secret-toggle").click()
    assert secret_input.get_attribute("type") == "text"

    old = owner.url_signing_secret
    page.get_by_test_id("url-secret-roll").click()
    page.locator("#confirm-dialog[open] [data-role=ok]").click()  # the dashboard's dialog, not confirm()
    page.wait_for_function("(old) => document.querySelector('#url-signing-secret').value !== old", arg=old)
    owner.refresh_from_db()
    assert owner.url_signing_secret != old and secret_input.input_value() == owner.url_signing_secret

    page.locator("[data-testid=url-builder] summary").click()
    page.locator("[data-role=fields] input[data-key='title.text']").fill("مرحبا Amira & co")
    page.locator("[data-role=format]").select_option("webp")
    page.locator("[data-role=w]").fill("160")
    page.locator("[data-role=exp]").select_option("3600")
    page.get_by_test_id("url-build").click()
    page.wait_for_function("() => document.querySelector('[data-testid=url-built]').value.includes('s=')")
    url = page.get_by_test_id("url-built").input_value()
    shot(page, f"url-signing-panel-{language}")
    assert page.errors == [] and page.console_errors == []

    parsed = urlparse(url)
    assert parsed.path == f"/r/{project['id']}.webp"
    pairs = signing.parse_query(parsed.query)
    params = dict(pairs)
    assert params["title.text"] == "مرحبا Amira & co" and params["w"] == "160"
    assert int(params["exp"]) > time.time() + 3000
    assert signing.signature_valid(owner.url_signing_secret, parsed.path, pairs, params["s"])
    assert "subtitle.text" in params  # the defaults of the other fields are filled in
