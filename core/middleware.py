"""Request-wide rules: request ids, framing policy, the API's body rules and rate-limit headers."""
import re

from django.conf import settings

from core.errors import PayloadTooLarge, UnsupportedMediaType, error_json_response, outage_error
from core.ids import new_id

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


class RequestIdMiddleware:
    """Every response carries X-Request-Id (a caller's own sane id is kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else new_id("req")
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class FramingPolicyMiddleware:
    """No page of ours may be framed, except views that set their own `frame-ancestors`
    (the embedded Studio, which admits only the embed session's allowed origins)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        csp = response.get("Content-Security-Policy", "")
        if "frame-ancestors" not in csp:
            response["Content-Security-Policy"] = (csp + "; " if csp else "") + "frame-ancestors 'none'"
            if not response.has_header("X-Frame-Options"):
                response["X-Frame-Options"] = "DENY"
        return response


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class ApiRequestGuardMiddleware:
    """415 for a body that isn't JSON (multipart only on upload paths), 413 past the size caps.
    A POST with no body at all (cancel, roll, test…) needs no Content-Type."""

    BODY_METHODS = {"POST", "PUT", "PATCH"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_api(request.path) and request.method in self.BODY_METHODS:
            error = self.check(request)
            if error is not None:
                return error_json_response(error, request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """An API view outside DRF that meets a database or Redis outage answers the 503 envelope too."""
        if _is_api(request.path):
            error = outage_error(exception)
            if error is not None:
                return error_json_response(error, request)
        return None

    def check(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        has_body = length > 0 or chunked
        multipart_allowed = any(request.path.rstrip("/") == p for p in settings.API_MULTIPART_PATHS)
        if content_type == "multipart/form-data" and multipart_allowed:
            if length > settings.API_MAX_UPLOAD_BYTES + 64 * 1024:
                return PayloadTooLarge(f"Upload exceeds {settings.API_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            return None
        if not has_body and not content_type:
            return None
        if content_type != "application/json":
            expected = "application/json or multipart/form-data" if multipart_allowed else "application/json"
            return UnsupportedMediaType(f"Content-Type must be {expected}.")
        if length > settings.API_MAX_JSON_BYTES:
            return PayloadTooLarge(f"JSON body exceeds {settings.API_MAX_JSON_BYTES // 1024} KB.")
        if chunked:
            body = request.read(settings.API_MAX_JSON_BYTES + 1)
            if len(body) > settings.API_MAX_JSON_BYTES:
                return PayloadTooLarge(f"JSON body exceeds {settings.API_MAX_JSON_BYTES // 1024} KB.")
            request._body = body
        return None


class RateLimitHeadersMiddleware:
    """Copies the account-wide limit's state, set by the throttle, onto every API response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "audome_ratelimit", None)
        if state is not None:
            response["X-RateLimit-Limit"] = str(state.limit)
            response["X-RateLimit-Remaining"] = str(state.remaining)
            response["X-RateLimit-Reset"] = str(state.reset)
        return response
