"""SSRF-safe URL checks and fetches: webhook deliveries and remote images go through here.

`check_url(url)` decides whether a URL may be fetched and returns the addresses its host
resolves to; `safe_request(...)` fetches it, connecting to exactly those addresses (the name
is resolved once — no second DNS lookup that a rebinding attacker could answer differently),
with TLS SNI and certificate verification for the hostname, every redirect hop re-checked,
and hard caps on size and total time.

What is refused:
- schemes other than https (http too when `settings.AUDOME_ALLOW_PRIVATE_URLS` is on),
  credentials in the URL, odd characters;
- IPv4 written any way other than plain dotted decimal (`2130706433`, `0x7f.1`, `0177.0.0.1`,
  `127.1` …): URL parsers and `inet_aton` read them as addresses, we don't guess;
- a host with ANY resolved address that is loopback, private, link-local, multicast,
  reserved, unspecified, CGNAT (100.64/10), unique-local (fc00::/7), or an IPv6 form that
  embeds such an IPv4 (IPv4-mapped, IPv4-compatible, 6to4 2002::/16, NAT64 64:ff9b::/96);
- cloud metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200 and every spelling or
  embedding of them) whatever the settings.

Settings: `AUDOME_FETCH_ALLOW_CIDRS` ranges count as public (metadata never);
`AUDOME_ALLOW_PRIVATE_URLS` allows http and private/loopback addresses (metadata never);
`AUDOME_FETCH_CA_FILE` (optional) adds a CA bundle to the system's trust store."""
from __future__ import annotations

import functools
import http.client
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = ["UnsafeUrl", "HostNotResolved", "FetchError", "SafeResponse", "check_url", "safe_request"]


class UnsafeUrl(Exception):
    """The URL may not be fetched; the message says why."""


class FetchError(Exception):
    """The fetch was allowed but failed: DNS, connection, TLS, timeout, too large…"""


class HostNotResolved(UnsafeUrl):
    """The host name does not resolve (yet). check_url raises it (an UnsafeUrl: nothing can be
    fetched); safe_request turns it into FetchError, a failure that may go away. A caller that
    only stores a URL for later (a webhook destination) may accept it: every fetch re-checks."""


_Unresolvable = HostNotResolved


METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, DigitalOcean, OpenStack…
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS IMDS over IPv6
    )
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64_NETWORKS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
ULA = ipaddress.ip_network("fc00::/7")

REDIRECT_CODES = {301, 302, 303, 307, 308}
_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")
_DOTTED_QUAD = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$")


# --- addresses -----------------------------------------------------------------------------

def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    as_int = int(ip)
    for net in NAT64_NETWORKS:
        if ip in net:
            return ipaddress.IPv4Address(as_int & 0xFFFFFFFF)
    if as_int >> 32 == 0 and as_int > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(as_int & 0xFFFFFFFF)
    return None


def _in_any(ip: IPAddress, networks) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def _allowed_networks() -> list:
    nets = []
    for raw in getattr(settings, "AUDOME_FETCH_ALLOW_CIDRS", None) or []:
        raw = str(raw).strip()
        if raw:
            nets.append(ipaddress.ip_network(raw, strict=False))
    return nets


def _internal_reason(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.version == 4 and ip in CGNAT:
        return "a shared (CGNAT) address"
    if ip.version == 6 and ip in ULA:
        return "a unique-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def address_refusal(ip: IPAddress, *, allow_private: bool | None = None) -> str | None:
    """Why `ip` may not be contacted, or None when it may."""
    if allow_private is None:
        allow_private = bool(getattr(settings, "AUDOME_ALLOW_PRIVATE_URLS", False))
    if ip.version == 6 and ip.scope_id:
        return "a scoped IPv6 address"
    inner = _embedded_ipv4(ip)
    candidates = ([inner] if inner is not None else []) + [ip]
    if any(c in METADATA_ADDRESSES for c in candidates):
        return "a cloud metadata address"
    allowed = _allowed_networks()
    if _in_any(ip, allowed) or (inner is not None and _in_any(inner, allowed)):
        return None
    for c in candidates:
        reason = _internal_reason(c)
        if reason is None:
            continue
        if allow_private and not (c.is_multicast or c.is_unspecified):
            continue
        if c is inner:
            return f"an IPv6 form of {reason}"
        return reason
    return None


# --- URLs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII host name or IP text (no brackets)
    ip_literal: IPAddress | None
    port: int
    path: str  # path + query, never empty
    host_header: str


def _parse(url: str, *, allow_http: bool) -> _Target:
    if not isinstance(url, str) or not url:
        raise UnsafeUrl("URL is empty.")
    if len(url) > 4096:
        raise UnsafeUrl("URL is too long.")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url) or "\\" in url:
        raise UnsafeUrl("URL contains whitespace, control characters or backslashes.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"URL is malformed ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise UnsafeUrl("URL must use https:// or http://." if allow_http else "URL must use https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl("URL must not contain credentials.")
    netloc_host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    raw_host = parts.hostname or ""
    if not raw_host:
        raise UnsafeUrl("URL has no host.")
    if port is not None and not (1 <= port <= 65535):
        raise UnsafeUrl("URL port is out of range.")
    port = port or (443 if scheme == "https" else 80)

    ip_literal: IPAddress | None = None
    if netloc_host.startswith("["):
        if "%" in raw_host:
            raise UnsafeUrl("Scoped IPv6 addresses are not allowed.")
        try:
            ip_literal = ipaddress.IPv6Address(raw_host)
        except ValueError:
            raise UnsafeUrl("URL has a malformed IPv6 address.") from None
        host = str(ip_literal)
    else:
        try:
            host = raw_host.encode("idna").decode("ascii").lower() if not raw_host.isascii() else raw_host.lower()
        except UnicodeError:
            raise UnsafeUrl("URL host is not a valid domain name.") from None
        host = host.rstrip(".") if host != "." else host
        if not host or not _HOST_CHARS.match(host) or ".." in host or host.startswith("."):
            raise UnsafeUrl("URL host is not a valid domain name.")
        last_label = host.rsplit(".", 1)[-1]
        if _NUMERIC_LABEL.match(last_label):
            # Parsers read this host as an IPv4 address: accept only the plain a.b.c.d form.
            if not _DOTTED_QUAD.match(host):
                raise UnsafeUrl("URL host is an IPv4 address in an unusual spelling (use a.b.c.d).")
            ip_literal = ipaddress.IPv4Address(host)
    default_port = 443 if scheme == "https" else 80
    bracketed = f"[{host}]" if ip_literal is not None and ip_literal.version == 6 else host
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme, host, ip_literal, port, path, host_header)


def _resolve(target: _Target) -> list[IPAddress]:
    if target.ip_literal is not None:
        return [target.ip_literal]
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise _Unresolvable(f"Host {target.host!r} does not resolve ({exc}).") from None
    seen: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = sockaddr[0].split("%", 1)[0]
        ip = ipaddress.ip_address(text)
        if family == socket.AF_INET6 and len(sockaddr) > 3 and sockaddr[3]:
            ip = ipaddress.IPv6Address(f"{text}%{sockaddr[3]}")
        if ip not in seen:
            seen.append(ip)
    if not seen:
        raise _Unresolvable(f"Host {target.host!r} does not resolve.")
    return seen


def _check(url: str, allow_http: bool | None) -> tuple[_Target, list[IPAddress]]:
    allow_private = bool(getattr(settings, "AUDOME_ALLOW_PRIVATE_URLS", False))
    if allow_http is None:
        allow_http = allow_private
    target = _parse(url, allow_http=allow_http)
    # Literal addresses are judged before any lookup; names after resolving, every address.
    addresses = _resolve(target)
    for ip in addresses:
        reason = address_refusal(ip, allow_private=allow_private)
        if reason:
            shown = target.host if target.ip_literal is not None else f"{target.host} ({ip})"
            raise UnsafeUrl(f"URL host {shown} is {reason}.")
    return target, addresses


_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".intranet", ".lan")
# Public names that always point at loopback (handy for tests, handy for attackers).
_LOOPBACK_ALIAS_DOMAINS = ("localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "localhost.direct")


def name_suggests_internal(url: str) -> str | None:
    """For a host that did NOT resolve here: does its name alone say it is internal? Internal
    suffixes, loopback-alias domains, and wildcard-DNS names that embed an internal address
    (127.0.0.1.nip.io, 10-0-0-1.sslip.io, 7f000001.nip.io). A heuristic for when DNS can't
    answer; when it can, the resolved addresses are what counts."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        return "an internal host name"
    if any(host == d or host.endswith("." + d) for d in _LOOPBACK_ALIAS_DOMAINS):
        return "a name that points at loopback"
    labels = host.split(".")
    candidates = []
    for i in range(len(labels) - 3):
        candidates.append(".".join(labels[i:i + 4]))
    for label in labels:
        parts = label.split("-")
        for i in range(len(parts) - 3):
            candidates.append(".".join(parts[i:i + 4]))
        if re.fullmatch(r"[0-9a-f]{8}", label):
            candidates.append(str(ipaddress.IPv4Address(int(label, 16))))
    for text in candidates:
        if not _DOTTED_QUAD.match(text):
            continue
        reason = address_refusal(ipaddress.IPv4Address(text))
        if reason:
            return f"a name that embeds {reason}"
    return None


def check_url(url: str, *, allow_http: bool | None = None) -> list[IPAddress]:
    """Raise UnsafeUrl unless `url` may be fetched; return the addresses its host resolves to.
    `allow_http=None` means: http:// only when settings.AUDOME_ALLOW_PRIVATE_URLS is on."""
    _target, addresses = _check(url, allow_http)
    return addresses


# --- fetching ------------------------------------------------------------------------------

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


def _connect(target: _Target, addresses: list[IPAddress], deadline: float) -> socket.socket:
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


def _one_request(target: _Target, addresses, method: str, headers: dict, body: bytes | None,
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
            target, addresses = _check(current, allow_http)
        except _Unresolvable as exc:
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
