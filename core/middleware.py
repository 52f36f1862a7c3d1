"""Request-wide rules: request ids, framing policy, the API's body rules and rate-limit headers."""
import json
import os
import re
import tempfile

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest

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
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        multipart_allowed = any(request.path.rstrip("/") == p for p in settings.API_MULTIPART_PATHS)
        upload = content_type == "multipart/form-data" and multipart_allowed
        limit = upload_limit() if upload else settings.API_MAX_JSON_BYTES
        if chunked and not request.META.get("CONTENT_LENGTH") and buffer_unsized_body(request, limit) is None:
            return too_large(upload)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if upload:
            return too_large(upload) if length > limit else None
        if length == 0 and not content_type:
            return None
        if content_type != "application/json":
            expected = "application/json or multipart/form-data" if multipart_allowed else "application/json"
            return UnsupportedMediaType(f"Content-Type must be {expected}.")
        return too_large(upload) if length > limit else None


def upload_limit() -> int:
    """The most bytes an upload request may have: the file cap plus room for the multipart framing."""
    return settings.API_MAX_UPLOAD_BYTES + 64 * 1024


def too_large(upload: bool) -> PayloadTooLarge:
    if upload:
        return PayloadTooLarge(f"Upload exceeds {settings.API_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    return PayloadTooLarge(f"JSON body exceeds {settings.API_MAX_JSON_BYTES // 1024} KB.")


def buffer_unsized_body(request, limit: int) -> int | None:
    """A body sent without Content-Length (Transfer-Encoding: chunked): measure it — None past `limit`
    bytes — and give the request a CONTENT_LENGTH, without which Django's multipart parser reads
    nothing ("file is required"). The ASGI handler has already spooled the whole body to a file
    (AsgiBodyLimit stops it at the limit); under WSGI it is read here, at most limit + 1 bytes."""
    if isinstance(request, ASGIRequest):
        body = request._stream
        body.seek(0, os.SEEK_END)
        size = body.tell()
        body.seek(0)
    else:
        source = request.META["wsgi.input"]
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
        size = 0
        while size <= limit:
            chunk = source.read(min(64 * 1024, limit + 1 - size))
            if not chunk:
                break
            body.write(chunk)
            size += len(chunk)
        body.seek(0)
        request._stream = body
    if size > limit:
        return None
    request.META["CONTENT_LENGTH"] = str(size)
    return size


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


class AsgiBodyLimit:
    """ASGI wrapper around Django: Django's ASGI handler spools a whole request body to disk before
    any middleware sees it, whatever its size. This answers 413 for a declared Content-Length past
    the largest body we accept without reading it, and cuts a chunked body off at that size."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = max(upload_limit(), settings.API_MAX_JSON_BYTES)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._too_large(scope, send)
        received, cut, started = 0, False, False

        async def limited_receive():
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True  # Django reads a disconnect, drops the body and answers nothing
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, watched_send)
        if cut and not started:
            await self._too_large(scope, send)

    @staticmethod
    async def _too_large(scope, send):
        request_id = new_id("req")
        upload = scope.get("path", "").rstrip("/") in settings.API_MULTIPART_PATHS
        error = too_large(upload)
        body = json.dumps({"success": False, "error": error.message, "code": error.code,
                           "requestId": request_id}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
