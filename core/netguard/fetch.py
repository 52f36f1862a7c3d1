"""safe_request: connect to the exact address that was checked (TLS SNI and certificate for the
name), re-check every redirect hop, cap size and total time."""
from __future__ import annotations

import functools
import http.client
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from core.netguard.addresses import IPAddress
from core.netguard.errors import FetchError, HostNotResolved
from core.netguard.urls import Target, check_target

REDIRECT_CODES = {301, 302, 303, 307, 308}


class _Headers(dict):
    """Response headers with lower-case keys; lookups are case-insensitive."""

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key):
        return super().__contains__(key.lower())


@dataclass
class SafeResponse:
    status: int
    headers: dict = field(default_factory=_Headers)
    content: bytes = b""
    url: str = ""
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _ssl_context() -> ssl.SSLContext:
    # Keyed on what decides trust, so a changed setting or SSL_CERT_FILE takes effect at once.
    return _ssl_context_for(str(getattr(settings, "AUDOME_FETCH_CA_FILE", None) or ""),
                            os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))


@functools.lru_cache(maxsize=8)
def _ssl_context_for(extra_ca_file: str, _cert_file: str = "", _cert_dir: str = "") -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if extra_ca_file:
        ctx.load_verify_locations(cafile=extra_ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a socket opened by us to an already-checked address."""

    def __init__(self, sock, host_header: str, timeout: float):
        super().__init__("pinned.invalid", timeout=timeout)
        self.sock = sock
        self._host_header = host_header

    def connect(self):  # the socket is already connected
        if self.sock is None:
            raise FetchError("Connection closed.")


def _connect(target: Target, addresses: list[IPAddress], deadline: float) -> socket.socket:
    errors = []
    for ip in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(remaining)
        try:
            addr = (str(ip).split("%")[0], target.port, 0, ip.scope_id and int(ip.scope_id) or 0) if ip.version == 6 \
                else (str(ip), target.port)
            sock.connect(addr)
        except OSError as exc:
            sock.close()
            errors.append(f"{ip}: {exc}")
            continue
        if target.scheme == "https":
            try:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                # SNI and certificate check for the name in the URL, not for the address.
                sock = _ssl_context().wrap_socket(sock, server_hostname=target.host)
            except (ssl.SSLError, ssl.CertificateError, OSError) as exc:
                sock.close()
                raise FetchError(f"TLS handshake with {target.host} failed: {exc}") from None
        return sock
    if not errors:
        raise FetchError("Timed out connecting.")
    raise FetchError("Could not connect: " + "; ".join(errors))


def _one_request(target: Target, addresses, method: str, headers: dict, body: bytes | None,
                 deadline: float, max_bytes: int, truncate: bool = False) -> tuple[int, _Headers, bytes]:
    sock = _connect(target, addresses, deadline)
    remaining = deadline - time.monotonic()
    # A watchdog enforces the TOTAL time: a server dripping bytes can't hold us past the deadline.
    timed_out = threading.Event()

    def _expire():
        timed_out.set()
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    watchdog = threading.Timer(max(0.0, remaining), _expire)
    watchdog.daemon = True
    watchdog.start()
    conn = _PinnedConnection(sock, target.host_header, timeout=remaining)
    try:
        sock.settimeout(max(0.001, remaining))
        conn.putrequest(method, target.path, skip_host=True, skip_accept_encoding=True)
        sent = {k.lower() for k in headers}
        conn.putheader("Host", target.host_header)
        for name, value in headers.items():
            if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
                continue
            conn.putheader(name, value)
        if "accept-encoding" not in sent:
            conn.putheader("Accept-Encoding", "identity")
        if "user-agent" not in sent:
            conn.putheader("User-Agent", "Audome/1.0")
        conn.putheader("Connection", "close")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        resp_headers = _Headers()
        for name, value in resp.getheaders():
            key = name.lower()
            resp_headers[key] = f"{resp_headers[key]}, {value}" if key in resp_headers else value
        length = resp_headers.get("content-length")
        if length and length.isdigit() and int(length) > max_bytes and not truncate:
            raise FetchError(f"Response is larger than {max_bytes} bytes.")
        chunks, total = [], 0
        if method != "HEAD":
            while True:
                chunk = resp.read(min(65536, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > max_bytes:
                    if truncate:
                        chunks, total = [b"".join(chunks)[:max_bytes]], max_bytes
                        break
                    raise FetchError(f"Response is larger than {max_bytes} bytes.")
        if timed_out.is_set():
            raise FetchError("Timed out.")
        return resp.status, resp_headers, b"".join(chunks)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError("Timed out.") from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        if timed_out.is_set():
            raise FetchError("Timed out.") from None
        raise FetchError(f"Request failed: {exc.__class__.__name__}: {exc}") from None
    finally:
        watchdog.cancel()
        try:
            conn.close()
        finally:
            try:
                sock.close()
            except OSError:
                pass


def safe_request(method: str, url: str, *, headers: dict | None = None, body: bytes | str | None = None,
                 timeout: float = 10.0, max_bytes: int = 25 * 1024 * 1024, follow_redirects: bool = False,
                 max_redirects: int = 5, allow_http: bool | None = None, truncate: bool = False) -> SafeResponse:
    """Fetch `url` safely (see the module docstring). `timeout` bounds the whole call,
    redirects included. A body over `max_bytes` is a FetchError, or with `truncate=True` is cut
    at `max_bytes` (for callers that only keep an excerpt). Raises UnsafeUrl (refused, at any
    hop) or FetchError (failed)."""
    method = method.upper()
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = dict(headers or {})
    started = time.monotonic()
    deadline = started + float(timeout)
    current = url
    hops = 0
    while True:
        try:
            target, addresses = check_target(current, allow_http)
        except HostNotResolved as exc:
            raise FetchError(str(exc)) from None
        status, resp_headers, content = _one_request(target, addresses, method, headers, body, deadline, max_bytes,
                                                     truncate)
        location = resp_headers.get("location")
        if not (follow_redirects and status in REDIRECT_CODES and location):
            return SafeResponse(status=status, headers=resp_headers, content=content, url=current,
                                elapsed_ms=(time.monotonic() - started) * 1000)
        hops += 1
        if hops > max_redirects:
            raise FetchError(f"More than {max_redirects} redirects.")
        next_url = urljoin(current, location.strip())
        if status == 303 or (status in (301, 302) and method == "POST"):
            method, body = ("GET" if method != "HEAD" else "HEAD"), None
            headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type",)}
        old, new = urlsplit(current), urlsplit(next_url)
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
        current = next_url

