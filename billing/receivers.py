"""What billing does when something happens in an app below it (connected in BillingConfig.ready)."""
from django.conf import settings

from billing.services import credits_grant


def grant_starting_credits(sender, *, user, starting_credits: int | None = None, **kwargs) -> None:
    """accounts.signals.user_created: a new account starts with its credits (the free plan's unless
    the creator said how many), in the transaction that made it."""
    credits = settings.FREE_PLAN_STARTING_CREDITS if starting_credits is None else starting_credits
    if credits > 0:
        credits_grant(account=user, amount=credits, description="Free plan starting credits")
