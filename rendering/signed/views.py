"""GET /r/<projectId>.<png|jpg|webp>?…&s=… — a signed render URL, no token: the image, or the
contract's JSON error (404 project, 403 signature, 410 expired, 400 parameters)."""
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from core.errors import ApiError, InternalError, error_json_response
from rendering.signed import services
from rendering.storage import CACHE_CONTROL
from rendering.views import etag_matches, image_headers


@require_safe
def signed_render(request, project_id: str, ext: str):
    try:
        project, data, options = services.signed_request_check(
            path=request.path, project_id=project_id, ext=ext, query_string=request.META.get("QUERY_STRING", ""),
        )
        for attempt in range(2):
            output = services.signed_render(project=project, data=data, options=options)
            if etag_matches(request, output.etag):
                response = HttpResponseNotModified()
                break
            try:
                with default_storage.open(output.name, "rb") as handle:
                    response = HttpResponse(handle.read(), content_type=output.content_type)
                break
            except FileNotFoundError:  # its generation was deleted: render it again
                services.signed_forget(output.key)
                if attempt:
                    raise
    except ApiError as error:
        return error_json_response(error, request)
    except FileNotFoundError:
        return error_json_response(InternalError("The rendered image is missing; retry."), request)
    image_headers(response, cache_control=CACHE_CONTROL, etag=output.etag)
    response["X-Audome-Cache"] = "hit" if output.cached else "miss"
    return response
