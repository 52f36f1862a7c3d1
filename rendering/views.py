"""Serves render outputs from local storage (with S3 the bucket serves them). Names are
content-addressed, so a file never changes: cached for a year, immutable."""
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.views.decorators.http import require_safe

from rendering.storage import CACHE_CONTROL, CONTENT_TYPES, NAME_RE, is_local


@require_safe
def render_output(request, name: str):
    if not NAME_RE.match(name) or not is_local():
        raise Http404()
    etag = '"' + name.rsplit("/", 1)[1].split(".")[0] + '"'
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404()
    if request.headers.get("If-None-Match") == etag:
        handle.close()
        response = HttpResponseNotModified()
    else:
        response = FileResponse(handle, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["Access-Control-Allow-Origin"] = "*"
    return response
