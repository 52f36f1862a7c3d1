"""Uploads sent without Content-Length (Transfer-Encoding: chunked) are read like any other and still
refused past 25 MB (issue #15): through a real uvicorn (the ASGI path `make run` serves) and through
Django's WSGI request (the test client, as gunicorn-style servers hand a de-chunked stream)."""
import io
import socket
import threading
import uuid

import httpx
import pytest

from core.tests.outages import web_server
from projects.models import Asset, Font
from projects.tests.conftest import font_bytes, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

CAP = 25 * 1024 * 1024


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def in_pieces(body: bytes, size: int = 64 * 1024):
    """An iterator body: httpx sends it with Transfer-Encoding: chunked and no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


def test_chunked_uploads_through_uvicorn(owner, api):
    headers = {"Authorization": f"Bearer {api.plain_token}"}
    with web_server() as server:
        body, content_type = multipart("card.png", png_bytes(40, 30))
        request = httpx.Request("POST", f"{server.url}/api/render/assets", content=in_pieces(body),
                                headers={**headers, "Content-Type": content_type})
        assert request.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in request.headers
        response = httpx.Client(timeout=60).send(request)
        assert response.status_code == 201, response.text
        assert (response.json()["asset"]["width"], response.json()["asset"]["height"]) == (40, 30)

        body, content_type = multipart("font.ttf", font_bytes(family="Chunked Sans"))
        response = httpx.post(f"{server.url}/api/render/fonts", content=in_pieces(body), timeout=60,
                              headers={**headers, "Content-Type": content_type})
        assert response.status_code == 201, response.text
        assert response.json()["font"]["familyName"] == "Chunked Sans"

        body, content_type = multipart("huge.png", png_bytes() + b"\0" * CAP)
        status, answer = raw_chunked_post(server.url, "/api/render/assets", body, content_type, headers)
        assert status == 413 and b'"PAYLOAD_TOO_LARGE"' in answer, answer[:500]

        # The web process is fine afterwards.
        assert httpx.get(f"{server.url}/api/render/assets", headers=headers).status_code == 200
    assert Asset.objects.filter(account=owner).count() == 1
    assert Font.objects.filter(account=owner).count() == 1


def test_declared_length_past_the_cap_is_refused_before_the_body_is_read(api):
    with web_server() as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall((f"POST /api/render/assets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer "
                          f"{api.plain_token}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                          f"Content-Length: {CAP * 4}\r\n\r\n").encode())
            answer = b""
            while not _complete(answer):  # answered without a single body byte sent
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"PAYLOAD_TOO_LARGE"' in answer


def raw_chunked_post(base: str, path: str, body: bytes, content_type: str, headers: dict) -> tuple[int, bytes]:
    """POST `body` chunked over a raw socket, reading the answer while still sending (a server may
    answer 413 and close before the client has sent everything)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}Content-Type: {content_type}\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n").encode())

    def send_body():
        try:
            for piece in in_pieces(body):
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: expected past the cap

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    answer = b""
    try:
        while not _complete(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    return int(answer.split(b" ", 2)[1]), answer


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = next((int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                   if line.startswith(b"content-length:")), 0)
    return len(body) >= length


# --- the WSGI request (test client): a de-chunked stream and no CONTENT_LENGTH -------------

def wsgi_chunked(client, path: str, body: bytes, content_type: str):
    return client.generic("POST", path, b"", content_type=content_type, HTTP_TRANSFER_ENCODING="chunked",
                          **{"wsgi.input": io.BytesIO(body)})


def test_chunked_uploads_through_the_test_client(api, owner):
    body, content_type = multipart("card.png", png_bytes(12, 8))
    response = wsgi_chunked(api, "/api/render/assets", body, content_type)
    assert response.status_code == 201, response.json()
    assert response.json()["asset"]["width"] == 12

    body, content_type = multipart("huge.png", png_bytes() + b"\0" * CAP)
    response = wsgi_chunked(api, "/api/render/assets", body, content_type)
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert Asset.objects.filter(account=owner).count() == 1


def test_chunked_json_through_the_test_client(api):
    response = wsgi_chunked(api, "/api/tokens", b'{"name": "chunked"}', "application/json")
    assert response.status_code == 201, response.json()
    response = wsgi_chunked(api, "/api/tokens", b'{"name": "' + b"x" * (1024 * 1024) + b'"}', "application/json")
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"
