"""The dashboard's home (/render): the account at a glance — usage and plan, tokens, the latest
templates and renders."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.dateparse import parse_datetime

from accounts.selectors import token_list
from billing.selectors import plan_of
from dashboard.selectors import account_usage, recent_projects, recent_renders


@login_required
def home(request):
    account = request.user
    usage = account_usage(account=account)
    limit = usage["monthlyLimit"] or 0
    context = {
        "usage": usage,
        "cycle_start": parse_datetime(usage["billingCycleStart"]),
        "cycle_end": parse_datetime(usage["billingCycleEnd"]),
        "usage_percent": min(100, round(100 * usage["monthlyUsed"] / limit)) if limit else 0,
        "plan": plan_of(account=account),
        "tokens": list(token_list(account=account)[:5]),
        "active_tokens": token_list(account=account).filter(revoked_at__isnull=True).count(),
        "max_tokens": settings.MAX_ACTIVE_TOKENS,
        "projects": recent_projects(account=account),
        "renders": recent_renders(account=account),
        "billing_available": True,
        "api_base": settings.PUBLIC_BASE_URL,
    }
    return render(request, "dashboard/home.html", context)
