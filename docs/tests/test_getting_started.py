"""#15: the getting-started guide works literally on a new account and speaks the UI's words.
An account made through the real sign-up form, a token as the API tokens page makes it, then the
guide's own shell blocks — copied out of docs/content/getting-started.md and run with bash and
curl against a live server and a REAL render worker — list the starter template, render it,
and mint an embed session. The words the guide puts in bold are the ones the dashboard shows."""
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import token_create
from docs.pages import page_get

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _bash_blocks(markdown: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", markdown, re.S)


def _sign_up(email: str) -> User:
    client = Client()
    password = "a-long-Passphrase-42"
    response = client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})
    assert response.status_code == 302, response.content[:500]
    return User.objects.get(email=email)


def test_the_guide_runs_as_written_on_a_new_account(live_server, render_worker):
    account = _sign_up("reader@example.com")
    _token, plain = token_create(account=account, name="My laptop", scope="render-only")  # the page's default
    page = page_get("getting-started")
    blocks = _bash_blocks(page.markdown)
    exports, find, render, embed = blocks[0], blocks[1], blocks[3], blocks[4]
    assert "export AUDOME_URL=" in exports and "export AUDOME_TOKEN=" in exports

    env = {"PATH": "/usr/bin:/bin", "AUDOME_URL": live_server.url, "AUDOME_TOKEN": plain}

    def run(script: str) -> dict:
        out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    listed = run(find)
    starter = next(p for p in listed["projects"] if p["name"] == "My first template")
    assert sorted(e["dynamicKey"] for e in starter["dynamicElements"]) == ["subtitle", "title"]
    env["PROJECT_ID"] = starter["id"]

    rendered = run(render)
    assert rendered["success"] is True, rendered
    shown = json.loads(re.search(r"```json\n(.*?)```", page.markdown[page.markdown.index(render):], re.S).group(1)
                       .replace("…", ""))
    for key in ("width", "height", "format", "creditsUsed", "creditsRemaining"):
        assert rendered[key] == shown[key], key  # what the guide shows is what a new account gets

    session = run(embed)
    assert session["success"] is True and session["token"].startswith("aud_es_")


def test_the_guide_uses_the_dashboards_words(client):
    account = _sign_up("words@example.com")
    client.force_login(account)
    pages = " ".join(client.get(path).content.decode() for path in (
        "/render", "/render/api-tokens", "/render/projects", "/render/renders", "/render/billing"))
    studio = " ".join(p.read_text() for p in (ROOT / "static/studio").rglob("*.ts*"))
    markdown = page_get("getting-started").markdown
    steps = markdown[markdown.index("## 1."):markdown.index("## 4.")]
    words = set(re.findall(r"\*\*(.+?)\*\*", steps))
    assert {"API tokens", "Templates", "New template", "Create token", "My first template"} <= words
    missing = [w for w in words if w not in pages and w.lower() not in studio.lower()]
    assert missing == [], f"the guide names UI that isn't there: {missing}"
    assert "Projects" not in steps and "New project" not in steps
