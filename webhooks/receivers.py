"""Events of the apps below webhooks that outgoing webhooks announce (connected in WebhooksConfig.ready)."""
from webhooks.services import event_emit


def emit_account_event(sender, *, account, type: str, data: dict, **kwargs) -> None:
    """accounts.signals.account_event (token.created, token.revoked): recorded for delivery in the
    transaction that caused it."""
    event_emit(account=account, type=type, data=data)
