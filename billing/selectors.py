"""Reads of credits, plans and usage — only the acting account's."""
from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from billing.models import PLAN_ACTIVE_STATUSES, LedgerEntry, LedgerKind, Subscription
from billing.plans import free_plan, plan_get
from billing.services import credits_balance

USAGE_KINDS = [LedgerKind.CHARGE, LedgerKind.REFUND]


def _subscription(account) -> Subscription | None:
    return Subscription.objects.filter(account=account).first()


def _paid_subscription(account) -> Subscription | None:
    sub = _subscription(account)
    if sub and sub.status in PLAN_ACTIVE_STATUSES and (plan := plan_get(sub.plan_code)) and not plan.is_free:
        return sub
    return None


def _anchored_cycle(anchor: dt.datetime, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = min(anchor.day, 28)
    start = now.replace(day=day, hour=0, minute=0, second=0, microsecond=0)
    if start > now:
        start = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=day)
    end = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=day)
    return start, end


def billing_cycle(*, account, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A paid subscription's current period as Stripe reports it; otherwise a monthly cycle
    anchored on the day the account was created (clamped to the 28th)."""
    now = now or timezone.now()
    sub = _paid_subscription(account)
    if sub and sub.current_period_start and sub.current_period_end and sub.current_period_start <= now < sub.current_period_end:
        return sub.current_period_start, sub.current_period_end
    return _anchored_cycle(account.date_joined, now)


def plan_of(*, account) -> dict:
    """The account's plan: its paid subscription's while that is active (or past due, while
    Stripe retries), the free plan otherwise."""
    sub = _paid_subscription(account)
    plan = plan_get(sub.plan_code) if sub else free_plan()
    assert plan is not None, "_paid_subscription checked that its plan exists"
    return {
        **plan.to_dict(),
        "status": sub.status if sub else "active",
        "cancelAtPeriodEnd": bool(sub and sub.cancel_at_period_end),
        "currentPeriodEnd": sub.current_period_end if sub else None,
    }


def credits_used_between(*, account, start: dt.datetime, end: dt.datetime) -> int:
    rows = LedgerEntry.objects.filter(
        account=account, created_at__gte=start, created_at__lt=end, kind__in=USAGE_KINDS
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


def daily_usage(*, account, days: int = 30, now: dt.datetime | None = None) -> list[tuple[dt.date, int]]:
    """Credits used per UTC day (charges minus refunds) for the last `days` days, oldest first,
    every day present."""
    now = now or timezone.now()
    first = (now - dt.timedelta(days=days - 1)).date()
    since = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    rows = (
        LedgerEntry.objects.filter(account=account, kind__in=USAGE_KINDS, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC)).values("day").annotate(total=Sum("amount"))
    )
    by_day = {r["day"]: max(0, -(r["total"] or 0)) for r in rows}
    return [(first + dt.timedelta(days=i), by_day.get(first + dt.timedelta(days=i), 0)) for i in range(days)]


def ledger_list(*, account):
    return LedgerEntry.objects.filter(account=account).order_by("-created_at", "-id")


def subscription_get(*, account) -> Subscription | None:
    return _subscription(account)
