"""The built TypeScript client: its types generated from the live server's /api/schema by the
pinned openapi-typescript, then compiled by tsc into clients/typescript/dist (once per session)."""
import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from embed.testing import asgi_live_server, studio_built  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def npm(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(["npm", "run", "--silent", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, (result.stdout + result.stderr).decode()[-4000:]
    return result


@pytest.fixture(scope="session")
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
