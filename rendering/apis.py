"""POST /api/render/generate and /api/render/generations (contract §4)."""
from typing import cast

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import RenderFailed
from core.pagination import paginated_response
from projects.selectors import project_get
from rendering import idempotency
from rendering.models import GenerationSource, GenerationStatus
from rendering.selectors import generation_get, generation_list
from rendering.serializers import generation_to_dict, image_url_of, server_timing
from rendering.services import generation_cancel, generation_create, generation_delete
from rendering.validation import parse_generate_body
from rendering.video.services import video_options, video_plan
from rendering.waiting import generation_wait

OUTPUT_FORMATS = ["png", "jpeg", "webp", "mp4", "webm", "gif"]
TIMINGS_SCHEMA = inline_serializer("RenderTimings", {
    phase: serializers.FloatField() for phase in ("queue", "fetch", "layout", "capture", "encode", "store", "total")
})
WARNING_SCHEMA = inline_serializer("RenderWarning", {
    "code": serializers.ChoiceField(["TEXT_OVERFLOW", "TEXT_FITTED", "IMAGE_FALLBACK", "FONT_FALLBACK"]),
    "elementId": serializers.CharField(required=False),
    "message": serializers.CharField(),
})
GENERATION_SCHEMA = inline_serializer("Generation", {
    "generationId": serializers.CharField(),
    "status": serializers.ChoiceField(GenerationStatus.values),
    "projectId": serializers.CharField(allow_null=True),
    "source": serializers.ChoiceField(GenerationSource.values),
    "imageUrl": serializers.URLField(required=False),
    "videoUrl": serializers.URLField(required=False, help_text="Videos, once completed."),
    "progress": serializers.FloatField(required=False, help_text="Videos: 0–1, the share of frames rendered."),
    "framesDone": serializers.IntegerField(required=False, help_text="Videos: frames rendered so far."),
    "frames": serializers.IntegerField(required=False, help_text="Videos: frames in the video."),
    "fps": serializers.IntegerField(required=False, help_text="Videos: frames per second."),
    "durationMs": serializers.FloatField(required=False, help_text="Videos: length in ms (frames ÷ fps)."),
    "width": serializers.IntegerField(),
    "height": serializers.IntegerField(),
    "format": serializers.ChoiceField(OUTPUT_FORMATS),
    "quality": serializers.IntegerField(),
    "backgroundColor": serializers.CharField(allow_null=True),
    "creditsUsed": serializers.IntegerField(help_text="Credits taken: set when the render succeeds, else 0."),
    "creditsHeld": serializers.IntegerField(help_text="Credits held while pending or processing (given back "
                                                      "on failure or cancel), else 0."),
    "error": serializers.CharField(required=False),
    "errorCode": serializers.CharField(required=False),
    "metadata": serializers.DictField(),
    "createdAt": serializers.DateTimeField(),
    "startedAt": serializers.DateTimeField(allow_null=True),
    "completedAt": serializers.DateTimeField(allow_null=True),
    "renderMs": serializers.IntegerField(allow_null=True),
    "timings": TIMINGS_SCHEMA,
    "warnings": serializers.ListField(child=serializers.DictField()),
})
ERROR_SCHEMA = inline_serializer("RenderError", {
    "success": serializers.BooleanField(), "error": serializers.CharField(), "code": serializers.CharField(),
    "requestId": serializers.CharField(), "details": serializers.DictField(required=False),
})


def status_url(generation_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/render/generations/{generation_id}"


class GenerateApi(APIView):
    required_scope = "render-only"

    class GenerateRequest(serializers.Serializer):
        """For the schema; the body is checked strictly by rendering.validation."""

        projectId = serializers.UUIDField(required=False, help_text="Template id. Exactly one of projectId and html.")
        html = serializers.CharField(required=False, help_text="Inline HTML to render instead of a template.")
        data = serializers.DictField(required=False, help_text='Dynamic values: "<key>.text" / "<key>.img".')
        width = serializers.IntegerField(
            required=False, min_value=1, max_value=4096,
            help_text="Output width in px (default: the template's; 1080 for html). The template is scaled, never "
                      "cropped; a size of another ratio than the template's is placed by fit.")
        height = serializers.IntegerField(
            required=False, min_value=1, max_value=4096,
            help_text="Output height in px (default: the template's; 1080 for html).")
        scale = serializers.FloatField(
            required=False, min_value=0,
            help_text="Templates only, instead of width/height: the template's size times this (2 for retina).")
        fit = serializers.ChoiceField(
            ("contain", "cover"), required=False, default="contain",
            help_text="When width and height have another ratio than the template's: contain shows all of it with "
                      "bands of its background colour, cover fills the size and crops the edges (centred). "
                      "Either way the render warns ASPECT_RATIO_CHANGED.")
        format = serializers.ChoiceField(OUTPUT_FORMATS, required=False, default="png",
                                         help_text="An image, or a video of the animated template (docs: video): "
                                                   "mp4 (H.264), webm (VP9, alpha) or gif — always answered 202.")
        quality = serializers.IntegerField(required=False, min_value=1, max_value=100, default=90,
                                           help_text="Ignored for png. Videos: the encoder's quality (gif: palette size).")
        fps = serializers.IntegerField(required=False, min_value=1, max_value=60,
                                       help_text="Videos only: frames per second (default: the template's fps, else 30).")
        backgroundColor = serializers.CharField(required=False, help_text="CSS colour; `transparent` forces PNG with alpha.")
        # "async" is a Python keyword: declared below.
        metadata = serializers.DictField(required=False, help_text="Up to 4 KB, echoed in webhooks and the record.")

    GenerateRequest._declared_fields["async"] = serializers.BooleanField(
        required=False, default=False, help_text="Answer 202 at once instead of waiting for the image."
    )

    @extend_schema(
        summary="Render a template (or inline html) into an image",
        tags=["Rendering"],
        request=GenerateRequest,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                                     description="≤ 255 chars; the same key and body within 24 h replays the first answer.")],
        responses={
            200: inline_serializer("GenerateDone", {
                "success": serializers.BooleanField(), "imageUrl": serializers.URLField(),
                "width": serializers.IntegerField(), "height": serializers.IntegerField(),
                "format": serializers.CharField(), "creditsUsed": serializers.IntegerField(),
                "creditsRemaining": serializers.IntegerField(), "generationId": serializers.CharField(),
                "timings": TIMINGS_SCHEMA, "warnings": serializers.ListField(child=serializers.DictField()),
            }),
            202: inline_serializer("GenerateAccepted", {
                "success": serializers.BooleanField(), "generationId": serializers.CharField(),
                "status": serializers.ChoiceField(["pending", "processing"]), "statusUrl": serializers.URLField(),
                "format": serializers.CharField(required=False, help_text="Videos: mp4, webm or gif."),
                "fps": serializers.IntegerField(required=False), "frames": serializers.IntegerField(required=False),
                "durationMs": serializers.FloatField(required=False),
                "creditsUsed": serializers.IntegerField(required=False, help_text="Videos: 0 until the video succeeds."),
                "creditsHeld": serializers.IntegerField(required=False,
                                                        help_text="Videos: the credits held (per started second)."),
                "creditsRemaining": serializers.IntegerField(required=False),
            }),
            400: ERROR_SCHEMA, 402: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA, 429: ERROR_SCHEMA,
            500: ERROR_SCHEMA,
        },
    )
    def post(self, request):
        return idempotency.idempotent_response(request, request_hash=idempotency.body_hash(request.data),
                                               run=lambda key: self.generate(request, idempotency_key=key))

    def generate(self, request, idempotency_key: str | None = None) -> Response:
        body = parse_generate_body(request.data)
        project = None
        if body.project_id:
            project = project_get(account=request.user, credential=request.auth, project_id=body.project_id)
        options = body.options(project=project)
        video, credits = None, 1
        if body.video is not None:  # planned against the template: duration, fps, size limit, credits
            video, credits = video_plan(project=project, video=body.video, width=options.width, height=options.height)
        generation = generation_create(
            account=request.user, credential=request.auth, project=project, html=body.html, data=body.data,
            options=options, metadata=body.metadata, idempotency_key=idempotency_key,
            source=cast(str, GenerationSource.API), video=video, credits=credits,
        )
        if video is not None:  # always asynchronous
            return Response(
                {"success": True, "generationId": generation.id, "status": generation.status,
                 "statusUrl": status_url(generation.id), "format": video["format"], "fps": video["fps"],
                 "frames": video["frames"], "durationMs": video["durationMs"],
                 "creditsUsed": 0, "creditsHeld": generation.credits_used,
                 "creditsRemaining": generation.credits_remaining},
                status=202, headers={"Location": status_url(generation.id)},
            )
        if not body.run_async:
            generation = generation_wait(generation, settings.RENDER_SYNC_TIMEOUT)
        if generation.status == GenerationStatus.COMPLETED:
            return Response(
                {
                    "success": True,
                    "imageUrl": image_url_of(generation),
                    "width": generation.width,
                    "height": generation.height,
                    "format": generation.format,
                    "creditsUsed": generation.credits_used,
                    "creditsRemaining": generation.credits_remaining,
                    "generationId": generation.id,
                    "timings": generation.timings,
                    "warnings": generation.warnings,
                },
                headers={"Server-Timing": server_timing(generation.timings)},
            )
        if generation.status == GenerationStatus.FAILED:
            raise RenderFailed(
                generation.error or None,
                extra={"generationId": generation.id, "creditsUsed": 0, "statusUrl": status_url(generation.id)},
            )
        return Response(
            {"success": True, "generationId": generation.id, "status": generation.status,
             "statusUrl": status_url(generation.id)},
            status=202,
            headers={"Location": status_url(generation.id)},
        )


class GenerationListApi(APIView):
    required_scope = "read-only"

    @extend_schema(
        summary="List generations (newest first)", tags=["Rendering"], operation_id="render_generations_list",
        parameters=[
            OpenApiParameter("page", int), OpenApiParameter("limit", int, description="≤ 100"),
            OpenApiParameter("status", str, enum=GenerationStatus.values),
            OpenApiParameter("projectId", str),
        ],
        responses=inline_serializer("GenerationList", {
            "success": serializers.BooleanField(), "generations": serializers.ListField(child=GENERATION_SCHEMA),
            "pagination": serializers.DictField(),
        }),
    )
    def get(self, request):
        rows = generation_list(
            account=request.user, credential=request.auth,
            status=request.query_params.get("status") or None,
            project_id=request.query_params.get("projectId") or None,
        )
        return paginated_response(request, rows, key="generations", serialize=generation_to_dict)


class GenerationDetailApi(APIView):
    required_scope = {"GET": "read-only", "DELETE": "full-access"}

    @extend_schema(summary="One generation", tags=["Rendering"], operation_id="render_generation_retrieve",
                   responses={200: GENERATION_SCHEMA, 404: ERROR_SCHEMA})
    def get(self, request, generation_id: str):
        generation = generation_get(account=request.user, credential=request.auth, generation_id=generation_id)
        return Response({"success": True, **generation_to_dict(generation)})

    @extend_schema(summary="Delete a finished generation and its image", tags=["Rendering"], request=None,
                   responses={200: OpenApiResponse(description="Deleted; the imageUrl stops working."),
                              404: ERROR_SCHEMA, 409: ERROR_SCHEMA})
    def delete(self, request, generation_id: str):
        generation = generation_get(account=request.user, credential=request.auth, generation_id=generation_id)
        generation_delete(generation=generation)
        return Response({"success": True, "generationId": generation_id, "deleted": True})


class GenerationCancelApi(APIView):
    required_scope = "render-only"

    @extend_schema(summary="Cancel a pending generation (refunds its credit)", tags=["Rendering"], request=None,
                   responses={200: GENERATION_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA})
    def post(self, request, generation_id: str):
        generation = generation_get(account=request.user, credential=request.auth, generation_id=generation_id)
        generation = generation_cancel(generation=generation)
        return Response({"success": True, **generation_to_dict(generation)})


class VideoOptionsApi(APIView):
    required_scope = "read-only"

    @extend_schema(
        summary="What video renders accept: formats, fps, quality, limits and the credits per second",
        tags=["Rendering"],
        responses=inline_serializer("VideoOptions", {
            "success": serializers.BooleanField(),
            "formats": serializers.ListField(child=inline_serializer("VideoFormat", {
                "format": serializers.CharField(), "mimeType": serializers.CharField(),
                "codec": serializers.CharField(), "alpha": serializers.BooleanField(),
            })),
            "fps": serializers.DictField(), "quality": serializers.DictField(),
            "maxDurationMs": serializers.IntegerField(), "maxWidth": serializers.IntegerField(),
            "maxHeight": serializers.IntegerField(), "creditsPerSecond": serializers.IntegerField(),
            "chunkFrames": serializers.IntegerField(),
        }),
    )
    def get(self, request):
        return Response({"success": True, **video_options()})
