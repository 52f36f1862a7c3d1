"""Device-code login (RFC 8628) for the CLI, desktop apps and scripts that hand sign-in to a browser.

1. The app asks for a code pair (`device_code_request`): a long `deviceCode` it keeps and polls
   with, and a short `userCode` (`BCDF-GHJK`) the person sees in the app and on the page.
2. The signed-in person opens the verification URL, checks the app's name and the code, picks a
   scope and approves or denies (`device_approve` / `device_deny`).
3. The app polls (`device_token_poll`) every `interval` seconds; polling sooner answers
   `slow_down` and adds 5 s to its interval. Once approved, the first poll mints a new API token
   named after the app and the authorization is consumed: the code pair never works again.

Both codes are stored only as SHA-256 digests; the plain API token exists once, in that poll's
response. Requests are limited per IP (DEVICE_CODE_REQUESTS_PER_HOUR) and code look-ups on the
page per account (DEVICE_CODE_LOOKUPS_PER_HOUR), so a user code can't be guessed."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import DeviceAuthorization, DeviceAuthorizationStatus, TokenScope, User
from accounts.services import token_create
from core.errors import ApiError, RateLimited, ValidationFailed
from core.ratelimit import sliding_window_hit

USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels (no words), no look-alikes
USER_CODE_LENGTH = 8
EXPIRES_IN = 600
INTERVAL = 5
SLOW_DOWN_STEP = 5
MAX_INTERVAL = 60
Status = DeviceAuthorizationStatus


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_user_code(raw: str) -> str:
    """`bcdf ghjk`, `BCDF-GHJK`, `bcdfghjk` → `BCDFGHJK` (letters only, upper case)."""
    return "".join(c for c in (raw or "").upper() if c.isalpha())


def format_user_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _new_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


class DeviceFlowError(ApiError):
    """An RFC 8628 token-endpoint answer: 400 with the RFC's lowercase `error` and our `code`."""

    status = 400

    def __init__(self, error: str, message: str, *, interval: int | None = None):
        super().__init__(message, extra={"error": error, "message": message,
                                         **({"interval": interval} if interval is not None else {})})
        self.code = error.upper()


@dataclass(frozen=True)
class DeviceCodePair:
    authorization: DeviceAuthorization
    device_code: str
    user_code: str  # formatted, with the hyphen

    @property
    def verification_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/render/device?code={self.user_code}"


def device_code_request(*, app_name: str, app_type: str = "", app_version: str = "",
                        ip: str | None = None) -> DeviceCodePair:
    app_name = (app_name or "").strip()
    if not app_name or len(app_name) > 100:
        raise ValidationFailed("appName must be 1–100 characters.", details={"appName": ["Must be 1–100 characters."]})
    limit = _setting("DEVICE_CODE_REQUESTS_PER_HOUR", 10)
    state = sliding_window_hit(f"audome:rl:device-code:{ip or 'unknown'}", limit=limit, window_seconds=3600)
    if not state.allowed:
        raise RateLimited(f"At most {limit} device codes an hour from one address.", retry_after=state.retry_after)
    device_code = "audev_" + secrets.token_urlsafe(32)
    for _attempt in range(5):
        user_code = _new_user_code()
        if not DeviceAuthorization.objects.filter(user_code_hash=_digest(user_code)).exists():
            break
    authorization = DeviceAuthorization.objects.create(
        device_code_hash=_digest(device_code), user_code_hash=_digest(user_code), app_name=app_name,
        app_type=(app_type or "").strip()[:40], app_version=(app_version or "").strip()[:40],
        expires_at=timezone.now() + dt.timedelta(seconds=EXPIRES_IN), interval=INTERVAL, requested_ip=ip,
    )
    return DeviceCodePair(authorization, device_code, format_user_code(user_code))


def device_lookup(*, account: User, user_code: str) -> DeviceAuthorization | None:
    """The pending, unexpired authorization a user code names, or None. Counted per account (a
    guessing signed-in user runs out of look-ups long before the code space)."""
    code = normalize_user_code(user_code)
    if len(code) != USER_CODE_LENGTH:
        return None
    limit = _setting("DEVICE_CODE_LOOKUPS_PER_HOUR", 30)
    state = sliding_window_hit(f"audome:rl:device-lookup:{account.pk}", limit=limit, window_seconds=3600)
    if not state.allowed:
        raise RateLimited("Too many codes tried. Wait a while, then start again from your app.",
                          retry_after=state.retry_after)
    return DeviceAuthorization.objects.filter(
        user_code_hash=_digest(code), status=Status.PENDING, expires_at__gt=timezone.now()
    ).first()


def _decide(*, account: User, authorization: DeviceAuthorization, status: str, scope: str = "") -> bool:
    changed = DeviceAuthorization.objects.filter(
        pk=authorization.pk, status=Status.PENDING, expires_at__gt=timezone.now()
    ).update(status=status, account=account, scope=scope, updated_at=timezone.now())
    authorization.refresh_from_db()
    return bool(changed)


def device_approve(*, account: User, authorization: DeviceAuthorization, scope: str) -> bool:
    """False when the authorization was no longer pending (expired, or decided elsewhere)."""
    if scope not in TokenScope.values:
        raise ValidationFailed("Choose a scope.", details={"scope": ["Invalid scope."]})
    active = account.api_tokens.filter(revoked_at__isnull=True).count()
    if active >= settings.MAX_ACTIVE_TOKENS:
        raise ValidationFailed(f"You already have {settings.MAX_ACTIVE_TOKENS} active tokens; revoke one first.",
                               details={"tokens": ["Limit of active tokens reached."]})
    return _decide(account=account, authorization=authorization, status=cast(str, Status.APPROVED), scope=scope)


def device_deny(*, account: User, authorization: DeviceAuthorization) -> bool:
    return _decide(account=account, authorization=authorization, status=cast(str, Status.DENIED))


def device_token_poll(*, device_code: str) -> tuple[DeviceAuthorization, str]:
    """The plain API token once the authorization is approved (and then never again); otherwise
    raises DeviceFlowError with the RFC's answer."""
    authorization = DeviceAuthorization.objects.filter(device_code_hash=_digest(device_code or "")).first()
    if authorization is None:
        raise DeviceFlowError("invalid_grant", "Unknown device code.")
    now = timezone.now()
    if authorization.status == Status.CONSUMED:
        raise DeviceFlowError("invalid_grant", "This device code was already used. Start a new login.")
    if authorization.status == Status.DENIED:
        raise DeviceFlowError("access_denied", "The request was denied in the browser.")
    if authorization.is_expired:
        raise DeviceFlowError("expired_token", "The device code has expired. Start a new login.")
    if authorization.status == Status.PENDING:
        _check_interval(authorization, now)
        raise DeviceFlowError("authorization_pending", "Waiting for the user to approve in the browser.",
                              interval=authorization.interval)
    return _consume(authorization)


def _check_interval(authorization: DeviceAuthorization, now: dt.datetime) -> None:
    """Polls closer together than `interval` answer slow_down and add 5 s to the interval
    (RFC 8628 §3.5); the poll time is recorded either way."""
    last = authorization.last_polled_at
    # A little slack: a client that sleeps exactly `interval` seconds arrives a hair early sometimes.
    too_soon = last is not None and (now - last).total_seconds() < authorization.interval - 0.5
    updates: dict[str, Any] = {"last_polled_at": now}
    if too_soon:
        updates["interval"] = min(MAX_INTERVAL, authorization.interval + SLOW_DOWN_STEP)
    DeviceAuthorization.objects.filter(pk=authorization.pk).update(**updates)
    if too_soon:
        raise DeviceFlowError("slow_down", f"Polling too fast: wait {updates['interval']} seconds between polls.",
                              interval=updates["interval"])
    authorization.last_polled_at = now


@transaction.atomic
def _consume(authorization: DeviceAuthorization) -> tuple[DeviceAuthorization, str]:
    changed = DeviceAuthorization.objects.filter(pk=authorization.pk, status=Status.APPROVED).update(
        status=Status.CONSUMED, updated_at=timezone.now()
    )
    if not changed:  # another poll collected it first
        raise DeviceFlowError("invalid_grant", "This device code was already used. Start a new login.")
    token, plain = token_create(account=authorization.account, name=authorization.app_name, scope=authorization.scope)
    DeviceAuthorization.objects.filter(pk=authorization.pk).update(token=token)
    authorization.refresh_from_db()
    return authorization, plain
