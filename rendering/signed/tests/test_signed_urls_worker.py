"""Signed render URLs end to end: a REAL render worker renders the first request (charged like
generate); later identical requests come from the content-addressed cache, free."""
import io
import threading
import time

import pytest
from django.db import connection
from PIL import Image

from billing.services import credits_balance
from conftest import JsonClient
from rendering.models import Generation
from rendering.preview.tests.conftest import BAR, HEIGHT, WIDTH
from rendering.signed import signing

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def sign(account, project_id, ext="png", **params):
    account.refresh_from_db()
    return signing.signed_url(secret=account.url_signing_secret, path=f"/r/{project_id}.{ext}", params=params)


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


def test_first_request_renders_and_charges_then_the_cache_serves_free(render_worker, owner, project):
    anon = JsonClient()
    url = sign(owner, project["id"], **{"title.text": "Signed hello", "exp": int(time.time()) + 3600})
    first = anon.get(url)
    assert first.status_code == 200, first.content
    assert first["Content-Type"] == "image/png"
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    assert first["X-Audome-Cache"] == "miss"
    image = open_image(first.content)
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    assert close(image.convert("RGB").getpixel((WIDTH // 2, 180)), BAR)
    assert credits_balance(account=owner) == 99
    generation = Generation.objects.get(account=owner)
    assert generation.source == "signed-url" and generation.status == "completed" and generation.credits_used == 1

    second = anon.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert second["ETag"] == etag and second["X-Audome-Cache"] == "hit"
    assert second["Cache-Control"] == "public, max-age=31536000, immutable"
    assert credits_balance(account=owner) == 99 and Generation.objects.filter(account=owner).count() == 1

    not_modified = anon.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified["ETag"] == etag
    assert credits_balance(account=owner) == 99


def test_size_format_and_template_save_change_the_output(render_worker, api, owner, project):
    anon = JsonClient()
    small = anon.get(sign(owner, project["id"], "webp", w=160, h=100, q=80))
    assert small.status_code == 200, small.content
    assert small["Content-Type"] == "image/webp" and open_image(small.content).size == (160, 100)

    url = sign(owner, project["id"], "jpg", **{"title.text": "Before save"})
    before = anon.get(url)
    assert before.status_code == 200 and before["Content-Type"] == "image/jpeg"
    document = dict(project["document"])
    document["elements"] = [dict(el, fill="#0000ff") if el["id"] == "s1" else el for el in document["elements"]]
    assert api.patch(f"/api/render/projects/{project['id']}", {"document": document}).status_code == 200
    after = anon.get(url)  # the same URL: the template version is in the cache key
    assert after.status_code == 200 and after["X-Audome-Cache"] == "miss"
    assert after["ETag"] != before["ETag"]
    assert close(open_image(after.content).convert("RGB").getpixel((WIDTH // 2, 180)), (0, 0, 255), tolerance=30)
    assert credits_balance(account=owner) == 97


def test_arabic_text_and_spaces_in_the_query(render_worker, owner, project):
    url = sign(owner, project["id"], **{"title.text": "مرحبا بالعالم", "subtitle.text": "a b+c"})
    assert "%D9%85" in url and "a%20b%2Bc" in url
    response = JsonClient().get(url)
    assert response.status_code == 200, response.content
    generation = Generation.objects.get(account=owner)
    assert generation.data == {"title.text": "مرحبا بالعالم", "subtitle.text": "a b+c"}


def test_identical_first_requests_render_and_charge_once(render_worker, owner, project):
    url = sign(owner, project["id"], **{"title.text": "Together"})
    results = [None] * 3
    barrier = threading.Barrier(3)

    def run(i):
        try:
            barrier.wait()
            results[i] = JsonClient().get(url)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 3
    assert len({r["ETag"] for r in results}) == 1
    assert Generation.objects.filter(account=owner).count() == 1
    assert credits_balance(account=owner) == 99


def test_no_credits_is_402_and_nothing_is_cached(render_worker, owner, project):
    from billing.services import credits_take

    credits_take(account=owner, amount=100, kind="adjustment", description="empty", reference="test")
    url = sign(owner, project["id"], **{"title.text": "Broke"})
    response = JsonClient().get(url)
    assert response.status_code == 402 and response.json()["code"] == "INSUFFICIENT_CREDITS"
    assert Generation.objects.filter(account=owner).count() == 0


def test_deleting_the_generation_makes_the_next_request_render_again(render_worker, api, owner, project):
    anon = JsonClient()
    url = sign(owner, project["id"], **{"title.text": "Deleted later"})
    assert anon.get(url).status_code == 200
    generation = Generation.objects.get(account=owner)
    assert api.delete(f"/api/render/generations/{generation.id}").status_code in (200, 204)
    again = anon.get(url)
    assert again.status_code == 200 and again["X-Audome-Cache"] == "miss"
    assert Generation.objects.filter(account=owner).count() == 1 and credits_balance(account=owner) == 98
