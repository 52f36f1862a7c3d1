"""Embed sessions: short-lived `aud_es_…` tokens for the embedded Studio (contract §6)."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from accounts.models import EmbedSession, User
from accounts.tokens import EMBED_PREFIX, looks_like_token, new_embed_token, token_hash
from core.errors import Forbidden, NotFound, ProjectNotFound, ValidationFailed
from embed.selectors import category_get, studio_project_get

_ORIGIN = re.compile(r"^https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$")


def origin_normalize(value) -> str:
    """`https?://host[:port]` in lower case, or ValidationFailed. A lone trailing slash is
    forgiven (people paste it); a path, query, credentials or fragment is not."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    origin = value.strip()
    if origin.endswith("/") and origin.count("/") == 3:
        origin = origin[:-1]
    origin = origin.lower()
    if not _ORIGIN.match(origin):
        raise ValueError("must look like https://host[:port] (no path)")
    port = urlsplit(origin).port if ":" in origin.split("//", 1)[1] else None
    if port is not None and not (0 < port < 65536):
        raise ValueError("port out of range")
    return origin


def _origins_validate(origins) -> list[str]:
    if origins is None:
        return []
    if not isinstance(origins, list):
        raise ValidationFailed("allowedOrigins must be a list of origins.", details={"allowedOrigins": ["Must be a list."]})
    if len(origins) > settings.EMBED_MAX_ORIGINS:
        raise ValidationFailed(
            f"At most {settings.EMBED_MAX_ORIGINS} allowed origins.",
            details={"allowedOrigins": [f"At most {settings.EMBED_MAX_ORIGINS} entries."]},
        )
    result: list[str] = []
    for index, origin in enumerate(origins):
        try:
            normalized = origin_normalize(origin)
        except ValueError as exc:
            raise ValidationFailed(
                f"allowedOrigins[{index}] {exc}.", details={"allowedOrigins": [f"Item {index}: {exc}."]}
            ) from None
        if normalized not in result:
            result.append(normalized)
    return result


def embed_session_create(
    *,
    account: User,
    credential,
    category_id: str | None = None,
    project_id: str | None = None,
    read_only: bool = False,
    ttl_seconds: int | None = None,
    allowed_origins: list[str] | None = None,
) -> tuple[EmbedSession, str]:
    """Mint an embed token. Returns the row and the plain token (only its hash is stored)."""
    if credential.kind == "embed":
        raise Forbidden("An embed session token can't mint embed sessions.")
    ttl = settings.EMBED_SESSION_DEFAULT_TTL if ttl_seconds is None else ttl_seconds
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not (1 <= ttl <= settings.EMBED_SESSION_MAX_TTL):
        raise ValidationFailed(
            f"ttlSeconds must be an integer from 1 to {settings.EMBED_SESSION_MAX_TTL}.",
            details={"ttlSeconds": [f"Must be 1–{settings.EMBED_SESSION_MAX_TTL}."]},
        )
    if category_id and project_id:
        raise ValidationFailed(
            "Give categoryId or projectId, not both.",
            details={"projectId": ["Give categoryId or projectId, not both."]},
        )
    origins = _origins_validate(allowed_origins)
    if project_id:
        project = studio_project_get(account=account, credential=credential, project_id=project_id)
        if project is None:
            raise ProjectNotFound()
        project_id = str(project.pk)
    if category_id:
        category = category_get(account=account, category_id=category_id)
        if category is None:
            raise NotFound("Category not found.")
        category_id = str(category.pk)
    plain = new_embed_token()
    session = EmbedSession.objects.create(
        account=account,
        created_by=credential if credential.kind == "api" else None,
        token_hash=token_hash(plain),
        category_id=category_id or None,
        project_id=project_id or None,
        read_only=bool(read_only),
        allowed_origins=origins,
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return session, plain


def embed_session_lookup(plain: str) -> tuple[EmbedSession | None, str]:
    """The session a token names, with a reason when it can't be used:
    ("", ok) · "TOKEN_INVALID" (malformed or unknown) · "TOKEN_EXPIRED"."""
    if not plain or not plain.startswith(EMBED_PREFIX) or not looks_like_token(plain):
        return None, "TOKEN_INVALID"
    session = EmbedSession.objects.select_related("account").filter(token_hash=token_hash(plain)).first()
    if session is None or not session.account.is_active:
        return None, "TOKEN_INVALID"
    if session.is_expired:
        return session, "TOKEN_EXPIRED"
    return session, ""
