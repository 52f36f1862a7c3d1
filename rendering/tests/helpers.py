"""Shared bits of the generate tests."""
import io
import threading
import time
from urllib.parse import urlparse

from django.db import connection
from PIL import Image

URL = "/api/render/generate"


def solid_html(colour: str) -> str:
    return (
        "<html><body style='margin:0'>"
        f"<div style='width:100vw;height:100vh;background:{colour}'></div></body></html>"
    )


def fetch_image(client, url: str) -> tuple[object, bytes]:
    """GET an imageUrl through the Django app (local storage); returns (response, bytes)."""
    response = client.get(urlparse(url).path)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def wait_status(api, generation_id: str, statuses=("completed", "failed", "canceled"), timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(f"/api/render/generations/{generation_id}").json()
        if body.get("status") in statuses:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{generation_id} did not reach {statuses}: {body}")


def in_threads(functions):
    """Run callables at once (each in its own thread and DB connection); return their results."""
    results = [None] * len(functions)
    barrier = threading.Barrier(len(functions))

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # surfaced to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
