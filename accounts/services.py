"""Every write to accounts and tokens. What other apps do about them (starting credits, webhook
events) they do on accounts.signals, sent inside the same transaction."""
import hmac
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import ApiToken, EmbedSession, TokenScope, User
from accounts.serializers import token_to_dict
from accounts.signals import account_event, user_created
from accounts.tokens import EMBED_PREFIX, looks_like_token, new_api_token, token_hash
from core.errors import Conflict, NotFound, ValidationFailed


@transaction.atomic
def user_create(*, email: str, password: str | None, starting_credits: int | None = None) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with this email already exists.")
    user = User.objects.create_user(email=email, password=password)
    user_created.send(sender=User, user=user, starting_credits=starting_credits)
    return user


@transaction.atomic
def token_create(*, account: User, name: str, scope: str = cast(str, TokenScope.FULL_ACCESS)) -> tuple[ApiToken, str]:
    """Returns the token row and the plain token, which is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("name must be 1–100 characters.", details={"name": ["Must be 1–100 characters."]})
    if scope not in TokenScope.values:
        raise ValidationFailed(f"scope must be one of {', '.join(TokenScope.values)}.", details={"scope": ["Invalid scope."]})
    # Lock the account row so two concurrent creates can't both pass the cap.
    User.objects.select_for_update().filter(pk=account.pk).first()
    active = ApiToken.objects.filter(account=account, revoked_at__isnull=True).count()
    if active >= settings.MAX_ACTIVE_TOKENS:
        raise ValidationFailed(
            f"At most {settings.MAX_ACTIVE_TOKENS} active tokens per account; revoke one first.",
            details={"tokens": [f"Limit of {settings.MAX_ACTIVE_TOKENS} active tokens reached."]},
        )
    plain = new_api_token()
    token = ApiToken.objects.create(
        account=account, name=name, scope=scope, prefix=plain[4:12], token_hash=token_hash(plain)
    )
    account_event.send(sender=ApiToken, account=account, type="token.created", data={"token": token_to_dict(token)})
    return token, plain


def _token_of(account: User, token_id: str) -> ApiToken:
    token = ApiToken.objects.filter(account=account, pk=token_id).first()
    if token is None:
        raise NotFound("Token not found.")
    return token


def token_rename(*, account: User, token_id: str, name: str) -> ApiToken:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("name must be 1–100 characters.", details={"name": ["Must be 1–100 characters."]})
    token = _token_of(account, token_id)
    token.name = name
    token.save(update_fields=["name", "updated_at"])
    return token


@transaction.atomic
def token_revoke(*, account: User, token_id: str) -> ApiToken:
    token = _token_of(account, token_id)
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if changed:
        account_event.send(sender=ApiToken, account=account, type="token.revoked", data={"token": token_to_dict(token)})
    return token


def credential_authenticate(plain: str) -> ApiToken | EmbedSession | None:
    """The API token or embed session a Bearer value names, or None. Looked up by its SHA-256
    (an index lookup that reveals nothing of the token) and compared in constant time."""
    if not looks_like_token(plain):
        return None
    digest = token_hash(plain)
    if plain.startswith(EMBED_PREFIX):
        session = EmbedSession.objects.select_related("account").filter(token_hash=digest).first()
        if session is None or session.is_expired or not session.account.is_active:
            return None
        return session if hmac.compare_digest(session.token_hash, digest) else None
    token = ApiToken.objects.select_related("account").filter(token_hash=digest, revoked_at__isnull=True).first()
    if token is None or not token.account.is_active or not hmac.compare_digest(token.token_hash, digest):
        return None
    _token_record_use(token)
    return token


def _token_record_use(token: ApiToken) -> None:
    """lastUsedAt / usageCount: bookkeeping, not money — on Postgres one round trip, in a
    transaction of its own whose commit doesn't wait for the WAL flush (a crash may lose the last
    few increments, never corrupt them)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        from psycopg import sql

        connection.ensure_connection()
        statement = sql.SQL(
            "BEGIN; SET LOCAL synchronous_commit = off; "
            "UPDATE {table} SET last_used_at = now(), usage_count = usage_count + 1 WHERE id = {id}; COMMIT"
        ).format(table=sql.Identifier(ApiToken._meta.db_table), id=sql.Literal(token.pk))
        with connection.cursor() as cursor:
            cursor.execute(statement.as_string(connection.connection))
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), usage_count=F("usage_count") + 1)
