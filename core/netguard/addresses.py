"""Which addresses are internal: loopback, private, link-local, multicast, reserved,
unspecified, CGNAT, unique-local, IPv6 forms embedding such an IPv4, and cloud metadata."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

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
DOTTED_QUAD = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$")


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
        if not DOTTED_QUAD.match(text):
            continue
        reason = address_refusal(ipaddress.IPv4Address(text))
        if reason:
            return f"a name that embeds {reason}"
    return None

