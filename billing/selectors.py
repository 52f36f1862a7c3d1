"""Reads of credits and usage."""
import datetime as dt

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from billing.models import LedgerEntry, LedgerKind
from billing.services import credits_balance


def billing_cycle(*, account, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Monthly cycle anchored on the day the account was created (clamped to the 28th)."""
    now = now or timezone.now()
    day = min(account.date_joined.day, 28)
    start = now.replace(day=day, hour=0, minute=0, second=0, microsecond=0)
    if start > now:
        start = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=day)
    end = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=day)
    return start, end


def plan_of(*, account) -> dict:
    return {"code": "free", "name": "Free", "monthlyCredits": settings.FREE_PLAN_STARTING_CREDITS}


def credits_used_between(*, account, start: dt.datetime, end: dt.datetime) -> int:
    rows = LedgerEntry.objects.filter(
        account=account, created_at__gte=start, created_at__lt=end, kind__in=[LedgerKind.CHARGE, LedgerKind.REFUND]
    ).aggregate(total=Sum("amount"))
    return max(0, -(rows["total"] or 0))


def usage_summary(*, account) -> dict:
    start, end = billing_cycle(account=account)
    plan = plan_of(account=account)
    used = credits_used_between(account=account, start=start, end=end)
    limit = plan["monthlyCredits"]
    return {
        "monthlyLimit": limit,
        "monthlyUsed": used,
        "monthlyRemaining": max(0, limit - used),
        "creditsBalance": credits_balance(account=account),
        "billingCycleStart": start,
        "billingCycleEnd": end,
    }
