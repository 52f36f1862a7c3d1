"""The webhooks pages in real headless Chromium: English and Arabic (RTL), light and dark. Adds a
destination through the form, reads the secret shown once, sends a test, opens the delivery
log. Screenshots go to $AUDOME_SCREENSHOT_DIR (default: a temp dir) for a person to look at."""
import os
import tempfile
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from webhooks.models import WebhookEndpoint
from webhooks.services import delivery_attempt

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def shots():
    path = Path(os.environ.get("AUDOME_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="audome-webhooks-shots-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("lang,theme", [("en", "light"), ("ar", "dark")])
def test_add_destination_test_it_and_read_the_log(live_server, owner, settings, monkeypatch, shots, lang, theme):
    from playwright.sync_api import sync_playwright

    from core.tests.tlsserver import LocalServer
    from webhooks import tasks

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls while Playwright's loop runs
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_SCHEDULE = [60]
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda *a, **k: None)  # we deliver by hand below

    client = Client()
    client.force_login(owner)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    answers = [(500, {}, "upstream unavailable"), (200, {}, '{"received": true}')]

    with LocalServer(handler=lambda r, i: answers[min(i, 1)]) as receiver, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900}, color_scheme=theme,
                                      locale="ar" if lang == "ar" else "en-US")
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "domain": host, "path": "/"},
            {"name": "django_language", "value": lang, "domain": host, "path": "/"},
            {"name": "audome_theme", "value": theme, "domain": host, "path": "/"},
        ])
        page = context.new_page()
        page.goto(f"{live_server.url}/render/webhooks")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        page.fill("#wh-url", receiver.url("/hooks/audome"))
        with page.expect_navigation():
            page.locator("form.wh-form button[type=submit]").click()
        page.wait_for_selector("[data-testid=webhook-secret]")
        endpoint = WebhookEndpoint.objects.get(account=owner)
        assert endpoint.secret in page.locator("[data-testid=webhook-secret] code").inner_text()
        no_overflow = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert no_overflow
        page.screenshot(path=str(shots / f"webhooks-{lang}-{theme}.png"), full_page=True)

        page.reload()
        assert page.locator("[data-testid=webhook-secret]").count() == 0  # shown once

        # The list exists once: the API tokens page links to Webhooks in the nav, it doesn't repeat it.
        page.goto(f"{live_server.url}/render/api-tokens")
        assert page.locator("#webhooks").count() == 0
        assert receiver.url("/hooks/audome") not in page.content()
        page.screenshot(path=str(shots / f"api-tokens-{lang}-{theme}.png"), full_page=True)
        page.goto(f"{live_server.url}/render/webhooks")

        with page.expect_navigation():
            page.locator(f"[data-webhook-id='{endpoint.id}'] form[action$='/test'] button").click()
        delivery = endpoint.deliveries.get()
        delivery_attempt(delivery_id=delivery.id)  # 500
        delivery.refresh_from_db()
        type(delivery).objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        delivery_attempt(delivery_id=delivery.id)  # 200

        page.goto(f"{live_server.url}/render/webhooks/{endpoint.id}")
        log = page.locator("[data-testid=delivery-log]")
        log.locator("tr.wh-attempts summary").first.click()  # succeeded deliveries show attempts folded
        text = log.inner_text()
        assert "webhook.test" in text and "500" in text and "200" in text and "upstream unavailable" in text
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        wrap = page.locator(".table-wrap").first
        widths = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] <= widths[1] + 1, widths  # the log fits without scrolling sideways
        page.screenshot(path=str(shots / f"webhook-log-{lang}-{theme}.png"), full_page=True)

        with page.expect_navigation():
            page.locator(f"tr[data-delivery-id='{delivery.id}'] button").click()
        page.wait_for_load_state("load")
        assert endpoint.deliveries.count() == 2
        browser.close()
        # ORM calls made while Playwright's loop runs use their own connection: close it here.
        connections.close_all()
