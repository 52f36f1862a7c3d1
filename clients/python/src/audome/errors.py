"""Typed errors. Every error the API answers carries its contract `code` (`VALIDATION_FAILED`,
`RATE_LIMITED`…) and the `requestId` to quote to support; `retryable` says whether the same
call may succeed later (429, 5xx, network trouble, a wait that ran out of time)."""
from __future__ import annotations

from typing import Any


class AudomeError(Exception):
    """Base of every error this package raises."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 request_id: str | None = None, details: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details or {}
        self.body = body or {}

    @property
    def requestId(self) -> str | None:  # noqa: N802 — the API's own spelling, for people who look for it
        return self.request_id

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"[{self.code}]")
        if self.request_id:
            parts.append(f"(request {self.request_id})")
        return " ".join(parts)


class APIError(AudomeError):
    """The API answered with an error status."""


class ValidationError(APIError):
    """400: the body or query failed validation; `details` names the fields."""


class AuthenticationError(APIError):
    """401: missing, unknown, revoked or expired token."""


class InsufficientCreditsError(APIError):
    """402: not enough credits."""


class PermissionDeniedError(APIError):
    """403: the token's scope is too small."""


class NotFoundError(APIError):
    """404: missing, or another account's."""


class ConflictError(APIError):
    """409: state conflict (e.g. an idempotency key reused with another body)."""


class PayloadTooLargeError(APIError):
    """413."""


class RateLimitError(APIError):
    """429: a rate or concurrency limit; `retry_after` in seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server or the renderer failed; safe to retry."""

    retryable = True


class APIConnectionError(AudomeError):
    """The server could not be reached, or did not answer in time."""

    retryable = True


class RenderFailedError(AudomeError):
    """The render finished as `failed` (`code` is the generation's error code)."""

    def __init__(self, message: str, *, generation_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.generation_id = generation_id


class RenderCanceledError(AudomeError):
    """The render was canceled before it ran."""

    def __init__(self, message: str, *, generation_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.generation_id = generation_id


class WaitTimeoutError(AudomeError):
    """`wait()` gave up before the job finished; the job itself goes on."""

    retryable = True


class DeviceLoginError(AudomeError):
    """The device-code login ended without a token (`code`: ACCESS_DENIED, EXPIRED_TOKEN…)."""


class WebhookVerificationError(AudomeError):
    """A webhook's Audome-Signature header did not match its body."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError, 401: AuthenticationError, 402: InsufficientCreditsError, 403: PermissionDeniedError,
    404: NotFoundError, 409: ConflictError, 413: PayloadTooLargeError, 429: RateLimitError,
}


def error_from_response(status: int, body: Any, headers: Any) -> APIError:
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or body.get("error") or f"HTTP {status}"
    if body.get("message") and body.get("error") and body["error"] != body["message"]:
        message = body["message"]
    kwargs: dict[str, Any] = {
        "status": status, "code": body.get("code"), "request_id": body.get("requestId") or headers.get("x-request-id"),
        "details": body.get("details") if isinstance(body.get("details"), dict) else None, "body": body,
    }
    if status == 429:
        return RateLimitError(str(message), retry_after=retry_after_of(headers), **kwargs)
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    return cls(str(message), **kwargs)


def retry_after_of(headers: Any) -> float | None:
    value = headers.get("retry-after") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
