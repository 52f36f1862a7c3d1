"""Reads of templates and their parts, limited to what the acting account (and credential)
may see. Another account's object is simply not found; an object of the account that an
embed session is restricted away from is forbidden."""
import uuid

from django.db.models import Count, Q

from core.errors import Forbidden, NotFound, ProjectNotFound, ValidationFailed
from projects.models import Asset, Category, Font, Project


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def project_get(*, account, credential, project_id) -> Project:
    """The account's project; 404 PROJECT_NOT_FOUND when missing, another account's or not a
    UUID; 403 FORBIDDEN when an embed credential is restricted away from it."""
    pk = _uuid_or_none(project_id)
    project = Project.objects.filter(account=account, pk=pk).select_related("category").first() if pk else None
    if project is None:
        raise ProjectNotFound()
    if credential is not None and not credential.allows_project(project):
        raise Forbidden("This session may not use this project.")
    return project


def project_list(*, account, credential, category_id: str | None = None, search: str | None = None):
    rows = Project.objects.filter(account=account)
    if credential is not None:
        rows = credential.restrict_projects(rows)
    if category_id:
        pk = _uuid_or_none(category_id)
        if pk is None:
            raise ValidationFailed("categoryId must be a category id.", details={"categoryId": ["Not a valid id."]})
        rows = rows.filter(category_id=pk)
    if search:
        search = search.strip()[:200]
        if search:
            rows = rows.filter(name__icontains=search)
    return rows.order_by("-updated_at", "-id")


def category_get(*, account, category_id) -> Category:
    pk = _uuid_or_none(category_id)
    category = Category.objects.filter(account=account, pk=pk).first() if pk else None
    if category is None:
        raise NotFound("Category not found.")
    return category


def category_list(*, account, credential):
    rows = Category.objects.filter(account=account)
    if credential.kind == "embed":
        allowed = credential.restrict_projects(Project.objects.filter(account=account))
        if credential.category_id:
            rows = rows.filter(pk=credential.category_id)
        elif credential.project_id:
            rows = rows.filter(pk__in=allowed.values("category_id"))
    visible = credential.restrict_projects(Project.objects.filter(account=account)) if credential else None
    count_filter = Q(projects__in=visible) if visible is not None else Q()
    return rows.annotate(project_count=Count("projects", filter=count_filter, distinct=True)).order_by(
        "name", "created_at"
    )


def asset_get(*, account, asset_id) -> Asset:
    pk = _uuid_or_none(asset_id)
    asset = Asset.objects.filter(account=account, pk=pk).first() if pk else None
    if asset is None:
        raise NotFound("Asset not found.")
    return asset


def asset_list(*, account):
    return Asset.objects.filter(account=account).order_by("-created_at", "-id")


def font_get(*, account, font_id) -> Font:
    pk = _uuid_or_none(font_id)
    font = Font.objects.filter(account=account, pk=pk).first() if pk else None
    if font is None:
        raise NotFound("Font not found.")
    return font


def fonts_for(*, account) -> list[Font]:
    """Every font the account uploaded (what a render of its templates may use)."""
    return list(Font.objects.filter(account=account).order_by("family_name", "weight", "style", "created_at"))


def font_list(*, account):
    return Font.objects.filter(account=account).order_by("family_name", "weight", "style", "created_at")
