"""Fixtures for the Studio and embed browser tests (tests/browser/test_studio*.py, test_embed*.py):
an ASGI live server (HTTP + WebSocket, uvicorn in a thread of the test process, so it sees the
test database), headless Chromium through Playwright, a logged-in dashboard page, and the embed
demo host page served from another origin. Import them into a test module with
`from embed.testing import *  # noqa: F401,F403`."""
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
BASE_DIR = Path(__file__).resolve().parent.parent

# Test modules import these fixtures (`from embed.testing import *`), so each module gets its own
# fixture definitions; the resources behind them are shared per process (one server, one browser,
# one demo host), created by the first user and torn down when the last one lets go.
_shared: dict[str, list] = {}


def _acquire(name: str, create):
    entry = _shared.get(name)
    if entry is None:
        value, close = create()
        entry = _shared[name] = [value, close, 0]
    entry[2] += 1
    return entry[0]


def _release(name: str) -> None:
    entry = _shared.get(name)
    if entry is None:
        return
    entry[2] -= 1
    if entry[2] <= 0:
        del _shared[name]
        entry[1]()


__all__ = ["asgi_live_server", "chromium", "dashboard_page", "demo_host", "login_cookie", "studio_built"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def studio_built():
    """The Studio bundle and the SDK exist (built once if this checkout hasn't built them)."""
    dist = BASE_DIR / "static" / "dist"
    if not (dist / "manifest.json").exists():
        subprocess.run(["npm", "run", "--silent", "build"], cwd=BASE_DIR, check=True, timeout=300)
    if not (dist / "embed" / "audome-embed.js").exists():
        subprocess.run(["npm", "run", "--silent", "build:sdk"], cwd=BASE_DIR, check=True, timeout=300)
    from core.templatetags import vite

    vite._manifest_cached.cache_clear()
    return dist


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, studio_built):
    """uvicorn serving config.asgi (HTTP and WebSocket) on a free port; PUBLIC_BASE_URL points at it
    (so image URLs in responses are reachable by the browser)."""
    yield _acquire("server", lambda: _start_server(studio_built))
    _release("server")


def _start_server(dist):
    import uvicorn
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    # Serve at PUBLIC_BASE_URL when it names a free loopback port (the test settings pick one per
    # process, so workers started before this server make URLs that point at it).
    base = urlsplit(settings.PUBLIC_BASE_URL)
    port = base.port if base.hostname == "127.0.0.1" and base.port and port_is_free(base.port) else free_port()
    url = f"http://127.0.0.1:{port}"
    settings.PUBLIC_BASE_URL = url
    os.environ["PUBLIC_BASE_URL"] = url
    # The built bundles straight from static/dist (as runserver would), without collectstatic.
    if str(dist) not in [str(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, str(dist)]
    finders.get_finder.cache_clear()
    config = uvicorn.Config(ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, lifespan="off",
                            log_level="warning", access_log=False, ws="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
    thread.start()
    wait_http(f"{url}/healthz")

    def close():
        server.should_exit = True
        thread.join(timeout=10)

    return url, close


@pytest.fixture(scope="session")
def chromium(request):
    """One Playwright browser per process: tests/browser/conftest.py's `chromium_browser` when it is
    there (two sync Playwright instances can't run side by side), else our own."""
    try:
        yield request.getfixturevalue("chromium_browser")
        return
    except pytest.FixtureLookupError:
        pass
    yield _acquire("chromium", _start_chromium)
    _release("chromium")


def _start_chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the main thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async-context guard must stand aside.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                         args=CHROMIUM_ARGS)

    def close():
        browser.close()
        playwright.stop()

    return browser, close


def login_cookie(account, base_url: str, *, theme: str | None = None, language: str | None = None) -> list[dict]:
    """Cookies of a logged-in dashboard session for `account` (no login form needed)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}]
    if theme:
        cookies.append({"name": "audome_theme", "value": theme, "url": base_url})
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url})
    return cookies


@pytest.fixture
def dashboard_page(chromium, asgi_live_server):
    """open(account, path, theme=None, language=None) → a Playwright page logged in as account."""
    contexts = []

    def open_page(account, path: str, *, theme=None, language=None, viewport=(1440, 900)):
        context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        context.add_cookies(login_cookie(account, asgi_live_server, theme=theme, language=language))
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(asgi_live_server + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def demo_host(asgi_live_server, tmp_path_factory):
    """The embed demo host (`python -m embed.demo_host`) on another origin (localhost:<port>, while
    Audome is 127.0.0.1:<port>). Yields (url, token_file): write an API token to token_file first."""
    yield _acquire("demo_host", lambda: _start_demo_host(asgi_live_server, tmp_path_factory))
    _release("demo_host")


def _start_demo_host(audome: str, tmp_path_factory):
    port = free_port()
    token_file = tmp_path_factory.mktemp("demo-host") / "demo-token"
    token_file.write_text("")
    proc = subprocess.Popen(
        [sys.executable, "-m", "embed.demo_host", "--port", str(port), "--audome", audome,
         "--token-file", str(token_file)],
        cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )

    def close():
        proc.terminate()
        proc.wait(timeout=10)

    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
    except Exception:
        close()
        raise
    return (f"http://localhost:{port}", token_file), close
