"""Reads of accounts and tokens, limited to what the acting account may see."""
from django.apps import apps

from accounts.models import ApiToken
from billing.selectors import usage_summary
from core.timefmt import iso


def token_list(*, account):
    return ApiToken.objects.filter(account=account).order_by("-created_at")


def account_usage(*, account) -> dict:
    usage = usage_summary(account=account)
    pending, avg_ms = 0, None
    if apps.is_installed("rendering"):
        from rendering.selectors import render_stats

        pending, avg_ms = render_stats(account=account, since=usage["billingCycleStart"])
    usage.update(
        pendingRenders=pending,
        avgRenderMs=avg_ms,
        billingCycleStart=iso(usage["billingCycleStart"]),
        billingCycleEnd=iso(usage["billingCycleEnd"]),
    )
    return usage
