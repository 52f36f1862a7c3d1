"""Credits, plans and Stripe.

- Credits are an append-only ledger per account. `CreditBalance.balance` is the ledger's sum,
  kept in the same transaction as every entry, and a constraint keeps it from going below zero.
- `Subscription` is an account's plan (free unless Stripe says otherwise) and its Stripe ids.
- `StripeEvent` stores each incoming Stripe event under Stripe's unique id before it is applied,
  so a second delivery is a no-op."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import BaseModel


class CreditBalance(BaseModel):
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_balance")
    balance = models.BigIntegerField(default=0)
    # Set when a charge brought the balance to zero (credits.exhausted sent), cleared when credits come back.
    exhausted_at = models.DateTimeField(null=True, blank=True)

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
    EXPIRY = "expiry", "Unused allowance expired"


# Kinds whose reference names the thing paid for (a cycle, a Stripe invoice or checkout session):
# the database refuses a second entry for it, so a grant can't happen twice.
ONCE_PER_REFERENCE_KINDS = [LedgerKind.ALLOWANCE, LedgerKind.PURCHASE]


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
            models.UniqueConstraint(
                fields=["kind", "reference"], condition=Q(kind__in=ONCE_PER_REFERENCE_KINDS) & ~Q(reference=""),
                name="ledger_grant_once_per_reference",
            ),
        ]
        indexes = [models.Index(fields=["account", "created_at"], name="ledger_account_created")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    TRIALING = "trialing", "Trialing"
    PAST_DUE = "past_due", "Past due"
    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
    UNPAID = "unpaid", "Unpaid"
    PAUSED = "paused", "Paused"
    CANCELED = "canceled", "Canceled"


# A paid plan counts while its subscription is in one of these states (past_due: Stripe is retrying).
PLAN_ACTIVE_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE]


class Subscription(BaseModel):
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription")
    plan_code = models.CharField(max_length=40, default="free")
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)
    stripe_customer_id = models.CharField(max_length=100, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # `created` (unix seconds) of the newest Stripe event applied to the state above: an older
    # event arriving late never overwrites a newer state.
    stripe_state_at = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stripe_customer_id"], condition=~Q(stripe_customer_id=""),
                                    name="subscription_customer_unique"),
        ]

    def __str__(self):
        return f"{self.account}: {self.plan_code} ({self.status})"


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, waiting for its task
    PROCESSED = "processed", "Processed"  # applied (or nothing to do)
    DEFERRED = "deferred", "Deferred"  # arrived before the event that tells whose it is; re-applied then
    FAILED = "failed", "Failed"  # could not be applied; see error


class StripeEvent(BaseModel):
    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    stripe_created = models.BigIntegerField(default=0)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="stripe_event_status_created")]

    def __str__(self):
        return f"{self.stripe_id} {self.type} ({self.status})"
