"""Reads for the Studio and embed: a project of the acting account that its credential may open."""
import uuid


def studio_project_get(*, account, credential, project_id):
    """The account's project that `credential` may see, or None (missing, other account's,
    malformed id, or an embed session restricted away from it)."""
    from projects.models import Project

    try:
        pk = uuid.UUID(str(project_id))
    except (TypeError, ValueError):
        return None
    project = Project.objects.filter(account=account, pk=pk).first()
    if project is None or not credential.allows_project(project):
        return None
    return project


def category_get(*, account, category_id):
    from projects.models import Category

    try:
        pk = uuid.UUID(str(category_id))
    except (TypeError, ValueError):
        return None
    return Category.objects.filter(account=account, pk=pk).first()
