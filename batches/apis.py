"""/api/render/batches: start a batch (JSON rows or a CSV/XLSX upload), its history, one
batch with its rows, cancel, retry the failed rows, download the ZIP (issue #13)."""
import hashlib
from typing import cast

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.archive import zip_chunks, zip_chunks_async
from batches.models import BatchSource, BatchStatus
from batches.processing import batch_cancel
from batches.selectors import ROW_STATUSES, batch_get, batch_list, batch_rows, row_counts
from batches.serializers import batch_to_dict, row_to_dict, status_url
from batches.services import batch_create, batch_retry
from batches.validation import parse_form_body, parse_json_body
from core.pagination import paginated_response
from projects.selectors import project_get
from rendering import idempotency

COUNTS_SCHEMA = inline_serializer("BatchCounts", {
    name: serializers.IntegerField() for name in ("total", "done", "failed", "canceled", "pending", "processing")
})
BATCH_FIELDS = {
    "batchId": serializers.CharField(),
    "status": serializers.ChoiceField(BatchStatus.values),
    "projectId": serializers.CharField(),
    "projectIds": serializers.ListField(child=serializers.CharField()),
    "format": serializers.ChoiceField(["png", "jpeg", "webp"]),
    "quality": serializers.IntegerField(),
    "notifyEachRow": serializers.BooleanField(),
    "source": serializers.ChoiceField(BatchSource.values),
    "counts": COUNTS_SCHEMA,
    "progress": serializers.FloatField(help_text="Finished rows / total, 0…1."),
    "creditsReserved": serializers.IntegerField(),
    "retryOf": serializers.CharField(allow_null=True),
    "createdAt": serializers.DateTimeField(),
    "canceledAt": serializers.DateTimeField(allow_null=True),
    "completedAt": serializers.DateTimeField(allow_null=True),
    "downloadUrl": serializers.URLField(),
}
BATCH_SCHEMA = inline_serializer("Batch", BATCH_FIELDS)
ROW_SCHEMA = inline_serializer("BatchRow", {
    "row": serializers.IntegerField(), "projectId": serializers.CharField(),
    "generationId": serializers.CharField(allow_null=True), "status": serializers.ChoiceField(ROW_STATUSES),
    "imageUrl": serializers.URLField(allow_null=True), "error": serializers.CharField(allow_null=True),
    "format": serializers.CharField(), "metadata": serializers.DictField(),
})
PAGINATION_SCHEMA = inline_serializer("BatchPagination", {
    name: serializers.IntegerField() for name in ("page", "limit", "totalCount", "totalPages")
} | {"hasNext": serializers.BooleanField()})
ERROR_SCHEMA = inline_serializer("BatchError", {
    "success": serializers.BooleanField(), "error": serializers.CharField(), "code": serializers.CharField(),
    "requestId": serializers.CharField(), "details": serializers.DictField(required=False),
    "badRows": serializers.ListField(child=serializers.DictField(), required=False,
                                     help_text="400 only: {row, key, message, projectId?} per problem (≤ 100)."),
})


def _request_hash(request) -> str:
    if request.FILES:
        upload = request.FILES.get("file")
        digest = hashlib.sha256()
        for chunk in upload.chunks() if upload is not None else ():
            digest.update(chunk)
        upload is not None and upload.seek(0)
        fields = {key: request.data.getlist(key) for key in request.data.keys() if key != "file"}
        return idempotency.body_hash({"fields": fields, "file": digest.hexdigest()})
    return idempotency.body_hash(request.data)


class BatchListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "render-only"}
    embed_allowed = False
    parser_classes = [JSONParser, MultiPartParser]

    class CreateRequest(serializers.Serializer):
        """For the schema; the body is checked strictly by batches.validation."""

        projectId = serializers.UUIDField(required=False, help_text="The template. Exactly one of projectId / projectIds.")
        projectIds = serializers.ListField(child=serializers.UUIDField(), required=False,
                                           help_text="Several templates (sizes of one design): every row renders in each.")
        rows = serializers.ListField(child=serializers.DictField(), required=False, help_text=(
            'JSON: [{"data": {"title.text": "…", "hero.img": "https://…"}, "metadata"?: {…}, "format"?: "jpeg"}]. '
            "Multipart instead: a `file` (CSV or XLSX) whose columns are `<key>.text` / `<key>.img`."))
        file = serializers.FileField(required=False, help_text="multipart/form-data only: CSV (UTF-8) or XLSX.")
        format = serializers.ChoiceField(["png", "jpeg", "webp"], required=False, default="png")
        quality = serializers.IntegerField(required=False, min_value=1, max_value=100, default=90)
        notifyEachRow = serializers.BooleanField(required=False, default=False,
                                                 help_text="Also send render.completed / render.failed per row.")

    @extend_schema(summary="List batches (newest first)", tags=["Batches"], operation_id="render_batches_list",
                   parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int, description="≤ 100"),
                               OpenApiParameter("status", str, enum=BatchStatus.values),
                               OpenApiParameter("projectId", str)],
                   responses=inline_serializer("BatchList", {
                       "success": serializers.BooleanField(), "batches": serializers.ListField(child=BATCH_SCHEMA),
                       "pagination": PAGINATION_SCHEMA}))
    def get(self, request):
        rows = batch_list(account=request.user, status=request.query_params.get("status") or None,
                          project_id=request.query_params.get("projectId") or None)
        response = paginated_response(request, rows, key="batches", serialize=lambda batch: batch)
        batches = response.data["batches"]
        counts = row_counts([batch.id for batch in batches])
        response.data["batches"] = [batch_to_dict(batch, counts[batch.id]) for batch in batches]
        return response

    @extend_schema(
        summary="Start a batch: one template (or several sizes) × up to 5 000 rows", tags=["Batches"],
        operation_id="render_batches_create", request={"application/json": CreateRequest,
                                                       "multipart/form-data": CreateRequest},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                                     description="≤ 255 chars; the same key and body within 24 h replays the first answer.")],
        responses={202: inline_serializer("BatchAccepted", {**BATCH_FIELDS, "success": serializers.BooleanField(),
                                                             "creditsRemaining": serializers.IntegerField(),
                                                             "statusUrl": serializers.URLField()}),
                   400: ERROR_SCHEMA, 402: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA, 413: ERROR_SCHEMA},
    )
    def post(self, request):
        return idempotency.idempotent_response(request, request_hash=_request_hash(request),
                                               run=lambda key: self.create(request, idempotency_key=key))

    def create(self, request, idempotency_key: str | None = None) -> Response:
        if request.content_type.startswith("multipart/"):
            body = parse_form_body(request.data, request.FILES)
        else:
            body = parse_json_body(request.data)
        projects = [project_get(account=request.user, credential=request.auth, project_id=p) for p in body.project_ids]
        source = cast(str, BatchSource.DASHBOARD if getattr(request.auth, "kind", "") == "session" else BatchSource.API)
        batch = batch_create(account=request.user, projects=projects, request=body, idempotency_key=idempotency_key,
                             source=source)
        return _accepted(batch)


def _accepted(batch) -> Response:
    body = {"success": True, **batch_to_dict(batch, {"pending": batch.total}),
            "creditsRemaining": batch.credits_remaining, "statusUrl": status_url(batch.id)}
    return Response(body, status=202, headers={"Location": body["statusUrl"]})


class BatchDetailApi(APIView):
    required_scope = "read-only"
    embed_allowed = False

    @extend_schema(summary="One batch with its rows (paginated)", tags=["Batches"],
                   operation_id="render_batch_retrieve",
                   parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int, description="≤ 100"),
                               OpenApiParameter("status", str, enum=list(ROW_STATUSES),
                                                description="Only rows in this state (e.g. failed).")],
                   responses={200: inline_serializer("BatchDetail", {
                       **BATCH_FIELDS, "success": serializers.BooleanField(),
                       "rows": serializers.ListField(child=ROW_SCHEMA), "pagination": PAGINATION_SCHEMA}),
                       404: ERROR_SCHEMA})
    def get(self, request, batch_id: str):
        batch = batch_get(account=request.user, batch_id=batch_id)
        rows = batch_rows(batch=batch, status=request.query_params.get("status") or None)
        return paginated_response(request, rows, key="rows", serialize=row_to_dict,
                                  extra=batch_to_dict(batch, row_counts([batch.id])[batch.id]))


class BatchCancelApi(APIView):
    required_scope = "render-only"
    embed_allowed = False

    @extend_schema(summary="Cancel a batch: rows not started are canceled and refunded", tags=["Batches"],
                   request=None, responses={200: BATCH_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA})
    def post(self, request, batch_id: str):
        batch = batch_cancel(batch=batch_get(account=request.user, batch_id=batch_id))
        return Response({"success": True, **batch_to_dict(batch, row_counts([batch.id])[batch.id])})


class BatchRetryApi(APIView):
    required_scope = "render-only"
    embed_allowed = False

    @extend_schema(summary="Retry a finished batch's failed rows as a new batch", tags=["Batches"], request=None,
                   responses={202: BATCH_SCHEMA, 402: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA})
    def post(self, request, batch_id: str):
        batch = batch_get(account=request.user, batch_id=batch_id)
        projects = {p: project_get(account=request.user, credential=request.auth, project_id=p)
                    for p in batch.project_refs}
        return _accepted(batch_retry(batch=batch, projects_by_id=projects))


class BatchDownloadApi(APIView):
    required_scope = "read-only"
    embed_allowed = False

    @extend_schema(summary="Download the images and manifest.csv as a ZIP (streamed)", tags=["Batches"],
                   responses={(200, "application/zip"): OpenApiResponse(description=(
                       "A ZIP: one file per completed row (row-00001.png…) and manifest.csv with "
                       "row, file, status, error, generationId, projectId. Streamed as it is written.")),
                       404: ERROR_SCHEMA})
    def get(self, request, batch_id: str):
        batch = batch_get(account=request.user, batch_id=batch_id)
        is_asgi = type(request._request).__name__ == "ASGIRequest"
        response = StreamingHttpResponse(zip_chunks_async(batch) if is_asgi else zip_chunks(batch),
                                         content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{batch.id}.zip"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
