"""The TypeScript client, generated and built here and tested against a live Audome: the schema is
read from the running server's /api/schema, openapi-typescript (pinned in
clients/typescript/package.json) turns it into types, tsc builds the client and checks the
compile-time tests (test/types.ts), and `node --test` runs test/live.test.mjs against the server
with a real render worker."""
import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from clients.python.tests.conftest import Tenant  # noqa: F401 — the same template as the SDK tests
from embed.testing import asgi_live_server, studio_built  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def npm(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(["npm", "run", "--silent", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, (result.stdout + result.stderr).decode()[-4000:]
    return result


@pytest.fixture(scope="module")
def built(asgi_live_server, tmp_path_factory):  # noqa: F811
    if not (ROOT / "node_modules" / ".bin" / "openapi-typescript").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True, timeout=300)
    schema = tmp_path_factory.mktemp("schema") / "openapi.json"
    with urllib.request.urlopen(f"{asgi_live_server}/api/schema?format=json", timeout=60) as response:
        schema.write_bytes(response.read())
    assert json.loads(schema.read_text())["paths"]["/api/auth/device/code"]
    npm("generate", env={"AUDOME_SCHEMA": str(schema)})
    npm("build")
    return ROOT / "dist" / "index.js"


def test_types_reject_wrong_paths_and_bodies(built):
    result = subprocess.run(["npx", "--no-install", "tsc", "-p", "tsconfig.types.json"], cwd=ROOT,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stdout.decode()[-4000:]


def test_node_client_against_the_live_server(built, asgi_live_server, render_worker):  # noqa: F811
    owner = Tenant("ts-owner@example.com")
    outsider = Tenant("ts-outsider@example.com")
    env = {"AUDOME_BASE_URL": asgi_live_server, "AUDOME_TOKEN": owner.token,
           "AUDOME_PROJECT_ID": owner.project(), "AUDOME_OTHER_PROJECT_ID": outsider.project()}
    result = subprocess.run(["node", "--test", "test/"], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                            timeout=300)
    output = result.stdout.decode()
    assert result.returncode == 0, output[-6000:] + result.stderr.decode()[-2000:]
    assert "# pass 5" in output and "# fail 0" in output
