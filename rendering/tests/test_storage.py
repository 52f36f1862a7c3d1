"""Output storage: content-addressed names, local serving with immutable cache headers, and
AUDOME_STORAGE=s3 against a real S3-compatible server (moto in server mode, on localhost)."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from django.core.files.storage import default_storage

from rendering import storage
from rendering.tests.helpers import URL, open_image, solid_html

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005"
    "0001ff5a5b7e3a0000000049454e44ae426082"
)


def test_names_are_content_addressed_and_stable(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    first = storage.save_output(PNG_1x1, "png")
    assert storage.NAME_RE.match(first)
    assert storage.save_output(PNG_1x1, "png") == first  # same bytes, same name, one file
    assert len(list(Path(tmp_path).rglob("*.png"))) == 1
    assert storage.save_output(PNG_1x1 + b"\0", "png") != first
    assert storage.save_output(b"jpeg-bytes", "jpeg").endswith(".jpg")
    assert storage.absolute_url(first) == f"{settings.PUBLIC_BASE_URL}/media/{first}"


@pytest.mark.django_db
def test_local_serving_headers_and_404s(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    name = storage.save_output(PNG_1x1, "png")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_1x1
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/media/{name}", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/media/renders/../../etc/passwd").status_code == 404
    assert client.get(f"/media/{name.replace('.png', '.webp')}").status_code == 404


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3-compatible server as a subprocess on a random localhost port."""
    port = _free_port()
    binary = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(endpoint, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    bucket = "audome-renders"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    # As a deployment would: the renders are public (imageUrl is for <img> tags and CDNs).
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/renders/*"}],
    }))
    yield {"endpoint": endpoint, "bucket": bucket, "env": env}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


def s3_storages(settings, s3_server) -> dict:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_server["bucket"], "endpoint_url": s3_server["endpoint"], "region_name": "us-east-1",
                "querystring_auth": False, "file_overwrite": False,
                "object_parameters": {"CacheControl": storage.CACHE_CONTROL},
            },
        },
    }


def test_s3_storage_puts_outputs_in_the_bucket(settings, s3_server):
    settings.STORAGES = s3_storages(settings, s3_server)
    assert not storage.is_local()
    name = storage.save_output(PNG_1x1, "png")
    assert storage.save_output(PNG_1x1, "png") == name
    url = storage.absolute_url(name)
    assert url == f"{s3_server['endpoint']}/{s3_server['bucket']}/{name}"
    response = httpx.get(url)
    assert response.status_code == 200 and response.content == PNG_1x1
    head = boto3.client("s3", endpoint_url=s3_server["endpoint"]).head_object(Bucket=s3_server["bucket"], Key=name)
    assert head["ContentType"] == "image/png" and head["CacheControl"] == storage.CACHE_CONTROL
    default_storage.delete(name)
    assert httpx.get(url).status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_generate_with_s3_storage_lands_in_the_bucket(settings, s3_server, celery_worker_factory, api):
    settings.STORAGES = s3_storages(settings, s3_server)
    settings.RENDER_QUEUE = "render-s3"
    celery_worker_factory(queues="render-s3", env={
        "AUDOME_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": s3_server["bucket"],
        "AWS_S3_ENDPOINT_URL": s3_server["endpoint"], "AWS_S3_REGION_NAME": "us-east-1",
        "RENDER_QUEUE": "render-s3", **s3_server["env"],
    })
    response = api.post(URL, {"html": solid_html("#ff8800"), "width": 120, "height": 90})
    assert response.status_code == 200, response.content
    image_url = response.json()["imageUrl"]
    assert image_url.startswith(f"{s3_server['endpoint']}/{s3_server['bucket']}/renders/")
    key = image_url.split(f"/{s3_server['bucket']}/", 1)[1]
    listed = boto3.client("s3", endpoint_url=s3_server["endpoint"]).list_objects_v2(Bucket=s3_server["bucket"])
    assert key in [item["Key"] for item in listed.get("Contents", [])]
    fetched = httpx.get(image_url)
    assert fetched.status_code == 200
    image = open_image(fetched.content)
    assert image.size == (120, 90)
    r, g, b = image.convert("RGB").getpixel((60, 45))
    assert r > 240 and 120 < g < 150 and b < 20
    # Deleting the generation deletes the object: the URL stops working.
    assert api.delete(f"/api/render/generations/{response.json()['generationId']}").status_code == 200
    assert httpx.get(image_url).status_code == 404
