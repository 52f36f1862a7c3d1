"""The shapes of endpoints and deliveries that leave the process (REST and pages)."""
from core.timefmt import iso
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint


def endpoint_to_dict(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "status": endpoint.status,
        "createdAt": iso(endpoint.created_at),
        "lastTriggeredAt": iso(endpoint.last_triggered_at),
        "lastSuccessAt": iso(endpoint.last_success_at),
        "failureCount": endpoint.failure_count,
    }


def attempt_to_dict(attempt: DeliveryAttempt) -> dict:
    return {
        "number": attempt.number,
        "startedAt": iso(attempt.started_at),
        "finishedAt": iso(attempt.finished_at),
        "outcome": attempt.outcome,
        "statusCode": attempt.status_code,
        "responseTimeMs": attempt.response_ms,
        "responseExcerpt": attempt.response_excerpt,
        "error": attempt.error or None,
        "nextRetryAt": iso(attempt.next_retry_at),
    }


def delivery_to_dict(delivery: Delivery, *, with_attempts: bool = True) -> dict:
    body = {
        "id": delivery.id,
        "webhookId": delivery.endpoint_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event.type,
        "status": delivery.status,
        "createdAt": iso(delivery.created_at),
        "attemptCount": delivery.attempt_count,
        "statusCode": delivery.last_status_code,
        "responseTimeMs": delivery.last_response_ms,
        "responseExcerpt": delivery.last_response_excerpt,
        "error": delivery.last_error or None,
        "nextRetryAt": iso(delivery.next_attempt_at) if delivery.status in ("pending", "retrying") else None,
        "deliveredAt": iso(delivery.delivered_at),
        "redeliveryOf": delivery.redelivery_of_id,
    }
    if with_attempts:
        body["attempts"] = [attempt_to_dict(a) for a in delivery.attempts.all()]
    return body
