"""Every change to credits and plans. Each credit function locks the balance row, appends one
ledger entry and updates the balance in one short transaction, so the balance is exact under
any concurrency (and a CHECK constraint keeps it ≥ 0 whatever happens)."""
from __future__ import annotations

import datetime as dt
from typing import cast

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from billing.models import CreditBalance, LedgerEntry, LedgerKind, Subscription
from core.errors import InsufficientCredits, ValidationFailed


def _balance_row(account) -> CreditBalance:
    """The account's balance row, locked until the transaction ends (made on first use)."""
    row = CreditBalance.objects.select_for_update().filter(account=account).first()
    if row is None:
        CreditBalance.objects.get_or_create(account=account)
        row = CreditBalance.objects.select_for_update().get(account=account)
    return row


def credits_balance(*, account) -> int:
    row = CreditBalance.objects.filter(account=account).values_list("balance", flat=True).first()
    return row or 0


def _append(row: CreditBalance, *, account, kind, amount, description, reference, created_by) -> int:
    """Move the balance row by amount (an atomic increment) and write the ledger line. Where the
    row is locked (_balance_row's SELECT … FOR UPDATE: Postgres) its new balance is known without
    reading it back; elsewhere (SQLite has no row locks) it is read back."""
    changes = {"balance": F("balance") + amount, "updated_at": timezone.now()}
    if amount > 0 and row.exhausted_at is not None:
        changes["exhausted_at"] = None  # credits are back: the next time it reaches zero is a new exhaustion
    CreditBalance.objects.filter(pk=row.pk).update(**changes)
    row.updated_at = changes["updated_at"]
    if "exhausted_at" in changes:
        row.exhausted_at = None
    if connection.features.has_select_for_update:
        row.balance += amount
    else:
        row.refresh_from_db(fields=["balance"])
    LedgerEntry.objects.create(
        account=account, kind=kind, amount=amount, balance_after=row.balance,
        description=description[:255], reference=reference, created_by=created_by,
    )
    return row.balance


@transaction.atomic
def credits_add(*, account, amount: int, kind: str, description: str = "", reference: str = "", created_by=None) -> int:
    """Grant, allowance, purchase, refund or positive adjustment. Returns the new balance."""
    if amount <= 0:
        raise ValueError("credits_add takes a positive amount")
    row = _balance_row(account)
    return _append(row, account=account, kind=kind, amount=amount, description=description,
                   reference=reference, created_by=created_by)


def credits_add_once(*, account, amount: int, kind: str, reference: str, description: str = "", created_by=None) -> int | None:
    """credits_add, unless an entry of this kind already carries this reference (a cycle's
    allowance, a Stripe invoice, a checkout session). Returns the new balance, or None when it
    had been added before. The balance row lock serialises the check per account, and a unique
    constraint (kind, reference) backs it up across accounts."""
    if not reference:
        raise ValueError("credits_add_once needs a reference")
    try:
        with transaction.atomic():
            row = _balance_row(account)
            if LedgerEntry.objects.filter(kind=kind, reference=reference).exists():
                return None
            return _append(row, account=account, kind=kind, amount=amount, description=description,
                           reference=reference, created_by=created_by)
    except IntegrityError:
        if LedgerEntry.objects.filter(kind=kind, reference=reference).exists():
            return None
        raise


@transaction.atomic
def credits_take(*, account, amount: int, kind: str = cast(str, LedgerKind.CHARGE), description: str = "", reference: str = "", created_by=None) -> int:
    """Render charge or negative adjustment. Raises InsufficientCredits and changes nothing
    when the balance can't cover it. Returns the new balance. The take that brings the balance
    to zero emits `credits.exhausted` in the same transaction (once per exhaustion)."""
    if amount <= 0:
        raise ValueError("credits_take takes a positive amount")
    row = _balance_row(account)
    if row.balance < amount:
        raise InsufficientCredits(f"Insufficient credits: {row.balance} left, {amount} needed.")
    balance = _append(row, account=account, kind=kind, amount=-amount, description=description,
                      reference=reference, created_by=created_by)
    if balance == 0 and row.exhausted_at is None:
        _exhausted(row, account=account, reference=reference)
    return balance


def _exhausted(row: CreditBalance, *, account, reference: str) -> None:
    from core.timefmt import iso
    from webhooks.services import event_emit

    now = timezone.now()
    row.exhausted_at = now
    row.save(update_fields=["exhausted_at", "updated_at"])
    from billing.selectors import plan_of

    plan = plan_of(account=account)
    event_emit(account=account, type="credits.exhausted", data={
        "balance": 0, "exhaustedAt": iso(now), "reference": reference or None,
        "plan": {"code": plan["code"], "name": plan["name"]},
    })


def credits_grant(*, account, amount: int, description: str, created_by=None) -> int:
    kind = LedgerKind.ADJUSTMENT if created_by is not None else LedgerKind.GRANT
    return credits_add(account=account, amount=amount, kind=kind, description=description, created_by=created_by)


def credits_adjust(*, account, amount: int, reason: str, staff) -> int:
    """A staff member adds (amount > 0) or removes (amount < 0) credits; the ledger keeps who
    and why. Removing more than the balance → InsufficientCredits, nothing changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why.", details={"reason": ["Required."]})
    if not amount:
        raise ValidationFailed("The amount can't be zero.", details={"amount": ["Must not be zero."]})
    if staff is None or not getattr(staff, "is_staff", False):
        raise ValidationFailed("Only staff may adjust credits.")
    description = f"{reason} (by {staff.email})"
    if amount > 0:
        return credits_add(account=account, amount=amount, kind=LedgerKind.ADJUSTMENT, description=description, created_by=staff)
    return credits_take(account=account, amount=-amount, kind=LedgerKind.ADJUSTMENT, description=description, created_by=staff)


# --- plans ---------------------------------------------------------------------------------

def subscription_of(*, account) -> Subscription:
    sub = Subscription.objects.filter(account=account).first()
    if sub is None:
        sub, _created = Subscription.objects.get_or_create(account=account)
    return sub


def allowance_grant_due(*, account, now: dt.datetime | None = None) -> int | None:
    """Grant the free plan's monthly allowance for the current cycle, once (the reference names
    the account and the cycle). Paid plans get theirs from Stripe's paid invoice instead, and the
    sign-up grant is the first cycle's allowance. Returns the new balance or None."""
    from billing.plans import free_plan
    from billing.selectors import billing_cycle, plan_of

    now = now or timezone.now()
    if plan_of(account=account)["code"] != free_plan().code:
        return None
    start, _end = billing_cycle(account=account, now=now)
    if account.date_joined >= start:
        return None
    plan = free_plan()
    if plan.monthly_credits <= 0:
        return None
    return allowance_grant(
        account=account, amount=plan.monthly_credits, reference=f"allowance:{account.pk}:{start:%Y-%m-%d}",
        description=f"{plan.name} plan monthly allowance ({start:%Y-%m-%d})",
    )


def allowance_grant(*, account, amount: int, reference: str, description: str) -> int | None:
    """Start a cycle's allowance, once per reference (a cycle, a paid Stripe invoice). Unless
    BILLING_ALLOWANCE_ROLLOVER, what is left of the previous allowance expires first: renders
    spend the allowance before bought credits, and credit packs never expire. Returns the new
    balance, or None when this allowance had been granted before."""
    try:
        with transaction.atomic():
            row = _balance_row(account)
            if LedgerEntry.objects.filter(kind=LedgerKind.ALLOWANCE, reference=reference).exists():
                return None
            if not settings.BILLING_ALLOWANCE_ROLLOVER:
                _expire_previous_allowance(row, account=account)
            return _append(row, account=account, kind=LedgerKind.ALLOWANCE, amount=amount, description=description,
                           reference=reference, created_by=None)
    except IntegrityError:
        if LedgerEntry.objects.filter(kind=LedgerKind.ALLOWANCE, reference=reference).exists():
            return None
        raise


def _expire_previous_allowance(row: CreditBalance, *, account) -> None:
    previous = LedgerEntry.objects.filter(account=account, kind=LedgerKind.ALLOWANCE).order_by("-created_at", "-id").first()
    if previous is None or LedgerEntry.objects.filter(account=account, kind=LedgerKind.EXPIRY, reference=previous.reference).exists():
        return
    net = LedgerEntry.objects.filter(
        account=account, kind__in=[LedgerKind.CHARGE, LedgerKind.REFUND], created_at__gte=previous.created_at
    ).aggregate(total=Sum("amount"))["total"] or 0
    used = max(0, -net)
    unused = min(max(0, previous.amount - used), row.balance)
    if unused > 0:
        _append(row, account=account, kind=LedgerKind.EXPIRY, amount=-unused, reference=previous.reference,
                description="Unused monthly allowance expired", created_by=None)
