"""`manage.py check --deploy --fail-level WARNING` passes with the production settings (issue #15):
no drf-spectacular warnings (our auth class has an OpenAPI extension, shared enums have one name)
and security.W002 is silenced because FramingPolicyMiddleware sends the headers itself."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zQ8",
        "ALLOWED_HOSTS": "audome.example.com",
        "DATABASE_URL": "postgres://audome@db.invalid:5432/audome",
        "PUBLIC_BASE_URL": "https://audome.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


@pytest.mark.django_db
def test_framing_headers_stand_in_for_the_silenced_w002(anon):
    response = anon.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_openapi_names_the_bearer_scheme(anon):
    response = anon.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    enums = schema["components"]["schemas"]
    assert enums["ImageFormatEnum"]["enum"] == ["png", "jpeg", "webp"]
    assert enums["GenerationStatusEnum"]["enum"] == ["pending", "processing", "completed", "failed", "canceled"]
