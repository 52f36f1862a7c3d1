"""The output shapes of templates, categories, assets and fonts. They leave the process through
the REST API and the live channel (`project.updated`), so they live here once. The DRF
serializers below only describe the same shapes in the OpenAPI schema."""
from django.core.files.storage import default_storage
from rest_framework import serializers

from core.timefmt import iso
from projects.document import dynamic_elements


def absolute_media_url(name: str) -> str:
    from django.conf import settings

    url = default_storage.url(name)
    if url.startswith(("http://", "https://")):
        return url
    return settings.PUBLIC_BASE_URL + url


def project_to_dict(project) -> dict:
    return {
        "id": str(project.pk),
        "name": project.name,
        "width": project.width,
        "height": project.height,
        "categoryId": str(project.category_id) if project.category_id else None,
        "document": project.document,
        "dynamicElements": dynamic_elements(project.document),
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
    }


def category_to_dict(category, *, project_count: int | None = None) -> dict:
    body = {"id": str(category.pk), "name": category.name, "createdAt": iso(category.created_at)}
    if project_count is None:
        project_count = getattr(category, "project_count", None)
    if project_count is not None:
        body["projectCount"] = project_count
    return body


def asset_to_dict(asset) -> dict:
    return {
        "id": str(asset.pk),
        "url": absolute_media_url(asset.file.name),
        "width": asset.width,
        "height": asset.height,
        "mime": asset.mime,
        "bytes": asset.bytes,
        "createdAt": iso(asset.created_at),
    }


def font_to_dict(font) -> dict:
    return {
        "id": str(font.pk),
        "familyName": font.family_name,
        "weight": font.weight,
        "style": font.style,
        "format": font.format,
        "url": absolute_media_url(font.file.name),
        "createdAt": iso(font.created_at),
    }


# --- OpenAPI descriptions of the shapes above --------------------------------------------

class DynamicElementOut(serializers.Serializer):
    type = serializers.ChoiceField(choices=["text", "image"])
    dynamicKey = serializers.CharField()
    defaultValue = serializers.CharField()
    placeholder = serializers.CharField()


class ProjectOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    width = serializers.IntegerField(min_value=1, max_value=4096)
    height = serializers.IntegerField(min_value=1, max_value=4096)
    categoryId = serializers.UUIDField(allow_null=True)
    document = serializers.JSONField(help_text="Template document, version 1 (see the docs: api-projects).")
    dynamicElements = DynamicElementOut(many=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class PaginationOut(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    totalCount = serializers.IntegerField()
    totalPages = serializers.IntegerField()
    hasNext = serializers.BooleanField()


class ProjectEnvelope(serializers.Serializer):
    success = serializers.BooleanField()
    project = ProjectOut()


class ProjectListOut(serializers.Serializer):
    success = serializers.BooleanField()
    projects = ProjectOut(many=True)
    pagination = PaginationOut()


class CategoryOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    projectCount = serializers.IntegerField(required=False)
    createdAt = serializers.DateTimeField()


class CategoryListOut(serializers.Serializer):
    success = serializers.BooleanField()
    categories = CategoryOut(many=True)
    pagination = PaginationOut()


class CategoryEnvelope(serializers.Serializer):
    success = serializers.BooleanField()
    category = CategoryOut()


class AssetOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    mime = serializers.CharField()
    bytes = serializers.IntegerField()
    createdAt = serializers.DateTimeField()


class AssetEnvelope(serializers.Serializer):
    success = serializers.BooleanField()
    asset = AssetOut()


class AssetListOut(serializers.Serializer):
    success = serializers.BooleanField()
    assets = AssetOut(many=True)
    pagination = PaginationOut()


class FontOut(serializers.Serializer):
    id = serializers.UUIDField()
    familyName = serializers.CharField()
    weight = serializers.IntegerField()
    style = serializers.ChoiceField(choices=["normal", "italic"])
    format = serializers.ChoiceField(choices=["ttf", "otf", "woff", "woff2"])
    url = serializers.URLField()
    createdAt = serializers.DateTimeField()


class FontCreatedOut(FontOut):
    success = serializers.BooleanField()
    font = FontOut()


class FontListOut(serializers.Serializer):
    success = serializers.BooleanField()
    fonts = FontOut(many=True)
    pagination = PaginationOut()


class SuccessOut(serializers.Serializer):
    success = serializers.BooleanField()


class UploadIn(serializers.Serializer):
    file = serializers.FileField()
