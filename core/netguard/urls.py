"""Parsing a URL, refusing odd IPv4 spellings before any lookup, resolving the host once and
checking every address it has."""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings

from core.netguard.addresses import DOTTED_QUAD, IPAddress, address_refusal
from core.netguard.errors import HostNotResolved, UnsafeUrl

_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII host name or IP text (no brackets)
    ip_literal: IPAddress | None
    port: int
    path: str  # path + query, never empty
    host_header: str


def _parse(url: str, *, allow_http: bool) -> Target:
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
            if not DOTTED_QUAD.match(host):
                raise UnsafeUrl("URL host is an IPv4 address in an unusual spelling (use a.b.c.d).")
            ip_literal = ipaddress.IPv4Address(host)
    default_port = 443 if scheme == "https" else 80
    bracketed = f"[{host}]" if ip_literal is not None and ip_literal.version == 6 else host
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, host, ip_literal, port, path, host_header)


def _resolve(target: Target) -> list[IPAddress]:
    if target.ip_literal is not None:
        return [target.ip_literal]
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise HostNotResolved(f"Host {target.host!r} does not resolve ({exc}).") from None
    seen: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = cast(str, sockaddr[0]).split("%", 1)[0]  # an AF_INET/AF_INET6 address's host is a str
        ip = ipaddress.ip_address(text)
        if family == socket.AF_INET6 and len(sockaddr) > 3 and sockaddr[3]:
            ip = ipaddress.IPv6Address(f"{text}%{sockaddr[3]}")
        if ip not in seen:
            seen.append(ip)
    if not seen:
        raise HostNotResolved(f"Host {target.host!r} does not resolve.")
    return seen


def check_target(url: str, allow_http: bool | None) -> tuple[Target, list[IPAddress]]:
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


def check_url(url: str, *, allow_http: bool | None = None) -> list[IPAddress]:
    """Raise UnsafeUrl unless `url` may be fetched; return the addresses its host resolves to.
    `allow_http=None` means: http:// only when settings.AUDOME_ALLOW_PRIVATE_URLS is on."""
    _target, addresses = check_target(url, allow_http)
    return addresses

