"""GET /api/render/options: what a render request may ask for — formats, quality, canvas limits,
size presets, the fonts the account's templates can use, credit costs and the limits — so a
client (the SDK, the CLI, an agent) validates before it calls. Read-only, computed from settings."""
from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from rendering.engine import FORMATS
from rendering.validation import DEFAULT_QUALITY, MAX_METADATA_BYTES

MIME_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}

# Credits each kind of output costs (a failed or canceled render costs nothing).
CREDIT_COSTS = {
    "render": 1,  # POST /api/render/generate, sync or async
    "batchRow": 1,  # one row of a batch
    "signedUrl": 1,  # the first request of a signed render URL; cached repeats are free
    "signedUrlCached": 0,
    "preview": 0,  # POST /api/render/preview: free, rate-limited
}


def _presets() -> list[dict]:
    from projects.views import PRESETS

    return [{"name": name, "width": width, "height": height} for name, width, height in PRESETS]


def _fonts(account) -> dict:
    from projects.fonts import catalogue
    from projects.selectors import fonts_for
    from projects.serializers import font_to_dict

    return {"bundled": catalogue(), "account": [font_to_dict(font) for font in fonts_for(account=account)]}


def render_options(*, account) -> dict:
    return {
        "formats": [
            {"format": f, "mimeType": MIME_TYPES[f], "supportsQuality": f != "png", "supportsTransparency": f != "jpeg"}
            for f in FORMATS
        ],
        "defaultFormat": "png",
        "quality": {"min": 1, "max": 100, "default": DEFAULT_QUALITY},
        "canvas": {"minWidth": 1, "minHeight": 1, "maxWidth": settings.MAX_CANVAS, "maxHeight": settings.MAX_CANVAS},
        "sizePresets": _presets(),
        "fonts": _fonts(account),
        "credits": dict(CREDIT_COSTS),
        "limits": {
            "requestsPerMinute": settings.API_RATE_LIMIT_PER_MINUTE,
            "rendersInFlight": settings.MAX_RENDERS_IN_FLIGHT,
            "syncTimeoutSeconds": settings.RENDER_SYNC_TIMEOUT,
            "previewsPerMinute": settings.PREVIEW_RATE_PER_MINUTE,
            "previewsPerHour": settings.PREVIEW_RATE_PER_HOUR,
            "maxJsonBytes": settings.API_MAX_JSON_BYTES,
            "maxUploadBytes": settings.API_MAX_UPLOAD_BYTES,
            "maxRemoteImageBytes": settings.MAX_REMOTE_IMAGE_BYTES,
            "maxMetadataBytes": MAX_METADATA_BYTES,
            "idempotencyKeyMaxLength": 255,
            "maxActiveTokens": settings.MAX_ACTIVE_TOKENS,
        },
    }


_INT = serializers.IntegerField
RenderOptionsOut = inline_serializer("RenderOptions", {
    "success": serializers.BooleanField(),
    "formats": inline_serializer("RenderFormat", {
        "format": serializers.ChoiceField(FORMATS), "mimeType": serializers.CharField(),
        "supportsQuality": serializers.BooleanField(), "supportsTransparency": serializers.BooleanField(),
    }, many=True),
    "defaultFormat": serializers.ChoiceField(FORMATS),
    "quality": inline_serializer("QualityRange", {"min": _INT(), "max": _INT(), "default": _INT()}),
    "canvas": inline_serializer("CanvasLimits", {"minWidth": _INT(), "minHeight": _INT(), "maxWidth": _INT(),
                                                 "maxHeight": _INT()}),
    "sizePresets": inline_serializer("SizePreset", {"name": serializers.CharField(), "width": _INT(),
                                                    "height": _INT()}, many=True),
    "fonts": inline_serializer("RenderFonts", {
        "bundled": inline_serializer("BundledFont", {
            "family": serializers.CharField(), "category": serializers.CharField(),
            "scripts": serializers.ListField(child=serializers.CharField()),
            "weights": serializers.ListField(child=_INT()), "italic": serializers.BooleanField(),
            "bundled": serializers.BooleanField(),
        }, many=True),
        "account": inline_serializer("AccountFont", {
            "id": serializers.CharField(), "familyName": serializers.CharField(), "weight": _INT(),
            "style": serializers.CharField(), "format": serializers.CharField(), "url": serializers.URLField(),
            "createdAt": serializers.DateTimeField(),
        }, many=True),
    }),
    "credits": inline_serializer("CreditCosts", {name: _INT() for name in CREDIT_COSTS}),
    "limits": inline_serializer("RenderLimits", {name: _INT() for name in (
        "requestsPerMinute", "rendersInFlight", "syncTimeoutSeconds", "previewsPerMinute", "previewsPerHour",
        "maxJsonBytes", "maxUploadBytes", "maxRemoteImageBytes", "maxMetadataBytes", "idempotencyKeyMaxLength",
        "maxActiveTokens")}),
})


class RenderOptionsApi(APIView):
    required_scope = "read-only"

    @extend_schema(
        operation_id="render_options", summary="What a render may ask for (formats, sizes, fonts, costs, limits)",
        tags=["Rendering"],
        description="Read-only discovery for clients that validate before they call: output formats, the quality "
                    "range, canvas limits and size presets, the bundled font families and the account's uploaded "
                    "fonts, the credits each kind of output costs, and the request, in-flight, payload and upload "
                    "limits.",
        responses={200: RenderOptionsOut, 401: OpenApiResponse(description="UNAUTHORIZED")},
    )
    def get(self, request):
        return Response({"success": True, **render_options(account=request.user)})
