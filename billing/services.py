"""Every change to credits. Each function locks the balance row, appends one ledger entry and
updates the balance in one short transaction, so the balance is exact under any concurrency."""
from django.db import transaction
from django.db.models import F

from billing.models import CreditBalance, LedgerEntry, LedgerKind
from core.errors import InsufficientCredits


def _balance_row(account) -> CreditBalance:
    CreditBalance.objects.get_or_create(account=account)
    return CreditBalance.objects.select_for_update().get(account=account)


def credits_balance(*, account) -> int:
    row = CreditBalance.objects.filter(account=account).values_list("balance", flat=True).first()
    return row or 0


@transaction.atomic
def credits_add(*, account, amount: int, kind: str, description: str = "", reference: str = "", created_by=None) -> int:
    """Grant, allowance, purchase, refund or positive adjustment. Returns the new balance."""
    if amount <= 0:
        raise ValueError("credits_add takes a positive amount")
    row = _balance_row(account)
    row.balance = F("balance") + amount
    row.save(update_fields=["balance", "updated_at"])
    row.refresh_from_db(fields=["balance"])
    LedgerEntry.objects.create(
        account=account, kind=kind, amount=amount, balance_after=row.balance,
        description=description, reference=reference, created_by=created_by,
    )
    return row.balance


@transaction.atomic
def credits_take(*, account, amount: int, kind: str = LedgerKind.CHARGE, description: str = "", reference: str = "", created_by=None) -> int:
    """Render charge or negative adjustment. Raises InsufficientCredits and changes nothing
    when the balance can't cover it. Returns the new balance."""
    if amount <= 0:
        raise ValueError("credits_take takes a positive amount")
    row = _balance_row(account)
    if row.balance < amount:
        raise InsufficientCredits(f"Insufficient credits: {row.balance} left, {amount} needed.")
    row.balance = F("balance") - amount
    row.save(update_fields=["balance", "updated_at"])
    row.refresh_from_db(fields=["balance"])
    LedgerEntry.objects.create(
        account=account, kind=kind, amount=-amount, balance_after=row.balance,
        description=description, reference=reference, created_by=created_by,
    )
    return row.balance


def credits_grant(*, account, amount: int, description: str, created_by=None) -> int:
    kind = LedgerKind.ADJUSTMENT if created_by is not None else LedgerKind.GRANT
    return credits_add(account=account, amount=amount, kind=kind, description=description, created_by=created_by)
