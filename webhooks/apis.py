"""/api/webhooks (contract §5). Embed session tokens are shut out of all of it."""
from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ValidationFailed
from core.pagination import paginated_response
from webhooks.selectors import delivery_list, endpoint_get, endpoint_list
from webhooks.serializers import delivery_to_dict, endpoint_to_dict
from webhooks.services import (
    SUBSCRIBABLE,
    delivery_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_send_test,
    endpoint_update,
)

TAGS = ["Webhooks"]
WEBHOOK_SCHEMA = inline_serializer(
    "Webhook",
    {
        "id": serializers.CharField(), "url": serializers.URLField(),
        "events": serializers.ListField(child=serializers.ChoiceField(SUBSCRIBABLE)),
        "status": serializers.CharField(help_text="active | disabled"), "createdAt": serializers.DateTimeField(),
        "lastTriggeredAt": serializers.DateTimeField(allow_null=True),
        "lastSuccessAt": serializers.DateTimeField(allow_null=True), "failureCount": serializers.IntegerField(),
    },
)
ATTEMPT_SCHEMA = inline_serializer(
    "WebhookDeliveryAttempt",
    {
        "number": serializers.IntegerField(), "startedAt": serializers.DateTimeField(),
        "finishedAt": serializers.DateTimeField(allow_null=True),
        "outcome": serializers.CharField(help_text="in_progress | succeeded | failed | interrupted"),
        "statusCode": serializers.IntegerField(allow_null=True), "responseTimeMs": serializers.IntegerField(allow_null=True),
        "responseExcerpt": serializers.CharField(help_text="First 1 KB of the answer."),
        "error": serializers.CharField(allow_null=True), "nextRetryAt": serializers.DateTimeField(allow_null=True),
    },
)
DELIVERY_SCHEMA = inline_serializer(
    "WebhookDelivery",
    {
        "id": serializers.CharField(help_text="The delivery's id (dlv_…); resend it with this id."),
        "webhookId": serializers.CharField(), "eventId": serializers.CharField(), "eventType": serializers.CharField(),
        "status": serializers.CharField(help_text="pending | retrying | succeeded | failed"),
        "createdAt": serializers.DateTimeField(), "attemptCount": serializers.IntegerField(),
        "statusCode": serializers.IntegerField(allow_null=True), "responseTimeMs": serializers.IntegerField(allow_null=True),
        "responseExcerpt": serializers.CharField(), "error": serializers.CharField(allow_null=True),
        "nextRetryAt": serializers.DateTimeField(allow_null=True), "deliveredAt": serializers.DateTimeField(allow_null=True),
        "redeliveryOf": serializers.CharField(allow_null=True), "attempts": ATTEMPT_SCHEMA.__class__(many=True),
    },
)
PAGINATION_SCHEMA = inline_serializer(
    "WebhookPagination",
    {"page": serializers.IntegerField(), "limit": serializers.IntegerField(), "totalCount": serializers.IntegerField(),
     "totalPages": serializers.IntegerField(), "hasNext": serializers.BooleanField()},
)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed("Body must be a JSON object.")
    return request.data


class WebhookListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "full-access"}
    embed_allowed = False

    class WebhookCreateInputSerializer(serializers.Serializer):
        url = serializers.URLField(help_text="https:// only; must not resolve to an internal address.")
        events = serializers.ListField(child=serializers.ChoiceField(SUBSCRIBABLE), required=False,
                                       help_text="Event types to receive (default: all but webhook.test).")

    @extend_schema(
        summary="List webhook destinations", tags=TAGS, operation_id="webhooks_list",
        responses=inline_serializer("WebhookList", {"success": serializers.BooleanField(),
                                                    "webhooks": WEBHOOK_SCHEMA.__class__(many=True),
                                                    "maxWebhooks": serializers.IntegerField()}),
    )
    def get(self, request):
        webhooks = [endpoint_to_dict(e) for e in endpoint_list(account=request.user)]
        return Response({"success": True, "webhooks": webhooks, "maxWebhooks": settings.WEBHOOK_MAX_PER_ACCOUNT})

    @extend_schema(
        summary="Add a webhook destination (the signing secret is shown once)", tags=TAGS,
        request=WebhookCreateInputSerializer, operation_id="webhooks_create",
        description="At most 5 per account. The URL must be https:// and must not resolve to a private, loopback, "
                    "link-local or otherwise internal address. The response carries the destination's fields, the "
                    "same again under `webhook`, and `secret` (whsec_…), which is never shown again.",
        responses={201: inline_serializer("WebhookCreated", {"success": serializers.BooleanField(),
                                                              "secret": serializers.CharField(),
                                                              "webhook": WEBHOOK_SCHEMA,
                                                              "warning": serializers.CharField()})},
    )
    def post(self, request):
        data = _body(request)
        endpoint, secret = endpoint_create(account=request.user, url=data.get("url"), events=data.get("events"))
        webhook = endpoint_to_dict(endpoint)
        return Response(
            {"success": True, **webhook, "secret": secret, "webhook": webhook,
             "warning": "Store this secret now: it will not be shown again."},
            status=201,
        )


class WebhookDetailApi(APIView):
    required_scope = {"GET": "read-only", "PATCH": "full-access", "DELETE": "full-access"}
    embed_allowed = False

    class WebhookUpdateInputSerializer(serializers.Serializer):
        url = serializers.URLField(required=False, help_text="Checked like at creation.")
        events = serializers.ListField(child=serializers.ChoiceField(SUBSCRIBABLE), required=False)
        status = serializers.CharField(required=False, help_text="active | disabled (a disabled destination "
                                                                 "gets no new events).")

    @extend_schema(summary="One webhook destination", tags=TAGS, operation_id="webhooks_retrieve",
                   responses=inline_serializer("WebhookOne", {"success": serializers.BooleanField(), "webhook": WEBHOOK_SCHEMA}))
    def get(self, request, webhook_id: str):
        endpoint = endpoint_get(account=request.user, endpoint_id=webhook_id)
        return Response({"success": True, "webhook": endpoint_to_dict(endpoint)})

    @extend_schema(summary="Change a destination's URL, events or status (active/disabled)", tags=TAGS,
                   operation_id="webhooks_update", request=WebhookUpdateInputSerializer,
                   responses=inline_serializer("WebhookUpdated", {"success": serializers.BooleanField(), "webhook": WEBHOOK_SCHEMA}))
    def patch(self, request, webhook_id: str):
        data = _body(request)
        endpoint = endpoint_update(account=request.user, endpoint_id=webhook_id, **{
            k: data[k] for k in ("url", "events", "status") if k in data})
        return Response({"success": True, "webhook": endpoint_to_dict(endpoint)})

    @extend_schema(summary="Delete a webhook destination (pending deliveries to it are dropped)", tags=TAGS,
                   operation_id="webhooks_destroy",
                   request=None, responses=inline_serializer("WebhookDeleted", {"success": serializers.BooleanField(),
                                                                                 "id": serializers.CharField()}))
    def delete(self, request, webhook_id: str):
        endpoint_delete(account=request.user, endpoint_id=webhook_id)
        return Response({"success": True, "id": webhook_id})


class WebhookTestApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(summary="Send a webhook.test event to this destination", tags=TAGS, request=None,
                   operation_id="webhooks_test",
                   description="Queues one `webhook.test` event for this destination only (whatever its event "
                               "list), delivered and retried like any other event.",
                   responses=inline_serializer("WebhookTestSent", {"success": serializers.BooleanField(),
                                                                    "eventId": serializers.CharField(),
                                                                    "delivery": DELIVERY_SCHEMA}))
    def post(self, request, webhook_id: str):
        delivery = endpoint_send_test(account=request.user, endpoint_id=webhook_id)
        return Response({"success": True, "eventId": delivery.event_id, "delivery": delivery_to_dict(delivery)})


class WebhookRotateSecretApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(summary="Roll the signing secret", tags=TAGS, request=None, operation_id="webhooks_rotate_secret",
                   description="Returns the new secret (shown once). For 24 hours deliveries carry two `v1=` "
                               "signatures, the new secret's first, so receivers can switch without downtime.",
                   responses=inline_serializer("WebhookSecretRotated", {"success": serializers.BooleanField(),
                                                                         "secret": serializers.CharField(),
                                                                         "previousSecretExpiresAt": serializers.DateTimeField()}))
    def post(self, request, webhook_id: str):
        from core.timefmt import iso

        endpoint, secret = endpoint_rotate_secret(account=request.user, endpoint_id=webhook_id)
        return Response({"success": True, "secret": secret,
                         "previousSecretExpiresAt": iso(endpoint.previous_secret_expires_at)})


class WebhookDeliveryListApi(APIView):
    required_scope = "read-only"
    embed_allowed = False

    @extend_schema(
        summary="Delivery log of a destination (every attempt, status codes, next retry)", tags=TAGS,
        operation_id="webhooks_deliveries_list",
        parameters=[OpenApiParameter("page", int, required=False), OpenApiParameter("limit", int, required=False,
                                                                                     description="≤ 100, default 50")],
        responses=inline_serializer("WebhookDeliveryList", {"success": serializers.BooleanField(),
                                                            "deliveries": DELIVERY_SCHEMA.__class__(many=True),
                                                            "pagination": PAGINATION_SCHEMA}),
    )
    def get(self, request, webhook_id: str):
        qs = delivery_list(account=request.user, endpoint_id=webhook_id)
        return paginated_response(request, qs, key="deliveries", serialize=delivery_to_dict)


class WebhookDeliveryResendApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(summary="Send an event again by hand", tags=TAGS, request=None,
                   operation_id="webhooks_deliveries_resend",
                   description="Creates a new delivery (own id and retries) of the same event: the "
                               "body, and its `id`, are the same as before.",
                   responses=inline_serializer("WebhookDeliveryResent", {"success": serializers.BooleanField(),
                                                                          "delivery": DELIVERY_SCHEMA}))
    def post(self, request, webhook_id: str, delivery_id: str):
        delivery = delivery_resend(account=request.user, endpoint_id=webhook_id, delivery_id=delivery_id)
        return Response({"success": True, "delivery": delivery_to_dict(delivery)})
