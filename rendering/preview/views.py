"""GET /r/<projectId>.<png|jpg|webp>?…&s=… (signed render URLs, no token) and the local-storage
door for preview files (/media/previews/…; with S3 the bucket serves them)."""
import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from core.errors import ApiError, InternalError, error_json_response
from rendering.preview import cache, signed
from rendering.storage import is_local

IMMUTABLE = "public, max-age=31536000, immutable"
PREVIEW_NAME_RE = re.compile(r"^previews/[0-9a-f-]{36}/preview-[0-9a-f]{64}\.webp$")


def _image_headers(response, *, cache_control: str, etag: str | None = None) -> None:
    response["Cache-Control"] = cache_control
    if etag:
        response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["Access-Control-Allow-Origin"] = "*"


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


@require_safe
def signed_render(request, project_id: str, ext: str):
    try:
        project, data, options = signed.signed_request_check(
            path=request.path, project_id=project_id, ext=ext, query_string=request.META.get("QUERY_STRING", ""),
        )
        for attempt in range(2):
            output = signed.signed_render(project=project, data=data, options=options)
            if _etag_matches(request, output.etag):
                response = HttpResponseNotModified()
                break
            try:
                with default_storage.open(output.name, "rb") as handle:
                    response = HttpResponse(handle.read(), content_type=output.content_type)
                break
            except FileNotFoundError:  # its generation was deleted: render it again
                signed.signed_forget(output.key)
                if attempt:
                    raise
    except ApiError as error:
        return error_json_response(error, request)
    except FileNotFoundError:
        return error_json_response(InternalError("The rendered image is missing; retry."), request)
    _image_headers(response, cache_control=IMMUTABLE, etag=output.etag)
    response["X-Audome-Cache"] = "hit" if output.cached else "miss"
    return response


@require_safe
def preview_file(request, name: str):
    if not PREVIEW_NAME_RE.match(name) or not is_local():
        raise Http404()
    digest = cache.digest_of_file(name)
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404()
    etag = f'"{digest}"'
    if _etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="image/webp")
    _image_headers(response, cache_control="public, max-age=3600", etag=etag)
    return response
