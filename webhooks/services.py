"""Every write of the webhooks app: events (the outbox) and endpoints.

`event_emit` records an event inside the caller's transaction and a Delivery row for each of the
account's active endpoints that subscribe to its type; the delivery tasks are queued only once
that transaction commits. Delivering itself lives in `webhooks.delivery`."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import ValidationFailed
from core.netguard import HostNotResolved, UnsafeUrl, check_url, name_suggests_internal
from webhooks.delivery import (  # noqa: F401 — re-exported: the delivery API of this app
    deliveries_sweep,
    delivery_attempt,
    queue_deliveries,
    signing_secrets,
)
from webhooks.models import Delivery, EndpointStatus, Event, EventType, WebhookEndpoint
from webhooks.selectors import delivery_get, endpoint_get
from webhooks.signing import new_secret

SUBSCRIBABLE = [t for t in EventType.values]


# --- events --------------------------------------------------------------------------------

def event_emit(*, account, type: str, data: dict, endpoints: list[WebhookEndpoint] | None = None) -> Event:
    """Record an event and its deliveries in the CURRENT transaction; queue them on commit.
    `endpoints` (for test events) overrides the fan-out to subscribed endpoints."""
    event = Event.objects.create(account=account, type=type, data=data)
    if endpoints is None:
        endpoints = [e for e in WebhookEndpoint.objects.filter(account=account, status=EndpointStatus.ACTIVE)
                     if e.wants(type)]
    if endpoints:
        now = timezone.now()
        deliveries = Delivery.objects.bulk_create(
            [Delivery(event=event, endpoint=e, next_attempt_at=now) for e in endpoints]
        )
        _queue_on_commit([d.id for d in deliveries])
    return event


def _queue_on_commit(delivery_ids: list[str]) -> None:
    transaction.on_commit(lambda: queue_deliveries(delivery_ids))


# --- endpoints -----------------------------------------------------------------------------

def _clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed("url is required.", details={"url": ["This field is required."]})
    url = url.strip()
    if len(url) > 2048:
        raise ValidationFailed("url is too long.", details={"url": ["Must be at most 2048 characters."]})
    try:
        check_url(url)
    except HostNotResolved:
        # It doesn't resolve (today, or from here). Unless its name alone says "internal", accept
        # it: every delivery checks it again after resolving, and fails (and retries) till then.
        hint = name_suggests_internal(url)
        if hint:
            raise ValidationFailed(f"url is not allowed: its host is {hint}.",
                                   details={"url": [f"The host is {hint}."]}) from None
    except UnsafeUrl as exc:
        raise ValidationFailed(f"url is not allowed: {exc}", details={"url": [str(exc)]}) from None
    return url


def _clean_events(events) -> list[str]:
    if events is None:
        return [t for t in SUBSCRIBABLE if t != EventType.WEBHOOK_TEST]
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ValidationFailed("events must be a non-empty list of event types.",
                               details={"events": [f"Choose from: {', '.join(SUBSCRIBABLE)}."]})
    unknown = [e for e in events if e not in SUBSCRIBABLE]
    if unknown:
        raise ValidationFailed(f"Unknown event type: {unknown[0]}.",
                               details={"events": [f"Unknown: {', '.join(unknown)}. Choose from: {', '.join(SUBSCRIBABLE)}."]})
    return list(dict.fromkeys(events))


def endpoint_create(*, account, url: str | None, events: list[str] | None) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its secret (shown to the customer once)."""
    url = _clean_url(url)  # resolves DNS: done before the transaction
    events = _clean_events(events)
    with transaction.atomic():
        # Lock the account row so two concurrent creates can't both pass the cap.
        User.objects.select_for_update().filter(pk=account.pk).first()
        if WebhookEndpoint.objects.filter(account=account).count() >= settings.WEBHOOK_MAX_PER_ACCOUNT:
            raise ValidationFailed(
                f"At most {settings.WEBHOOK_MAX_PER_ACCOUNT} webhooks per account; delete one first.",
                details={"webhooks": [f"Limit of {settings.WEBHOOK_MAX_PER_ACCOUNT} webhooks reached."]},
            )
        secret = new_secret()
        endpoint = WebhookEndpoint.objects.create(account=account, url=url, events=events, secret=secret)
    return endpoint, secret


_UNSET = object()


def endpoint_update(*, account, endpoint_id: str, url=_UNSET, events=_UNSET, status=_UNSET) -> WebhookEndpoint:
    endpoint_get(account=account, endpoint_id=endpoint_id)  # 404 before any validation
    changes: dict[str, Any] = {}
    if url is not _UNSET:
        changes["url"] = _clean_url(url)
    if events is not _UNSET:
        if events is None:
            raise ValidationFailed("events must be a non-empty list of event types.",
                                   details={"events": ["Must be a non-empty list."]})
        changes["events"] = _clean_events(events)
    if status is not _UNSET:
        if status not in EndpointStatus.values:
            raise ValidationFailed(f"status must be one of {', '.join(EndpointStatus.values)}.",
                                   details={"status": [f"Choose from: {', '.join(EndpointStatus.values)}."]})
        changes["status"] = status
    with transaction.atomic():
        endpoint = endpoint_get(account=account, endpoint_id=endpoint_id, for_update=True)
        for field, value in changes.items():
            setattr(endpoint, field, value)
        if changes.get("status") == EndpointStatus.ACTIVE:
            endpoint.failure_count = 0
        endpoint.save()
    return endpoint


def endpoint_delete(*, account, endpoint_id: str) -> None:
    endpoint = endpoint_get(account=account, endpoint_id=endpoint_id)
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, account, endpoint_id: str) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing beside it for WEBHOOK_SECRET_OVERLAP."""
    endpoint = endpoint_get(account=account, endpoint_id=endpoint_id, for_update=True)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + dt.timedelta(seconds=settings.WEBHOOK_SECRET_OVERLAP)
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint, secret


@transaction.atomic
def endpoint_send_test(*, account, endpoint_id: str) -> Delivery:
    endpoint = endpoint_get(account=account, endpoint_id=endpoint_id)
    event = event_emit(
        account=account, type=EventType.WEBHOOK_TEST, endpoints=[endpoint],
        data={"webhookId": endpoint.id, "message": "This is a test event from Audome."},
    )
    return event.deliveries.get()


@transaction.atomic
def delivery_resend(*, account, endpoint_id: str, delivery_id: str) -> Delivery:
    """Send an event again by hand: a new delivery (own id, own retries) of the same event."""
    original = delivery_get(account=account, endpoint_id=endpoint_id, delivery_id=delivery_id)
    delivery = Delivery.objects.create(event=original.event, endpoint=original.endpoint,
                                       next_attempt_at=timezone.now(), redelivery_of=original)
    _queue_on_commit([delivery.id])
    return delivery
