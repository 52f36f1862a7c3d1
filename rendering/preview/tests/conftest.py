"""Fixtures of the preview and signed-URL tests: a clean preview namespace in Redis, templates
made through the public API, and a real preview worker (Celery, queue `preview`, Chromium)."""
import pytest

from core.redis import get_redis
from core.testing.worker import WorkerProcess, purge_queues

WIDTH, HEIGHT = 320, 200
BACKGROUND = (16, 32, 48)  # #102030
BAR = (255, 0, 0)

DOCUMENT = {
    "version": 1,
    "background": {"color": "#102030"},
    "elements": [
        {"id": "t1", "type": "text", "x": 10, "y": 10, "width": 300, "height": 60, "dynamicKey": "title",
         "text": "Hello", "style": {"fontSize": 32, "color": "#ffffff"}},
        {"id": "t2", "type": "text", "x": 10, "y": 80, "width": 300, "height": 40, "dynamicKey": "subtitle",
         "text": "World", "style": {"fontSize": 20, "color": "#ffffff"}},
        {"id": "s1", "type": "shape", "shape": "rect", "x": 0, "y": 150, "width": 320, "height": 50,
         "fill": "#ff0000"},
    ],
}


def clean_preview_keys() -> None:
    redis = get_redis()
    for pattern in ("audome:pv:*", "audome:su:*"):
        keys = list(redis.scan_iter(pattern, count=500))
        if keys:
            redis.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_preview_redis():
    clean_preview_keys()
    yield


def make_project(client, *, document=None, width=WIDTH, height=HEIGHT, name="Preview test") -> dict:
    response = client.post("/api/render/projects", {"name": name, "width": width, "height": height,
                                                     "document": document or DOCUMENT})
    assert response.status_code == 201, response.content
    body = response.json()
    return body.get("project", body)


@pytest.fixture
def project(api):
    return make_project(api)


@pytest.fixture(scope="session")
def preview_worker(django_db_setup, django_db_blocker):
    """One real preview worker for the session: `celery -A config worker -Q preview -c 1`."""
    purge_queues("preview")
    worker = WorkerProcess(queues="preview", concurrency=1).start()
    yield worker
    worker.stop()
