"""The `audome` command (the installed console script, run as a subprocess) against a real
running Audome: output, --json, exit codes 0 / 1 / 2, --help on every command."""
import json
import os
import threading
import time

import pytest
from PIL import Image

from clients.python.tests.conftest import run_cli
from rendering.models import Generation
from webhooks.signing import signature_header

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def as_json(result):
    assert result.returncode == 0, result.stderr.decode() + result.stdout.decode()
    return json.loads(result.stdout)


def test_whoami_projects_and_render(sdk_env, tenant, tmp_path):
    project_id = tenant.project(name="CLI card")
    me = as_json(run_cli("whoami", "--json", env=sdk_env))
    assert me["user"]["email"] == tenant.account.email and me["token"]["scope"] == "full-access"
    human = run_cli("whoami", env=sdk_env)
    assert human.returncode == 0 and tenant.account.email in human.stdout.decode()

    listed = run_cli("projects", "list", env=sdk_env)
    assert listed.returncode == 0 and "CLI card" in listed.stdout.decode() and project_id in listed.stdout.decode()
    shown = run_cli("projects", "show", project_id, env=sdk_env).stdout.decode()
    assert "title.text" in shown and "Default title" in shown

    out = tmp_path / "card.jpg"
    rendered = run_cli("render", project_id, "-d", "title.text=From the CLI", "-o", str(out), "--format", "jpeg",
                       env=sdk_env)
    assert rendered.returncode == 0, rendered.stderr.decode()
    assert "completed" in rendered.stdout.decode() and str(out) in rendered.stdout.decode()
    image = Image.open(out)
    assert image.format == "JPEG" and image.size == (640, 360)

    generation_id = Generation.objects.get(account=tenant.account).pk
    listed = as_json(run_cli("generations", "list", "--json", env=sdk_env))
    assert [g["generationId"] for g in listed["generations"]] == [generation_id]
    shown = run_cli("generations", "show", generation_id, env=sdk_env).stdout.decode()
    assert "status: completed" in shown and "format: jpeg" in shown


def test_exit_codes_permanent_and_retryable(sdk_env, tenant, outsider_tenant):
    project_id = tenant.project()
    bad_key = run_cli("render", project_id, "-d", "nope.text=x", "--json", env=sdk_env)
    assert bad_key.returncode == 1
    body = json.loads(bad_key.stdout)
    assert body["code"] == "VALIDATION_FAILED" and body["requestId"].startswith("req_") and "nope" in str(body)

    theirs = run_cli("projects", "show", project_id, env={**sdk_env, "AUDOME_TOKEN": outsider_tenant.token})
    assert theirs.returncode == 1 and "PROJECT_NOT_FOUND" in theirs.stderr.decode()

    bad_usage = run_cli("render", project_id, "-d", "no-equals-sign", env=sdk_env)
    assert bad_usage.returncode == 1
    assert run_cli("render", env=sdk_env).returncode == 1  # argparse usage error: permanent, not 2

    down = run_cli("whoami", "--json", env={**sdk_env, "AUDOME_BASE_URL": "http://127.0.0.1:9"})
    assert down.returncode == 2
    assert Generation.objects.count() == 0


def test_cancel_of_a_finished_render_is_a_conflict(sdk_env, tenant):
    project_id = tenant.project()
    done = as_json(run_cli("render", project_id, "--json", env=sdk_env))
    assert done["imageUrl"] and done["generationId"].startswith("gen_")
    result = run_cli("generations", "cancel", done["generationId"], "--json", env=sdk_env)
    assert result.returncode == 1 and json.loads(result.stdout)["code"] == "CONFLICT"


def test_token_from_the_config_file_and_audome_token_overrides(sdk_env, tenant, outsider_tenant):
    from audome.config import save_config

    env = {key: value for key, value in sdk_env.items() if key != "AUDOME_TOKEN"}
    env["AUDOME_TOKEN"] = ""
    path = save_config({"token": outsider_tenant.token, "base_url": sdk_env["AUDOME_BASE_URL"]})
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    from_file = as_json(run_cli("whoami", "--json", env=env))
    assert from_file["user"]["email"] == outsider_tenant.account.email
    overridden = as_json(run_cli("whoami", "--json", env={**env, "AUDOME_TOKEN": tenant.token}))
    assert overridden["user"]["email"] == tenant.account.email
    assert run_cli("logout", env=env).returncode == 0
    assert run_cli("whoami", env=env).returncode == 1


def test_watch_renders_again_when_the_template_is_saved(sdk_env, tenant, tmp_path):
    import signal
    import subprocess

    from clients.python.tests.conftest import SRC, audome_command

    project_id = tenant.project()
    out = tmp_path / "watched.png"
    proc = subprocess.Popen([*audome_command(), "render", project_id, "-o", str(out), "--watch", "--interval", "0.5",
                             "-d", "title.text=Watch"], env={**os.environ, "PYTHONPATH": str(SRC), **sdk_env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(raw.decode() for raw in proc.stdout), daemon=True).start()

    def wait_for_lines(count: int, deadline: float) -> None:
        while len([line for line in list(lines) if "completed" in line]) < count:
            assert time.monotonic() < deadline and proc.poll() is None, lines
            time.sleep(0.2)

    try:
        deadline = time.monotonic() + 120
        wait_for_lines(1, deadline)
        time.sleep(1.5)  # the watcher has read the template's updatedAt
        r = tenant.api.patch(f"/api/render/projects/{project_id}", {"name": "Renamed while watched"})
        assert r.status_code == 200, r.content
        wait_for_lines(2, deadline)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert Generation.objects.filter(account=tenant.account, status="completed").count() == 2
    assert Image.open(out).size == (640, 360)


def test_webhooks_verify(sdk_env, tmp_path):
    secret = "whsec_testsecret"
    body = json.dumps({"id": "evt_1", "type": "render.completed", "data": {}}).encode()
    header = signature_header([secret], body)
    (tmp_path / "body.json").write_bytes(body)
    ok = run_cli("webhooks", "verify", "--secret", secret, "--signature", header, "--body", str(tmp_path / "body.json"),
                 env=sdk_env)
    assert ok.returncode == 0 and "valid: render.completed evt_1" in ok.stdout.decode()
    tampered = run_cli("webhooks", "verify", "--secret", secret, "--signature", header, "--json",
                       env=sdk_env, input=body.replace(b"evt_1", b"evt_2"))
    assert tampered.returncode == 1 and json.loads(tampered.stdout)["valid"] is False


@pytest.mark.parametrize("command", [
    [], ["login"], ["logout"], ["whoami"], ["plan"], ["projects"], ["projects", "list"], ["projects", "show"],
    ["render"], ["batch"], ["generations"], ["generations", "list"], ["generations", "show"],
    ["generations", "cancel"], ["webhooks"], ["webhooks", "verify"],
])
def test_help_everywhere(command):
    result = run_cli(*command, "--help", env={})
    assert result.returncode == 0 and result.stdout.decode().startswith("usage: audome")
