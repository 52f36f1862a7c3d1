"""The one helper that pushes live events (Channels groups) from services and tasks.
Groups: `account-<uuid>` (everything of an account) and `project-<uuid>` (one template).
Consumers forward messages of type "live.event" as {"type": <event type>, "payload": {...}}."""
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def account_group(account_id) -> str:
    return f"account-{account_id}"


def project_group(project_id) -> str:
    return f"project-{project_id}"


def live_send(group: str, event_type: str, payload: dict) -> None:
    """Best effort: a live update never makes the write that caused it fail."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "live.event", "event": event_type, "payload": payload})
    except Exception:
        log.warning("live_send to %s failed", group, exc_info=True)
