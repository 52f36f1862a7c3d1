"""Check that a webhook really comes from Audome: `Audome-Signature: t=<unix>,v1=<hex>[,v1=<hex>]`
is HMAC-SHA256(secret, "<t>.<raw body>"). During a secret rotation two `v1=` values arrive;
either matching is enough. Pass the body exactly as received (bytes), before any JSON parsing."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from audome.errors import WebhookVerificationError

DEFAULT_TOLERANCE = 300  # seconds a signature stays valid (replay window)


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookVerificationError("Malformed Audome-Signature header.", code="BAD_SIGNATURE_HEADER")
    return timestamp, signatures


def _check(body: bytes, header: str, secret: str, tolerance: float | None, now: float | None) -> None:
    timestamp, signatures = _parse_header(header)
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookVerificationError("Signature does not match the body and secret.", code="BAD_SIGNATURE")
    current = time.time() if now is None else now
    if tolerance is not None and abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("Signature timestamp is outside the tolerance window.", code="STALE_SIGNATURE")


def construct_event(raw: bytes | str, header: str, secret: str, *, tolerance: float | None = DEFAULT_TOLERANCE,
                    now: float | None = None) -> dict[str, Any]:
    """The event (parsed JSON) when the signature matches and is recent; WebhookVerificationError otherwise."""
    body = raw.encode() if isinstance(raw, str) else bytes(raw)
    _check(body, header, secret, tolerance, now)
    event = json.loads(body)
    return event if isinstance(event, dict) else {"data": event}


def verify_signature(raw: bytes | str, header: str, secret: str, *, tolerance: float | None = DEFAULT_TOLERANCE,
                     now: float | None = None) -> bool:
    """True when `header` signs `raw` with `secret` (any of its `v1=` values) within `tolerance` seconds."""
    body = raw.encode() if isinstance(raw, str) else bytes(raw)
    try:
        _check(body, header, secret, tolerance, now)
    except WebhookVerificationError:
        return False
    return True
