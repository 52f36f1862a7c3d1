"""The API's one error type and the one handler that turns every error into the contract's
envelope: {success:false, error, code, requestId, details?}."""
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    code = "VALIDATION_FAILED"
    message = "Request failed."

    def __init__(self, message: str | None = None, *, details=None, headers=None, extra=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details
        self.headers = headers or {}
        self.extra = extra or {}


class ValidationFailed(ApiError):
    status, code, message = 400, "VALIDATION_FAILED", "Validation failed."


class Unauthorized(ApiError):
    status, code, message = 401, "UNAUTHORIZED", "Missing or invalid bearer token."


class InsufficientCredits(ApiError):
    status, code, message = 402, "INSUFFICIENT_CREDITS", "Insufficient credits."


class Forbidden(ApiError):
    status, code, message = 403, "FORBIDDEN", "This token may not do that."


class ProjectNotFound(ApiError):
    status, code, message = 404, "PROJECT_NOT_FOUND", "Project not found."


class NotFound(ApiError):
    status, code, message = 404, "NOT_FOUND", "Not found."


class MethodNotAllowed(ApiError):
    status, code, message = 405, "METHOD_NOT_ALLOWED", "Method not allowed."


class Conflict(ApiError):
    status, code, message = 409, "CONFLICT", "The request conflicts with the current state."


class Gone(ApiError):
    status, code, message = 410, "GONE", "This link has expired."


class PayloadTooLarge(ApiError):
    status, code, message = 413, "PAYLOAD_TOO_LARGE", "Request body too large."


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json."


class RateLimited(ApiError):
    status, code, message = 429, "RATE_LIMITED", "Rate limit exceeded."

    def __init__(self, message=None, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))
        self.headers = {"Retry-After": str(self.retry_after), **self.headers}


class RenderFailed(ApiError):
    status, code, message = 500, "RENDER_FAILED", "The renderer failed. Safe to retry once."


class InternalError(ApiError):
    status, code, message = 500, "INTERNAL_ERROR", "Internal error."


class PreviewBusy(ApiError):
    status, code, message = 503, "PREVIEW_BUSY", "Preview queue is busy."


class ServiceUnavailable(ApiError):
    """A part Audome needs (the database, or Redis: queue, cache, rate limits) is not answering.
    Nothing was changed; retry after Retry-After seconds."""

    status, code, message = 503, "SERVICE_UNAVAILABLE", "A service Audome needs is not answering. Retry shortly."

    def __init__(self, message=None, *, retry_after: int = 5, **kwargs):
        super().__init__(message, **kwargs)
        self.headers = {"Retry-After": str(max(1, int(retry_after))), **self.headers}


OUTAGE_MESSAGES = {
    "database": "The database is not answering. Nothing was changed; retry in a few seconds.",
    "redis": "The job queue (Redis) is not answering. Nothing was changed; retry in a few seconds.",
}


def outage_of(exc) -> str | None:
    """'database' or 'redis' when `exc` says that part is down or too slow, else None."""
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis import exceptions as redis_errors

    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
    if isinstance(exc, (redis_errors.ConnectionError, redis_errors.TimeoutError, BrokerError)):
        return "redis"
    return None


def outage_error(exc) -> ServiceUnavailable | None:
    part = outage_of(exc)
    if part is None:
        return None
    log.warning("API call answered 503: %s is unavailable (%s: %s)", part, exc.__class__.__name__, exc)
    return ServiceUnavailable(OUTAGE_MESSAGES[part])


def request_id_of(request) -> str | None:
    django_request = getattr(request, "_request", request)
    return getattr(django_request, "request_id", None)


def envelope(error: ApiError, request) -> dict:
    body = {"success": False, "error": error.message, "code": error.code, "requestId": request_id_of(request)}
    if error.details:
        body["details"] = error.details
    body.update(error.extra)
    return body


def www_authenticate(request) -> str:
    """The RFC 6750 challenge of a 401: `error="invalid_token"` when a Bearer token was sent (unknown,
    revoked, expired or malformed), the bare challenge when none was."""
    django_request = getattr(request, "_request", request)
    sent = django_request.META.get("HTTP_AUTHORIZATION", "").strip()
    if sent[:6].lower() == "bearer":
        return 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid, revoked or expired."'
    return 'Bearer realm="api"'


def _headers(error: ApiError, request) -> dict:
    headers = dict(error.headers)
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", www_authenticate(request))
    return headers


def error_response(error: ApiError, request) -> Response:
    return Response(envelope(error, request), status=error.status, headers=_headers(error, request))


def error_json_response(error: ApiError, request) -> JsonResponse:
    """For the places outside DRF (middleware, Django's own 404/500 under /api/)."""
    response = JsonResponse(envelope(error, request), status=error.status)
    for name, value in _headers(error, request).items():
        response[name] = value
    return response


def _flatten_details(detail):
    if isinstance(detail, dict):
        return {key: _flatten_details(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten_details(item) for item in detail]
    return [str(detail)]


def _first_message(details) -> str:
    if isinstance(details, dict):
        for key, value in details.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(details, list) and details:
        return _first_message(details[0])
    return str(details)


def to_api_error(exc) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, drf.ValidationError):
        details = _flatten_details(exc.detail)
        if isinstance(details, list):
            details = {"non_field_errors": details}
        return ValidationFailed(f"Validation failed: {_first_message(details)}", details=details)
    if isinstance(exc, drf.ParseError):
        return ValidationFailed(f"Malformed request: {exc.detail}")
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return Unauthorized(str(exc.detail))
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return Forbidden(str(getattr(exc, "detail", "")) or None)
    if isinstance(exc, (drf.NotFound, Http404)):
        return NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return MethodNotAllowed(str(exc.detail))
    if isinstance(exc, drf.UnsupportedMediaType):
        return UnsupportedMediaType()
    if isinstance(exc, drf.Throttled):
        return RateLimited(retry_after=int(exc.wait or 1))
    if isinstance(exc, drf.APIException):
        error = ApiError(str(exc.detail))
        error.status = exc.status_code
        error.code = str(exc.default_code).upper()
        return error
    return None


def api_exception_handler(exc, context):
    error = to_api_error(exc) or outage_error(exc)
    if error is None:
        log.exception("Unhandled API error", exc_info=exc)
        error = InternalError()
    return error_response(error, context["request"])
