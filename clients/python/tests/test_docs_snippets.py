"""Every runnable snippet of docs/content/cli.md and python-sdk.md, run against the live server
(real render and preview workers) with the docs' placeholders replaced: a snippet in the docs
that doesn't work fails here. Bash blocks run with bash -e in one directory per page; a page's
Python blocks share one namespace, in order, as a reader would paste them."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from clients.python.tests.conftest import in_thread
from clients.python.tests.snippets import blocks, substitute
from core.redis import get_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def docs_env(live, tenant, tmp_path, monkeypatch):
    redis = get_redis()
    for key in redis.scan_iter("audome:rl:device-*"):
        redis.delete(key)
    values = {"base_url": live, "token": tenant.token, "project_id": tenant.project(name="Docs card")}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDOME_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("AUDOME_TOKEN", raising=False)
    monkeypatch.delenv("AUDOME_BASE_URL", raising=False)
    return values


def batches_exist(values) -> bool:
    import httpx

    r = httpx.get(values["base_url"] + "/api/render/batches", headers={"Authorization": f"Bearer {values['token']}"})
    return r.status_code == 200


def run_blocks(page: str, langs: tuple[str, ...], values: dict, tmp_path: Path) -> list[str]:
    ran, namespace = [], {"__name__": "__docs__"}
    have_batches = None
    for block in blocks(page, langs):
        if block.skip_reason:
            continue
        if block.needs == "batches":
            have_batches = batches_exist(values) if have_batches is None else have_batches
            if not have_batches:
                continue
        code = substitute(block.code, **values)
        if block.lang == "bash":
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
            # One terminal per page: what a block exports, the next one sees.
            state = tmp_path / ".shell-state"
            script = f"[ -f {state} ] && source {state}\n{code}\nexport -p > {state}\n"
            result = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                                    timeout=300)
            assert result.returncode == 0, f"{block}:\n{code}\n{result.stdout.decode()}\n{result.stderr.decode()}"
        else:
            compiled = compile(code, str(block), "exec")
            in_thread(lambda compiled=compiled: exec(compiled, namespace))  # the docs' own snippets
        ran.append(str(block))
    return ran


def test_cli_page_snippets_work(docs_env, tmp_path):
    ran = run_blocks("cli.md", ("bash",), docs_env, tmp_path)
    assert len(ran) >= 5
    assert (tmp_path / "sale.png").stat().st_size > 0 and (tmp_path / "sale.jpg").stat().st_size > 0
    if batches_exist(docs_env):  # the batch API (#13) is in: its snippet ran too
        assert zipfile.is_zipfile(tmp_path / "renders.zip")


def test_python_sdk_page_snippets_work(docs_env, tmp_path, capsys):
    ran = run_blocks("python-sdk.md", ("python",), docs_env, tmp_path)
    assert len(ran) >= 9
    for name in ("out.png", "later.png", "draft.webp", "card-0.png", "card-2.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    if batches_exist(docs_env):
        assert zipfile.is_zipfile(tmp_path / "renders.zip")
    printed = capsys.readouterr().out
    assert "VALIDATION_FAILED" in printed and "Enter " in printed
