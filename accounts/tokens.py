"""Token strings: `aud_` + 40 base62 characters (embed sessions: `aud_es_` + 40)."""
import hashlib
import secrets
import string

_BASE62 = string.digits + string.ascii_letters
API_PREFIX = "aud_"
EMBED_PREFIX = "aud_es_"


def _random_base62(length: int = 40) -> str:
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def new_api_token() -> str:
    return API_PREFIX + _random_base62()


def new_embed_token() -> str:
    return EMBED_PREFIX + _random_base62()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    body = token[len(EMBED_PREFIX):] if token.startswith(EMBED_PREFIX) else token[len(API_PREFIX):]
    return token.startswith(API_PREFIX) and len(body) == 40 and all(c in _BASE62 for c in body)
