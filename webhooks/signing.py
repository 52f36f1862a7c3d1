"""The delivery body and its signature (contract §5):

    Audome-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

During a secret rotation the header carries one `v1=` per live secret, the NEWEST FIRST
(`t=…,v1=<new>,v1=<old>`): a receiver that checks any `v1=` accepts either secret, and the
docs' two-part verifier, which reads the first one, works as soon as it holds the new secret."""
import hashlib
import hmac
import json
import secrets
import string
import time

from core.timefmt import iso

SECRET_PREFIX = "whsec_"
_BASE62 = string.digits + string.ascii_letters


def new_secret() -> str:
    return SECRET_PREFIX + "".join(secrets.choice(_BASE62) for _ in range(40))


def event_payload(event) -> dict:
    return {"id": event.id, "type": event.type, "createdAt": iso(event.created_at), "data": event.data}


def event_body(event) -> bytes:
    """The exact bytes POSTed: the same for every attempt of an event (ASCII-only JSON, so no
    receiver can re-encode it differently before checking the signature)."""
    return json.dumps(event_payload(event), ensure_ascii=True, separators=(", ", ": ")).encode("ascii")


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secrets_newest_first: list[str], body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    parts = [f"t={t}"] + [f"v1={compute_signature(s, t, body)}" for s in secrets_newest_first if s]
    return ",".join(parts)


def verify_signature(body: bytes, header: str, secret: str, *, tolerance: int | None = 300,
                     now: float | None = None) -> bool:
    """What a receiver does: any `v1=` matching, timestamp within `tolerance` seconds."""
    items = [p.split("=", 1) for p in (header or "").split(",") if "=" in p]
    stamps = [v for k, v in items if k.strip() == "t"]
    sigs = [v.strip() for k, v in items if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not sigs:
        return False
    t = int(stamps[0])
    if tolerance is not None and abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = compute_signature(secret, t, body)
    return any(hmac.compare_digest(expected, s) for s in sigs)
