"""Reads that put an account's figures from several apps side by side."""
from billing.selectors import usage_summary
from core.auth import SESSION
from core.timefmt import iso
from projects.models import Project
from rendering.models import Generation
from rendering.selectors import generation_list, render_stats
from rendering.storage import absolute_url


def account_usage(*, account) -> dict:
    """The billing cycle's usage (billing) with the renders in flight and their average time (rendering)."""
    usage = usage_summary(account=account)
    pending, avg_ms = render_stats(account=account, since=usage["billingCycleStart"])
    usage.update(
        pendingRenders=pending,
        avgRenderMs=avg_ms,
        billingCycleStart=iso(usage["billingCycleStart"]),
        billingCycleEnd=iso(usage["billingCycleEnd"]),
    )
    return usage


def recent_projects(*, account) -> dict:
    rows = Project.objects.filter(account=account).order_by("-updated_at")
    return {"count": rows.count(), "items": list(rows[:5])}


def recent_renders(*, account) -> list[Generation]:
    """The latest generations, each with `image_url` when it has an image to show."""
    rows = list(generation_list(account=account, credential=SESSION).select_related("project")[:6])
    for generation in rows:
        generation.image_url = (absolute_url(generation.output)
                                if generation.output and generation.status == "completed" else None)
    return rows
