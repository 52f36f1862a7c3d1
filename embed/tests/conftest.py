import subprocess
from pathlib import Path

import pytest
from django.conf import settings

DIST = Path(settings.BASE_DIR) / "static" / "dist"


def _npm(*args):
    subprocess.run(["npm", "run", "--silent", *args], cwd=settings.BASE_DIR, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def built_frontend():
    """The Studio bundle and the SDK, built once if this checkout hasn't built them yet
    (`npm run build` empties static/dist, so the SDK is built after it)."""
    if not (DIST / "manifest.json").exists():
        _npm("build")
    if not (DIST / "embed" / "audome-embed.js").exists():
        _npm("build:sdk")
    from core.templatetags import vite

    vite._manifest_cached.cache_clear()
    return DIST


@pytest.fixture
def project(owner):
    from projects.models import Project

    return Project.objects.create(
        account=owner, name="Card", width=800, height=600,
        document={"version": 1, "elements": [{"id": "t", "type": "text", "x": 0, "y": 0, "width": 100, "height": 40, "text": "Hi", "dynamicKey": "title"}]},
    )


@pytest.fixture
def other_project(owner):
    from projects.models import Project

    return Project.objects.create(account=owner, name="Other", width=100, height=100, document={"version": 1, "elements": []})


@pytest.fixture
def outsider_project(outsider):
    from projects.models import Project

    return Project.objects.create(account=outsider, name="Theirs", width=100, height=100, document={"version": 1, "elements": []})


@pytest.fixture
def category(owner):
    from projects.models import Category

    return Category.objects.create(account=owner, name="Cards")
