"""The plan and credit-pack catalogue, from settings.BILLING_PLANS / BILLING_PACKS."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

FREE = "free"
# The default plans' names, for translation on pages (the API keeps the configured name).
PLAN_NAMES = (gettext_noop("Free"), gettext_noop("Starter"), gettext_noop("Pro"))


def plan_display_name(name: str) -> str:
    return gettext(name) if name in PLAN_NAMES else name


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    monthly_credits: int
    price_cents: int
    stripe_price_id: str = ""
    limits: dict = field(default_factory=dict)

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    def to_dict(self) -> dict:
        return {
            "code": self.code, "name": self.name, "monthlyCredits": self.monthly_credits,
            "price": self.price_cents, "currency": settings.BILLING_CURRENCY, "interval": "month",
            "limits": dict(self.limits),
        }


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    credits: int
    price_cents: int
    stripe_price_id: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "credits": self.credits, "price": self.price_cents,
                "currency": settings.BILLING_CURRENCY}


def plans() -> list[Plan]:
    return [Plan(**p) for p in settings.BILLING_PLANS]


def plan_get(code: str | None) -> Plan | None:
    return next((p for p in plans() if p.code == code), None)


def free_plan() -> Plan:
    return plan_get(FREE) or Plan(code=FREE, name="Free", monthly_credits=settings.FREE_PLAN_STARTING_CREDITS, price_cents=0)


def paid_plans() -> list[Plan]:
    return [p for p in plans() if not p.is_free]


def plan_for_price(price_id: str | None) -> Plan | None:
    if not price_id:
        return None
    return next((p for p in plans() if p.stripe_price_id and p.stripe_price_id == price_id), None)


def packs() -> list[Pack]:
    return [Pack(**p) for p in settings.BILLING_PACKS]


def pack_get(code: str | None) -> Pack | None:
    return next((p for p in packs() if p.code == code), None)


def payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)
