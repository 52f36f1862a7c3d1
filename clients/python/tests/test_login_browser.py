"""`audome login` end to end: the CLI (a subprocess) starts the device-code login against the live
server, a signed-in person approves or denies it on /render/device in real headless Chromium,
and the CLI ends with a stored token (mode 600) that works — or with exit 1. Screenshots of the
approval page in EN/AR, light/dark go to $AUDOME_SHOTS_DIR (default /tmp/shots)."""
import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from accounts.device import device_code_request
from accounts.models import ApiToken, DeviceAuthorization
from clients.python.tests.conftest import SRC, audome_command, run_cli
from conftest import make_account
from core.redis import get_redis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))


@pytest.fixture(autouse=True)
def _fresh_limits():
    redis = get_redis()
    for key in redis.scan_iter("audome:rl:device-*"):
        redis.delete(key)


class Login:
    """`audome login --no-browser` running in the background; its stderr read line by line."""

    def __init__(self, base_url: str, config_dir: Path):
        env = {**os.environ, "PYTHONPATH": str(SRC), "AUDOME_BASE_URL": base_url,
               "AUDOME_CONFIG_DIR": str(config_dir)}
        env.pop("AUDOME_TOKEN", None)
        self.proc = subprocess.Popen([*audome_command(), "login", "--no-browser"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stderr:
            self.lines.put(raw.decode().rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 30) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            if line.startswith(prefix):
                return line[len(prefix):].strip()

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        stdout, _ = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, stdout.decode()


def test_cli_login_approved_in_the_browser(asgi_live_server, dashboard_page, tmp_path):
    owner = make_account("device-owner@example.com")
    login = Login(asgi_live_server, tmp_path / "config")
    code = login.wait_for("Your code:")
    url = login.wait_for("Approve it in your browser:")
    assert url == f"{asgi_live_server}/render/device?code={code}"

    parts = urlsplit(url)
    page = dashboard_page(owner, f"{parts.path}?{parts.query}")
    assert page.get_by_test_id("device-app-name").inner_text() == "Audome CLI"
    assert page.get_by_test_id("device-code").inner_text() == code
    assert page.get_by_test_id("device-scope-render-only").is_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "device-confirm-en-light.png"), full_page=True)
    page.get_by_test_id("device-scope-read-only").check()
    page.get_by_test_id("device-approve").click()
    page.get_by_test_id("device-approved").wait_for()
    assert "Audome CLI is connected" in page.get_by_test_id("device-approved").inner_text()
    page.screenshot(path=str(SHOTS / "device-approved-en-light.png"), full_page=True)
    assert page.errors == []

    returncode, stdout = login.finish()
    assert returncode == 0, stdout
    assert "Logged in as device-owner@example.com (read-only)" in stdout
    config = tmp_path / "config" / "config.json"
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    stored = json.loads(config.read_text())
    assert stored["base_url"] == asgi_live_server and stored["token"].startswith("aud_")
    token = ApiToken.objects.get(account=owner)
    assert token.name == "Audome CLI" and token.scope == "read-only"
    assert DeviceAuthorization.objects.get().status == "consumed"

    me = run_cli("whoami", "--json", env={"AUDOME_CONFIG_DIR": str(tmp_path / "config"), "AUDOME_TOKEN": "",
                                          "AUDOME_BASE_URL": ""})
    assert me.returncode == 0 and json.loads(me.stdout)["user"]["email"] == "device-owner@example.com"


def test_cli_login_denied_in_the_browser(asgi_live_server, dashboard_page, tmp_path):
    owner = make_account("device-denier@example.com")
    login = Login(asgi_live_server, tmp_path / "config")
    login.wait_for("Your code:")
    url = login.wait_for("Approve it in your browser:")
    parts = urlsplit(url)
    page = dashboard_page(owner, f"{parts.path}?{parts.query}", language="ar", theme="dark")
    page.get_by_test_id("device-deny").click()
    page.get_by_test_id("device-denied").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=str(SHOTS / "device-denied-ar-dark.png"), full_page=True)
    returncode, _stdout = login.finish()
    assert returncode == 1
    assert ApiToken.objects.filter(account=owner).count() == 0
    assert not (tmp_path / "config" / "config.json").exists()


@pytest.mark.parametrize("language,theme", [("en", "dark"), ("ar", "light"), ("ar", "dark")])
def test_approval_page_screens(asgi_live_server, dashboard_page, language, theme):
    owner = make_account(f"device-{language}-{theme}@example.com")
    pair = device_code_request(app_name="Acme Desktop", app_type="desktop", app_version="2.4.0", ip="10.9.9.9")
    page = dashboard_page(owner, f"/render/device?code={pair.user_code}", language=language, theme=theme)
    assert page.get_by_test_id("device-app-name").inner_text() == "Acme Desktop"
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.screenshot(path=str(SHOTS / f"device-confirm-{language}-{theme}.png"), full_page=True)
    # The empty form, for someone who typed the address by hand.
    page.goto(f"{asgi_live_server}/render/device")
    page.get_by_test_id("device-code-input").fill(pair.user_code.lower().replace("-", ""))
    page.get_by_test_id("device-continue").click()
    assert page.get_by_test_id("device-code").inner_text() == pair.user_code
    page.goto(f"{asgi_live_server}/render/device?code=ZZZZ-ZZZZ")
    assert page.get_by_test_id("device-error").is_visible()
    page.screenshot(path=str(SHOTS / f"device-error-{language}-{theme}.png"), full_page=True)
    assert page.errors == []
