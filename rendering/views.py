"""Serves render outputs from local storage (with S3 the bucket serves them). Names are
content-addressed, so a file never changes: cached for a year, immutable. The headers every
image door sends (outputs, previews, signed URLs) and their ETag check live here once."""
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.views.decorators.http import require_safe

from rendering.storage import CACHE_CONTROL, CONTENT_TYPES, NAME_RE, is_local


def image_headers(response, *, cache_control: str, etag: str | None = None) -> None:
    response["Cache-Control"] = cache_control
    if etag:
        response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["Access-Control-Allow-Origin"] = "*"


def etag_matches(request, etag: str) -> bool:
    """True when the request's If-None-Match names `etag` (or is `*`)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in [tag.strip().removeprefix("W/") for tag in header.split(",")]


@require_safe
def render_output(request, name: str):
    if not NAME_RE.match(name) or not is_local():
        raise Http404()
    etag = '"' + name.rsplit("/", 1)[1].split(".")[0] + '"'
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404()
    if etag_matches(request, etag):
        handle.close()
        response = HttpResponseNotModified()
    else:
        response = FileResponse(handle, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    image_headers(response, cache_control=CACHE_CONTROL, etag=etag)
    return response
