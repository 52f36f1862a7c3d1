"""A template with a text and an image key, and helpers to start and follow batches."""
import time

import pytest

URL = "/api/render/batches"
BROKEN_IMAGE = "https://audome-missing-host.invalid/photo.png"  # never resolves: the render falls back

DOCUMENT = {
    "version": 1,
    "background": {"color": "#102030"},
    "elements": [
        {"id": "t1", "type": "text", "x": 10, "y": 10, "width": 220, "height": 60, "dynamicKey": "title",
         "text": "Hello", "style": {"fontFamily": "Noto Sans", "fontSize": 28, "color": "#ffffff"}},
        {"id": "p1", "type": "image", "x": 10, "y": 80, "width": 100, "height": 60, "dynamicKey": "photo",
         "src": "", "fit": "cover"},
        {"id": "s1", "type": "shape", "shape": "rect", "x": 200, "y": 120, "width": 40, "height": 30,
         "fill": "#ff0000"},
    ],
}


def make_project(account, *, width=240, height=160, document=None, name="Card"):
    from projects.models import Project

    return Project.objects.create(account=account, name=name, width=width, height=height,
                                  document=document or DOCUMENT)


@pytest.fixture(autouse=True)
def _no_single_renders_waiting():
    """Batches keep fewer rows in flight while single renders arrive (rendering.services
    .single_renders_active): a render of the test before this one must not count."""
    from core.redis import get_redis
    from rendering.services import SINGLE_RENDERS_KEY

    get_redis().delete(SINGLE_RENDERS_KEY)
    yield


@pytest.fixture
def project(owner):
    return make_project(owner)


def rows_of(*titles, **extra):
    return [{"data": {"title.text": title}, **extra} for title in titles]


def wait_batch(api, batch_id: str, statuses=("completed", "partial", "failed", "canceled"), timeout: float = 180,
               sweep: bool = True) -> dict:
    """Poll the batch until it is in one of `statuses` (running the batch sweeper meanwhile, as
    beat would) and return its body."""
    from batches.processing import batches_sweep

    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = api.get(f"{URL}/{batch_id}?limit=100").json()
        if body.get("status") in statuses and body.get("completedAt"):
            return body
        if sweep:
            batches_sweep()
        time.sleep(0.2)
    raise AssertionError(f"{batch_id} did not reach {statuses}: {body}")


def upload(api, data: dict):
    """A multipart POST of the batch API (JsonClient would send JSON)."""
    from rest_framework.test import APIClient

    return APIClient.post(api, URL, data, format="multipart")
