"""POST /api/render/preview (contract §4).

The preview endpoint keeps the docs' lowercase `error` values (`missing_projectId`,
`unauthorized`, `forbidden`, `project_not_found`, `rate_limited`, `preview_busy`,
`render_failed`) next to the contract's uppercase `code`; the human sentence moves to `message`.
A database or Redis outage (503 SERVICE_UNAVAILABLE, docs/errors) is `service_unavailable` in the
same style, with the `retryAfter` a 503 `preview_busy` has, so a client's 503 handling fits both."""
import dataclasses
import logging
import time
from typing import cast

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import RateLimited, ValidationFailed
from rendering.preview import services
from rendering.preview.ratelimit import PreviewLimit, now_ms
from rendering.storage import absolute_url
from rendering.video.services import frame_of

log = logging.getLogger(__name__)

# contract code → the docs' lowercase error value
ERROR_VALUES = {
    "UNAUTHORIZED": "unauthorized",
    "FORBIDDEN": "forbidden",
    "PROJECT_NOT_FOUND": "project_not_found",
    "RATE_LIMITED": "rate_limited",
    "PREVIEW_BUSY": "preview_busy",
    "RENDER_FAILED": "render_failed",
    "SERVICE_UNAVAILABLE": "service_unavailable",
}


class MissingProjectId(ValidationFailed):
    message = "projectId is required."


RATE_LIMIT_SCHEMA = inline_serializer("PreviewRateLimit", {
    "remaining": serializers.IntegerField(help_text="Previews left now (the minute bucket)."),
    "resetAt": serializers.IntegerField(help_text="Unix ms when the minute bucket refills."),
})
PREVIEW_ERROR_SCHEMA = inline_serializer("PreviewError", {
    "success": serializers.BooleanField(),
    "error": serializers.CharField(help_text="missing_projectId | unauthorized | forbidden | project_not_found | "
                                             "rate_limited | preview_busy | render_failed | service_unavailable (or a sentence for other 400s)"),
    "code": serializers.CharField(help_text="The contract's uppercase code, e.g. RATE_LIMITED."),
    "message": serializers.CharField(help_text="Human readable explanation."),
    "requestId": serializers.CharField(),
    "retryAfter": serializers.IntegerField(required=False, help_text="Seconds (429 and 503)."),
    "rateLimit": RATE_LIMIT_SCHEMA,
    "details": serializers.DictField(required=False),
})


class PreviewApi(APIView):
    required_scope = "render-only"

    class PreviewInputSerializer(serializers.Serializer):
        projectId = serializers.UUIDField(help_text="The template to preview.")
        data = serializers.DictField(required=False, help_text='Dynamic values: "<key>.text" / "<key>.img".')
        frameMs = serializers.FloatField(required=False, min_value=0, help_text=(
            "A video frame preview: the frame of the animated template at this time (ms, rounded down to a frame "
            "of its fps) as a full-size PNG — the same pixels the video render encodes (docs: video)."))

    @extend_schema(
        summary="Render a free, cached preview (WebP q70) of a template",
        description=(
            "Same renderer and document as /api/render/generate, encoded as WebP at quality 70 at the "
            "template's size. Free (no credits). Cached for 1 h by sha256(projectId + canonical(data) + "
            "updatedAt + WxH), at most 1 000 entries (LRU). Limits per account: 30/min and 200/h "
            "(token buckets); 429 carries Retry-After, X-RateLimit-Limit-Minute, X-RateLimit-Limit-Hour and "
            "X-RateLimit-Reset (Unix ms). Previews run on their own queue and never take a /generate slot; "
            "one that waits 30 s for a slot answers 503 preview_busy."
        ),
        tags=["Rendering"],
        request=PreviewInputSerializer,
        responses={
            200: inline_serializer("PreviewResponse", {
                "success": serializers.BooleanField(),
                "previewUrl": serializers.URLField(help_text="WebP image, valid until expiresAt."),
                "expiresAt": serializers.IntegerField(help_text="Unix ms when the cached entry expires."),
                "watermarked": serializers.BooleanField(help_text="Always false."),
                "lowRes": serializers.BooleanField(help_text="True: WebP q70 instead of full quality; false for a "
                                                             "frame preview (lossless PNG)."),
                "frameMs": serializers.FloatField(required=False, help_text="Frame previews: the frame's time (ms)."),
                "frame": serializers.IntegerField(required=False, help_text="Frame previews: the frame's index."),
                "cached": serializers.BooleanField(help_text="True when served from the cache."),
                "rateLimit": RATE_LIMIT_SCHEMA,
                "generationTime": serializers.IntegerField(required=False,
                                                           help_text="Render time in ms (absent on a cache hit)."),
            }),
            400: PREVIEW_ERROR_SCHEMA, 401: PREVIEW_ERROR_SCHEMA, 403: PREVIEW_ERROR_SCHEMA,
            404: PREVIEW_ERROR_SCHEMA, 429: PREVIEW_ERROR_SCHEMA, 500: PREVIEW_ERROR_SCHEMA,
            503: PREVIEW_ERROR_SCHEMA,
        },
        examples=[OpenApiExample("Preview", request_only=True,
                                 value={"projectId": "7d0c…", "data": {"title.text": "Hello"}})],
    )
    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            raise ValidationFailed("The body must be a JSON object.")
        project_id = body.get("projectId")
        if not isinstance(project_id, str) or not project_id.strip():
            raise MissingProjectId("projectId is required.", details={"projectId": ["Required: the template id."]})
        data = body.get("data")
        if data is None:
            data = {}
        project = services.project_for_preview(account=request.user, credential=request.auth,
                                               project_id=project_id.strip())
        from projects.document import validate_data

        validate_data(project.document, data)
        framed = frame_of(project.document, body.get("frameMs"))  # a video frame preview, or None
        frame, frame_ms = framed if framed else (None, None)
        limit, entry = services.preview_limit_and_lookup(account=request.user, project=project, data=data,
                                                         frame_ms=frame_ms)
        if not limit.allowed:
            _keep_reset_in_ms(request._request, limit.reset_at)
            raise RateLimited(
                f"Preview rate limit reached ({limit.minute_limit}/min, {limit.hour_limit}/h); "
                f"retry in {limit.retry_after} s.",
                retry_after=limit.retry_after, headers=limit.headers(),
                extra={"retryAfter": limit.retry_after, "rateLimit": limit.as_body()},
            )
        outcome = services.preview_get(account=request.user, project=project, data=data, entry=entry,
                                       frame_ms=frame_ms)
        entry = outcome.entry
        answer = {
            "success": True,
            "previewUrl": absolute_url(entry["name"]),
            "expiresAt": entry["expiresAt"],
            "watermarked": False,
            "lowRes": frame is None,
            "cached": outcome.cached,
            "rateLimit": limit.as_body(),
            **(frame or {}),
        }
        if not outcome.cached:
            answer["generationTime"] = entry["generationTime"]
        headers = {k: v for k, v in limit.headers().items() if k != "X-RateLimit-Reset"}
        return Response(answer, headers=headers)

    def dispatch(self, request, *args, **kwargs):
        started = time.perf_counter()
        self._auth_ms = None
        response = super().dispatch(request, *args, **kwargs)
        # Time spent in the view, authentication and limits included (the bench reads it).
        timing = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        if self._auth_ms is not None:
            timing += f", auth;dur={self._auth_ms:.2f}"
        response["Server-Timing"] = timing
        return response

    def initial(self, request, *args, **kwargs):
        started = time.perf_counter()
        super().initial(request, *args, **kwargs)  # authentication, scope, account-wide rate limit
        self._auth_ms = (time.perf_counter() - started) * 1000

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        body = response.data
        if not isinstance(body, dict) or body.get("success") is not False:
            return response
        code = cast(str, body.get("code"))  # every error envelope carries its code
        value = "missing_projectId" if isinstance(exc, MissingProjectId) else ERROR_VALUES.get(code)
        if code == "INTERNAL_ERROR":  # an unexpected error: the docs call every 500 render_failed
            body["code"], value = "RENDER_FAILED", "render_failed"
        if value:
            body["message"] = body.get("error")
            body["error"] = value
        if code == "SERVICE_UNAVAILABLE" and "retryAfter" not in body:
            body["retryAfter"] = int(response.headers.get("Retry-After") or 5)
        if code == "RATE_LIMITED" and "retryAfter" not in body:  # the account-wide API limit
            # Told like a preview bucket's refusal: the same body fields and headers, reset in ms.
            retry_after = int(response.headers.get("Retry-After") or 1)
            state = getattr(self.request._request, "audome_ratelimit", None)
            refused = PreviewLimit(
                allowed=False, remaining=0, retry_after=retry_after,
                reset_at=int(state.reset) * 1000 if state is not None else now_ms() + retry_after * 1000,
                minute_limit=settings.PREVIEW_RATE_PER_MINUTE, hour_limit=settings.PREVIEW_RATE_PER_HOUR,
            )
            body["retryAfter"] = retry_after
            body["rateLimit"] = refused.as_body()
            for name, value in refused.headers().items():
                response[name] = value
            _keep_reset_in_ms(self.request._request, refused.reset_at)
        return response


def _keep_reset_in_ms(django_request, reset_ms: int) -> None:
    """The account-wide headers middleware writes X-RateLimit-Reset from the request's limit
    state: give it the preview's reset (Unix ms), so a preview 429's header matches its body."""
    state = getattr(django_request, "audome_ratelimit", None)
    if state is not None:
        django_request.audome_ratelimit = dataclasses.replace(state, reset=reset_ms)
