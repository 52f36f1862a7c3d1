"""Every runnable TypeScript snippet of docs/content/typescript-client.md, type-checked by tsc
against the built client and then run by node against the live server (placeholders replaced):
a snippet in the docs that doesn't compile or doesn't work fails here."""
import os
import shutil
import subprocess

import pytest

from clients.python.tests.conftest import Tenant
from clients.python.tests.snippets import blocks, substitute
from clients.typescript.tests.conftest import ROOT
from core.redis import get_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SNIPPETS = ROOT / ".snippets"
TSCONFIG = """{
  "extends": "../tsconfig.json",
  "compilerOptions": {"rootDir": "src", "outDir": "out", "declaration": false},
  "include": ["src/*.ts"]
}
"""


def test_typescript_page_snippets_compile_and_run(built, asgi_live_server, render_worker, tmp_path):
    for key in get_redis().scan_iter("audome:rl:device-*"):
        get_redis().delete(key)
    tenant = Tenant("ts-docs@example.com")
    values = {"base_url": asgi_live_server, "token": tenant.token, "project_id": tenant.project(name="Docs card")}
    shutil.rmtree(SNIPPETS, ignore_errors=True)
    (SNIPPETS / "src").mkdir(parents=True)
    (SNIPPETS / "tsconfig.json").write_text(TSCONFIG)
    runnable = [b for b in blocks("typescript-client.md", ("ts",)) if not b.skip_reason]
    assert len(runnable) >= 6
    for block in runnable:
        code = substitute(block.code, **values).replace('from "@audome/client"', 'from "../../dist/index.js"')
        (SNIPPETS / "src" / f"block{block.index:02d}.ts").write_text(code + "\nexport {};\n")
    compiled = subprocess.run(["npx", "--no-install", "tsc", "-p", str(SNIPPETS / "tsconfig.json")], cwd=ROOT,
                              capture_output=True, timeout=300)
    assert compiled.returncode == 0, compiled.stdout.decode()[-4000:]
    env = {**os.environ, "AUDOME_TOKEN": "", "AUDOME_BASE_URL": ""}
    for block in runnable:
        script = SNIPPETS / "out" / f"block{block.index:02d}.js"
        result = subprocess.run(["node", str(script)], cwd=tmp_path, env=env, capture_output=True, timeout=300)
        assert result.returncode == 0, f"{block}:\n{result.stdout.decode()}\n{result.stderr.decode()}"
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"
    shutil.rmtree(SNIPPETS, ignore_errors=True)
