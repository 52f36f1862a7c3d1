"""The local-storage door for preview files (/media/previews/…; with S3 the bucket serves them)."""
import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from rendering.preview import cache
from rendering.storage import is_local
from rendering.views import etag_matches, image_headers

PREVIEW_NAME_RE = re.compile(r"^previews/[0-9a-f-]{36}/preview-[0-9a-f]{64}\.(webp|png)$")  # png: video frames


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
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="image/png" if name.endswith(".png") else "image/webp")
    image_headers(response, cache_control="public, max-age=3600", etag=etag)
    return response
