"""Signed render URLs (contract §4): `s` is the hex HMAC-SHA256, with the account's URL-signing
secret, of `<path>?<canonical query>` where the canonical query is every parameter except `s`,
sorted by name (then value), each written `name=value` with RFC 3986 percent-encoding
(unreserved characters `A-Z a-z 0-9 - . _ ~` kept, everything else as UTF-8 `%XX`, so a space
is `%20`), joined by `&`. The string always has the `?`, even with no parameter."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote

SIGNATURE_PARAM = "s"


def encode(value: str) -> str:
    """RFC 3986: unreserved characters kept, everything else percent-encoded (UTF-8)."""
    return quote(str(value), safe="")  # quote() always keeps A-Z a-z 0-9 - . _ ~


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    pairs = sorted((str(name), str(value)) for name, value in params if name != SIGNATURE_PARAM)
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


def canonical_string(path: str, params: Iterable[tuple[str, str]]) -> str:
    return f"{path}?{canonical_query(params)}"


def signature(secret: str, path: str, params: Iterable[tuple[str, str]]) -> str:
    message = canonical_string(path, params).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_valid(secret: str, path: str, params: list[tuple[str, str]], given: str | None) -> bool:
    if not secret or not given:
        return False
    return hmac.compare_digest(signature(secret, path, params), given.strip().lower())


def parse_query(query_string: str) -> list[tuple[str, str]]:
    """The query as (name, value) pairs in order, percent-decoded ("+" also means a space)."""
    return parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="replace")


def signed_url(*, secret: str, path: str, params: dict | Iterable[tuple[str, str]], base_url: str = "") -> str:
    """Build a signed URL: `<base_url><path>?<canonical query>&s=<hex>` (for docs, tests, the builder)."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    pairs = [(str(k), str(v)) for k, v in pairs if k != SIGNATURE_PARAM]
    query = canonical_query(pairs)
    sig = signature(secret, path, pairs)
    return f"{base_url}{path}?{query}{'&' if query else ''}s={sig}"
