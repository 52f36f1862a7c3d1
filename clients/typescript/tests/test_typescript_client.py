"""The TypeScript client, generated and built here and tested against a live Audome: the schema is
read from the running server's /api/schema, openapi-typescript (pinned in
clients/typescript/package.json) turns it into types, tsc builds the client and checks the
compile-time tests (test/types.ts), and `node --test` runs test/live.test.mjs against the server
with a real render worker."""
import os
import subprocess

import pytest

from clients.python.tests.conftest import Tenant
from clients.typescript.tests.conftest import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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
