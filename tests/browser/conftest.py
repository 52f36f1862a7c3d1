"""Browser fixtures for dashboard pages: headless Debian Chromium through Playwright's sync API,
against pytest-django's `live_server` (WSGI in a thread, static files served; fine for pages —
the Studio's WebSocket tests use embed.testing's ASGI server instead).

Fixtures any test under tests/browser/ can use:
  chromium_browser   session-wide Playwright Browser (Debian /usr/bin/chromium, never downloaded)
  live_url           the live server's base URL ("http://localhost:PORT")
  open_page          open_page(path="/render", *, account=None, language=None, theme=None,
                     locale=None, color_scheme=None, viewport=(1440, 900)) → Page. With `account` the context is
                     logged in (a real session cookie, no login form); `language` sets Django's
                     language cookie, `locale` the browser's Accept-Language; `theme` the
                     audome_theme cookie; `color_scheme` ("light"|"dark") the OS preference
                     that theme "auto" follows. page.errors collects uncaught JS errors and
                     page.console_errors console.error lines: assert both are empty.
  shot               shot(page, name) → Path: a full-page PNG in $AUDOME_SHOTS_DIR (default /tmp/shots).
Tests that use them need `@pytest.mark.django_db(transaction=True)` (the server thread reads
committed rows) and should carry `pytest.mark.browser`."""
import os
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS_DIR = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop on this thread; the test's ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_url(live_server) -> str:
    return live_server.url


def session_cookies(account, base_url: str) -> list[dict]:
    """Cookies of a logged-in dashboard session for `account`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    return [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}]


@pytest.fixture
def open_page(chromium_browser, live_url):
    from django.conf import settings

    contexts = []

    def _open(path: str = "/render", *, account=None, language=None, theme=None, locale=None, color_scheme=None,
              viewport=(1440, 900)):
        context = chromium_browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale=locale or "en-US",
            color_scheme=color_scheme or "light",
            extra_http_headers={"Accept-Language": locale} if locale else None,
        )
        contexts.append(context)
        cookies = session_cookies(account, live_url) if account is not None else []
        if language:
            cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_url})
        if theme:
            cookies.append({"name": "audome_theme", "value": theme, "url": live_url})
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.errors = []
        page.console_errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.base_url = live_url
        if path:
            page.goto(live_url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    def _shot(page, name: str) -> Path:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
