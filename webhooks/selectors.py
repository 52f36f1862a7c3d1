"""Reads: an account sees only its own endpoints and deliveries (others' are not found)."""
from django.db.models import Prefetch, QuerySet

from core.errors import NotFound
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint


def endpoint_list(*, account) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(account=account).order_by("created_at")


def endpoint_get(*, account, endpoint_id: str, for_update: bool = False) -> WebhookEndpoint:
    qs = WebhookEndpoint.objects.filter(account=account, pk=str(endpoint_id)[:40])
    if for_update:
        qs = qs.select_for_update()
    endpoint = qs.first()
    if endpoint is None:
        raise NotFound("Webhook not found.")
    return endpoint


def delivery_list(*, account, endpoint_id: str) -> QuerySet[Delivery]:
    endpoint = endpoint_get(account=account, endpoint_id=endpoint_id)
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )


def delivery_get(*, account, endpoint_id: str, delivery_id: str) -> Delivery:
    endpoint = endpoint_get(account=account, endpoint_id=endpoint_id)
    delivery = Delivery.objects.select_related("event", "endpoint").filter(
        endpoint=endpoint, pk=str(delivery_id)[:40]).first()
    if delivery is None:
        raise NotFound("Delivery not found.")
    return delivery
