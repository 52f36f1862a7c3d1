"""Reads of generations, limited to what the acting account (and credential) may see.
Another account's generation is simply not found."""
import datetime as dt

from django.db.models import Avg

from core.auth import Credential
from core.errors import NotFound, ValidationFailed
from projects.models import Project
from rendering.models import IN_FLIGHT, Generation, GenerationStatus


def _visible(*, account, credential: Credential | None = None):
    """The account's generations; an embed session sees those of the templates it may open."""
    rows = Generation.objects.filter(account=account)
    if credential is not None and credential.kind == "embed":
        allowed = credential.restrict_projects(Project.objects.filter(account=account)).values("pk")
        rows = rows.filter(project__in=allowed)
    return rows


def generation_list(*, account, credential=None, status: str | None = None, project_id: str | None = None):
    rows = _visible(account=account, credential=credential)
    if status:
        if status not in GenerationStatus.values:
            raise ValidationFailed(
                "status must be one of " + ", ".join(GenerationStatus.values) + ".",
                details={"status": ["Must be one of " + ", ".join(GenerationStatus.values) + "."]},
            )
        rows = rows.filter(status=status)
    if project_id:
        rows = rows.filter(project_ref=project_id)
    return rows.order_by("-created_at", "-id")


def generation_get(*, account, generation_id: str, credential=None) -> Generation:
    generation = _visible(account=account, credential=credential).filter(pk=generation_id).first()
    if generation is None:
        raise NotFound("Generation not found.")
    return generation


def render_stats(*, account, since: dt.datetime) -> tuple[int, int | None]:
    """(renders in flight now, average render time in ms of renders completed since `since`)."""
    pending = Generation.objects.filter(account=account, status__in=IN_FLIGHT).count()
    avg = Generation.objects.filter(
        account=account, status=GenerationStatus.COMPLETED, completed_at__gte=since, render_ms__isnull=False
    ).aggregate(avg=Avg("render_ms"))["avg"]
    return pending, (round(avg) if avg is not None else None)
