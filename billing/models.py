"""Credits: an append-only ledger per account. `CreditBalance.balance` is the ledger's sum,
kept in the same transaction as every entry, and a constraint keeps it from going below zero."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import BaseModel


class CreditBalance(BaseModel):
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_balance")
    balance = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="credit_balance_not_negative")]

    def __str__(self):
        return f"{self.account}: {self.balance}"


class LedgerKind(models.TextChoices):
    GRANT = "grant", "Grant"
    ALLOWANCE = "allowance", "Monthly allowance"
    PURCHASE = "purchase", "Purchase"
    CHARGE = "charge", "Render charge"
    REFUND = "refund", "Refund"
    ADJUSTMENT = "adjustment", "Staff adjustment"


class LedgerEntry(BaseModel):
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_entries")
    kind = models.CharField(max_length=20, choices=LedgerKind.choices)
    amount = models.BigIntegerField()  # + adds credits, - takes them
    balance_after = models.BigIntegerField()
    description = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)  # gen_…, Stripe ids…
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)
