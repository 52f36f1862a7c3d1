"""Outgoing events: `event_emit` records an event inside the caller's transaction."""
from webhooks.models import Event


def event_emit(*, account, type: str, data: dict) -> Event:
    return Event.objects.create(account=account, type=type, data=data)
