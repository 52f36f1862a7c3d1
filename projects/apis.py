"""Thin REST views of contract §3: templates, categories, assets and fonts."""
import datetime as dt
from email.utils import parsedate_to_datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ValidationFailed
from core.pagination import paginated_response
from projects import selectors, services
from projects.fonts import bundled_families
from projects.serializers import (
    AssetEnvelope,
    AssetListOut,
    CategoryEnvelope,
    CategoryListOut,
    FontCreatedOut,
    FontListOut,
    ProjectEnvelope,
    ProjectListOut,
    SuccessOut,
    UploadIn,
    asset_to_dict,
    category_to_dict,
    font_to_dict,
    project_to_dict,
)

TAGS = ["Templates"]
ERRORS = {
    400: OpenApiResponse(description="VALIDATION_FAILED, with field errors in `details`"),
    401: OpenApiResponse(description="UNAUTHORIZED"),
    403: OpenApiResponse(description="FORBIDDEN: scope too small, or an embed session restricted away"),
}
NOT_FOUND = {404: OpenApiResponse(description="PROJECT_NOT_FOUND (missing or another account's)")}

EXAMPLE_DOCUMENT = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "el1", "type": "text", "x": 80, "y": 120, "width": 920, "height": 200, "dynamicKey": "title",
         "placeholder": "Title", "text": "Summer sale",
         "style": {"fontFamily": "Noto Sans", "fontSize": 72, "fontWeight": 700, "color": "#ffffff",
                   "textAlign": "center", "verticalAlign": "middle", "lineHeight": 1.2, "autoFit": True}},
        {"id": "el2", "type": "image", "x": 0, "y": 400, "width": 1080, "height": 680, "dynamicKey": "hero",
         "src": "", "fit": "cover", "borderRadius": 24},
        {"id": "el3", "type": "shape", "shape": "rect", "x": 40, "y": 40, "width": 200, "height": 8,
         "fill": "#f59e0b", "borderRadius": 4},
    ],
}


def _project_body(project) -> dict:
    data = project_to_dict(project)
    return {"success": True, **data, "project": data}


def _reject_unknown(data, allowed: set[str], ignored: set[str] | frozenset[str] = frozenset()) -> None:
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", details={"body": ["Must be a JSON object."]})
    unknown = [key for key in data if key not in allowed and key not in ignored]
    if unknown:
        raise ValidationFailed(f"Unknown field '{unknown[0]}'.", details={key: ["Unknown field."] for key in unknown})


def _parse_time(value: str, field: str) -> tuple[dt.datetime, bool]:
    """(moment, second_precision) from ISO-8601 (ours) or an HTTP date."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field} must be a timestamp.", details={field: ["Must be an ISO-8601 timestamp."]})
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment, False
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text), True
    except (TypeError, ValueError, IndexError):
        raise ValidationFailed(f"{field} must be a timestamp.",
                               details={field: ["Must be an ISO-8601 timestamp or an HTTP date."]}) from None


# --- projects ------------------------------------------------------------------------------

class ProjectListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "render-only"}

    class ProjectCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        width = serializers.IntegerField(min_value=1, max_value=4096)
        height = serializers.IntegerField(min_value=1, max_value=4096)
        categoryId = serializers.UUIDField(required=False, allow_null=True)
        document = serializers.JSONField(required=False, help_text="Template document v1; empty canvas if omitted.")

    @extend_schema(
        operation_id="projects_list", summary="List templates", tags=TAGS,
        parameters=[
            OpenApiParameter("categoryId", OpenApiTypes.UUID, description="Only templates in this category."),
            OpenApiParameter("search", OpenApiTypes.STR, description="Case-insensitive match on the name."),
            OpenApiParameter("page", OpenApiTypes.INT, description="1-based page (default 1)."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Items per page, 1–100 (default 50)."),
        ],
        responses={200: ProjectListOut, **ERRORS},
    )
    def get(self, request):
        rows = selectors.project_list(
            account=request.user, credential=request.auth,
            category_id=request.query_params.get("categoryId") or None,
            search=request.query_params.get("search") or None,
        )
        return paginated_response(request, rows, key="projects", serialize=project_to_dict)

    @extend_schema(
        operation_id="projects_create", summary="Create a template", tags=TAGS, request=ProjectCreateInput,
        responses={201: ProjectEnvelope, **ERRORS,
                   404: OpenApiResponse(description="NOT_FOUND: categoryId is not a category of this account")},
        examples=[OpenApiExample("Card", request_only=True, value={"name": "Summer sale", "width": 1080,
                                                                    "height": 1080, "document": EXAMPLE_DOCUMENT})],
    )
    def post(self, request):
        body = request.data
        _reject_unknown(body, {"name", "width", "height", "categoryId", "document"})
        for field in ("name", "width", "height"):
            if field not in body:
                raise ValidationFailed(f"{field} is required.", details={field: ["Required."]})
        project = services.project_create(
            account=request.user, credential=request.auth, name=body.get("name"), width=body.get("width"),
            height=body.get("height"), category_id=body.get("categoryId"), document=body.get("document"),
        )
        return Response(_project_body(project), status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    required_scope = {"GET": "read-only", "PATCH": "render-only", "DELETE": "render-only"}

    class ProjectPatchInput(serializers.Serializer):
        name = serializers.CharField(required=False, max_length=200)
        width = serializers.IntegerField(required=False, min_value=1, max_value=4096)
        height = serializers.IntegerField(required=False, min_value=1, max_value=4096)
        categoryId = serializers.UUIDField(required=False, allow_null=True)
        document = serializers.JSONField(required=False)
        updatedAt = serializers.DateTimeField(
            required=False,
            help_text="The updatedAt you last read. If the template was saved after it, the PATCH is refused "
                      "with 409 CONFLICT (optimistic concurrency). The If-Unmodified-Since header works too.",
        )

    @extend_schema(operation_id="projects_get", summary="Get a template (with its dynamicElements)", tags=TAGS,
                   responses={200: ProjectEnvelope, **ERRORS, **NOT_FOUND})
    def get(self, request, project_id):
        project = selectors.project_get(account=request.user, credential=request.auth, project_id=project_id)
        return Response(_project_body(project))

    @extend_schema(
        operation_id="projects_update", summary="Change a template (partial)", tags=TAGS, request=ProjectPatchInput,
        parameters=[OpenApiParameter("If-Unmodified-Since", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                     description="Refuse (409) when the template changed after this time.")],
        responses={200: ProjectEnvelope, **ERRORS, **NOT_FOUND,
                   409: OpenApiResponse(description="CONFLICT: saved elsewhere after `updatedAt`; the body "
                                                    "carries the current `project`")},
    )
    def patch(self, request, project_id):
        project = selectors.project_get(account=request.user, credential=request.auth, project_id=project_id)
        body = request.data
        _reject_unknown(body, {"name", "width", "height", "categoryId", "document", "updatedAt"},
                        ignored={"id", "createdAt", "dynamicElements", "success"})
        since, second_precision = None, False
        if body.get("updatedAt") is not None:
            since, second_precision = _parse_time(body["updatedAt"], "updatedAt")
        elif request.headers.get("If-Unmodified-Since"):
            since, second_precision = _parse_time(request.headers["If-Unmodified-Since"], "If-Unmodified-Since")
        changes = {k: body[k] for k in ("name", "width", "height", "categoryId", "document") if k in body}
        project = services.project_update(account=request.user, credential=request.auth, project=project,
                                          changes=changes, unmodified_since=since, second_precision=second_precision)
        return Response(_project_body(project))

    @extend_schema(operation_id="projects_delete", summary="Delete a template", tags=TAGS, responses={200: SuccessOut, **ERRORS, **NOT_FOUND})
    def delete(self, request, project_id):
        project = selectors.project_get(account=request.user, credential=request.auth, project_id=project_id)
        services.project_delete(account=request.user, credential=request.auth, project=project)
        return Response({"success": True, "id": str(project_id)})


class ProjectDuplicateApi(APIView):
    required_scope = "render-only"

    @extend_schema(
        operation_id="projects_duplicate", summary="Duplicate a template", tags=TAGS,
        request=inline_serializer("DuplicateIn", {"name": serializers.CharField(required=False)}),
        responses={201: ProjectEnvelope, **ERRORS, **NOT_FOUND},
    )
    def post(self, request, project_id):
        project = selectors.project_get(account=request.user, credential=request.auth, project_id=project_id)
        body = request.data if request.data else {}
        _reject_unknown(body, {"name"})
        copy = services.project_duplicate(account=request.user, credential=request.auth, project=project,
                                          name=body.get("name"))
        return Response(_project_body(copy), status=status.HTTP_201_CREATED)


# --- categories ----------------------------------------------------------------------------

class CategoryListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "render-only"}

    class CategoryCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(
        operation_id="categories_list", summary="List categories", tags=TAGS,
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="1-based page (default 1)."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Items per page, 1–100 (default 50)."),
        ],
        responses={200: CategoryListOut, **ERRORS},
    )
    def get(self, request):
        rows = selectors.category_list(account=request.user, credential=request.auth)
        return paginated_response(request, rows, key="categories", serialize=category_to_dict)

    @extend_schema(operation_id="categories_create", summary="Create a category", tags=TAGS, request=CategoryCreateInput,
                   responses={201: CategoryEnvelope, **ERRORS,
                              409: OpenApiResponse(description="CONFLICT: the name is taken")})
    def post(self, request):
        _reject_unknown(request.data, {"name"})
        category = services.category_create(account=request.user, credential=request.auth,
                                            name=request.data.get("name"))
        data = category_to_dict(category, project_count=0)
        return Response({"success": True, **data, "category": data}, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    required_scope = {"PATCH": "render-only", "DELETE": "render-only"}

    @extend_schema(operation_id="categories_update", summary="Rename a category", tags=TAGS,
                   request=inline_serializer("CategoryRenameInput", {"name": serializers.CharField(max_length=100)}),
                   responses={200: CategoryEnvelope, **ERRORS, 404: OpenApiResponse(description="NOT_FOUND"),
                              409: OpenApiResponse(description="CONFLICT: the name is taken")})
    def patch(self, request, category_id):
        category = selectors.category_get(account=request.user, category_id=category_id)
        _reject_unknown(request.data, {"name"})
        category = services.category_rename(account=request.user, credential=request.auth, category=category,
                                            name=request.data.get("name"))
        data = category_to_dict(category)
        return Response({"success": True, **data, "category": data})

    @extend_schema(operation_id="categories_delete", summary="Delete a category (its templates are kept)",
                   tags=TAGS, responses={200: SuccessOut, **ERRORS, 404: OpenApiResponse(description="NOT_FOUND")})
    def delete(self, request, category_id):
        category = selectors.category_get(account=request.user, category_id=category_id)
        services.category_delete(account=request.user, credential=request.auth, category=category)
        return Response({"success": True, "id": str(category.pk)})


# --- assets --------------------------------------------------------------------------------

class AssetListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "render-only"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(operation_id="assets_list", summary="List uploaded images", tags=TAGS,
                   parameters=[OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("limit", OpenApiTypes.INT)],
                   responses={200: AssetListOut, **ERRORS})
    def get(self, request):
        return paginated_response(request, selectors.asset_list(account=request.user), key="assets",
                                  serialize=asset_to_dict)

    @extend_schema(
        operation_id="assets_create", summary="Upload an image (PNG, JPEG, WebP, GIF or SVG, ≤ 25 MB)", tags=TAGS,
        description="The content decides the type, not the file name. Raster images over 50 MP (or animations "
                    "over the frame cap) are refused; SVG is sanitised (no scripts, event handlers, external "
                    "references or foreignObject). The file is stored under a generated name.",
        request={"multipart/form-data": UploadIn},
        responses={201: AssetEnvelope, **ERRORS, 413: OpenApiResponse(description="PAYLOAD_TOO_LARGE (> 25 MB)")},
    )
    def post(self, request):
        asset = services.asset_create(account=request.user, credential=request.auth,
                                      upload=request.FILES.get("file"))
        data = asset_to_dict(asset)
        return Response({"success": True, "asset": data, **data}, status=status.HTTP_201_CREATED)


class AssetDetailApi(APIView):
    required_scope = {"GET": "read-only", "DELETE": "render-only"}

    @extend_schema(operation_id="assets_get", summary="One uploaded image", tags=TAGS, responses={200: AssetEnvelope, **ERRORS,
                   404: OpenApiResponse(description="NOT_FOUND")})
    def get(self, request, asset_id):
        asset = selectors.asset_get(account=request.user, asset_id=asset_id)
        data = asset_to_dict(asset)
        return Response({"success": True, "asset": data, **data})

    @extend_schema(operation_id="assets_delete", summary="Delete an uploaded image", tags=TAGS, responses={200: SuccessOut, **ERRORS,
                   404: OpenApiResponse(description="NOT_FOUND")})
    def delete(self, request, asset_id):
        asset = selectors.asset_get(account=request.user, asset_id=asset_id)
        services.asset_delete(account=request.user, credential=request.auth, asset=asset)
        return Response({"success": True, "id": str(asset.pk)})


# --- fonts ---------------------------------------------------------------------------------

class FontListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "render-only"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="fonts_list", summary="List uploaded fonts (and the bundled families)", tags=TAGS,
        parameters=[OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("limit", OpenApiTypes.INT)],
        responses={200: FontListOut, **ERRORS},
    )
    def get(self, request):
        bundled = [{"familyName": family, "family": family} for family in bundled_families()]
        return paginated_response(request, selectors.font_list(account=request.user), key="fonts",
                                  serialize=font_to_dict, extra={"bundled": bundled})

    @extend_schema(
        operation_id="fonts_create", summary="Upload a font (TTF, OTF, WOFF or WOFF2, ≤ 25 MB)", tags=TAGS,
        description="The file is parsed to read its family name, weight and style. Use the family name as "
                    "`style.fontFamily` in a document.",
        request={"multipart/form-data": UploadIn},
        responses={201: FontCreatedOut, **ERRORS, 413: OpenApiResponse(description="PAYLOAD_TOO_LARGE (> 25 MB)")},
    )
    def post(self, request):
        font = services.font_create(account=request.user, credential=request.auth, upload=request.FILES.get("file"))
        data = font_to_dict(font)
        return Response({"success": True, **data, "font": data}, status=status.HTTP_201_CREATED)


class FontDetailApi(APIView):
    required_scope = {"GET": "read-only", "DELETE": "render-only"}

    @extend_schema(operation_id="fonts_get", summary="One uploaded font", tags=TAGS,
                   responses={200: inline_serializer("FontEnvelope", {"success": serializers.BooleanField()}),
                              **ERRORS, 404: OpenApiResponse(description="NOT_FOUND")})
    def get(self, request, font_id):
        font = selectors.font_get(account=request.user, font_id=font_id)
        data = font_to_dict(font)
        return Response({"success": True, **data, "font": data})

    @extend_schema(operation_id="fonts_delete", summary="Delete an uploaded font", tags=TAGS,
                   responses={200: SuccessOut, **ERRORS, 404: OpenApiResponse(description="NOT_FOUND")})
    def delete(self, request, font_id):
        font = selectors.font_get(account=request.user, font_id=font_id)
        services.font_delete(account=request.user, credential=request.auth, font=font)
        return Response({"success": True, "id": str(font.pk)})
