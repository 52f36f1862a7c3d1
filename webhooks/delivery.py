"""Delivering events (the body of the `webhooks.deliver` task and of the sweeper).

`delivery_attempt` claims a delivery with a conditional update (a lease recorded with the
holder's host:pid), writes the attempt row BEFORE the POST, posts through core.netguard (the
destination is re-checked every time, redirects are not followed), then records the outcome
and the next retry. A destination gets WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT attempts at once (one
while failing), so a slow or dead one can't fill the workers. A worker that dies mid-attempt
leaves its lease behind: the next claimer takes it over at once when the holder's process is
gone from this host, else when the lease runs out; `deliveries_sweep` re-queues such deliveries
and anything whose message was lost."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.netguard import FetchError, UnsafeUrl, safe_request
from core.processes import process_is_gone, process_label
from webhooks.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookEndpoint,
)
from webhooks.signing import event_body, signature_header

log = logging.getLogger(__name__)

USER_AGENT = "Audome-Webhooks/1.0"
EXCERPT_BYTES = 1024
MAX_INTERRUPTIONS = 5  # attempts lost with their worker before the delivery is given up


def queue_deliveries(delivery_ids, *, countdown: float | None = None) -> int:
    """Send delivery tasks to the broker. A broker that is down loses nothing: the rows stay
    due and the sweeper queues them again."""
    from webhooks.tasks import deliver

    sent = 0
    for delivery_id in delivery_ids:
        try:
            if countdown:
                deliver.apply_async((delivery_id,), countdown=countdown)
            else:
                deliver.apply_async((delivery_id,))
            sent += 1
        except Exception:  # noqa: BLE001 — the broker is down; the sweeper will retry
            log.warning("webhooks: could not queue delivery %s; the sweeper will", delivery_id, exc_info=True)
            break
    return sent



def signing_secrets(endpoint: WebhookEndpoint, now=None) -> list[str]:
    now = now or timezone.now()
    live = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        live.append(endpoint.previous_secret)
    return live



def _excerpt(content: bytes) -> str:
    return content[:EXCERPT_BYTES].decode("utf-8", errors="replace")[:EXCERPT_BYTES]


def _due(now):
    return Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
                                   next_attempt_at__lte=now)


FAILING_AFTER = 1  # a destination whose last attempt failed gets one attempt at a time


def _over_cap(delivery_id: str, now) -> bool:
    """A destination gets a few attempts in flight at once (one while it is failing), so a slow
    or dead one can't fill the webhook workers and hold up other customers' deliveries. Runs in
    the claim's transaction with the endpoint row locked, so concurrent claims count right."""
    row = _due(now).filter(pk=delivery_id).values("endpoint_id").first()
    if row is None:
        return False
    endpoint = (WebhookEndpoint.objects.select_for_update().filter(pk=row["endpoint_id"])
                .values("failure_count").first())
    if endpoint is None:
        return False
    cap = 1 if endpoint["failure_count"] >= FAILING_AFTER else settings.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT
    in_flight = (_due(now).filter(endpoint_id=row["endpoint_id"], locked_until__gte=now)
                 .exclude(pk=delivery_id).count())
    return in_flight >= cap


def _postpone(delivery_id: str, now) -> None:
    """Over the cap: wait a few seconds, without spending an attempt, then be queued again."""
    delay = float(settings.WEBHOOK_BUSY_POSTPONE)
    moved = _due(now).filter(pk=delivery_id).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)).update(
        next_attempt_at=now + dt.timedelta(seconds=delay), updated_at=now)
    if moved:
        transaction.on_commit(lambda: queue_deliveries([delivery_id], countdown=delay))


def _claim(delivery_id: str, now) -> tuple[Delivery, DeliveryAttempt, dt.datetime] | Literal["postponed"] | None:
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    take = dict(locked_until=lease, locked_by=process_label(), attempt_count=F("attempt_count") + 1,
                updated_at=now)
    with transaction.atomic():
        free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        held = _due(now).filter(pk=delivery_id).exclude(free).values("locked_until", "locked_by").first()
        if held and not process_is_gone(held["locked_by"]):
            return None  # someone is attempting it right now
        if _over_cap(delivery_id, now):
            _postpone(delivery_id, now)
            return "postponed"
        if held:  # its holder died on this host: take it over without waiting for the lease
            claimed = _due(now).filter(pk=delivery_id, **held).update(**take)
        else:
            claimed = _due(now).filter(pk=delivery_id).filter(free).update(**take)
        if not claimed:
            return None
        delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
        # Attempts a dead worker left open are closed as interrupted (the answer never came back).
        DeliveryAttempt.objects.filter(delivery=delivery, outcome=AttemptOutcome.IN_PROGRESS).update(
            outcome=AttemptOutcome.INTERRUPTED, finished_at=now,
            error="Interrupted: the worker stopped before the answer was recorded; sent again.",
        )
        interrupted = DeliveryAttempt.objects.filter(delivery=delivery, outcome=AttemptOutcome.INTERRUPTED).count()
        if interrupted >= MAX_INTERRUPTIONS:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, locked_until=None, locked_by="", next_attempt_at=None, updated_at=now,
                attempt_count=F("attempt_count") - 1, last_error="Gave up: every attempt was interrupted.",
            )
            return None
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempt_count, started_at=now, url=delivery.endpoint.url,
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(last_triggered_at=now)
    return delivery, attempt, lease


def delivery_attempt(*, delivery_id: str) -> str:
    """One attempt of a delivery, if it is due and nobody else is making one. Returns what happened."""
    claimed = _claim(delivery_id, timezone.now())
    if claimed is None:
        return "skipped"
    if claimed == "postponed":
        return "postponed"
    delivery, attempt, lease = claimed
    endpoint, event = delivery.endpoint, delivery.event

    body = event_body(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Audome-Event": event.type,
        # The event's id, as in the body: the same on every attempt and on a manual resend, so a
        # receiver can drop what it has already handled without parsing the body.
        "Audome-Delivery": event.id,
        "Audome-Signature": signature_header(signing_secrets(endpoint), body),
    }
    status_code = response_ms = None
    excerpt = error = ""
    try:
        # The destination is checked again now (DNS may have changed); redirects are not followed.
        response = safe_request("POST", endpoint.url, headers=headers, body=body, timeout=settings.WEBHOOK_TIMEOUT,
                                max_bytes=EXCERPT_BYTES, truncate=True, follow_redirects=False)
        status_code, response_ms = response.status, round(response.elapsed_ms)
        excerpt = _excerpt(response.content)
        ok = 200 <= response.status < 300
        if not ok:
            error = f"HTTP {response.status}"
    except UnsafeUrl as exc:
        ok, error = False, f"Refused: {exc}"
    except FetchError as exc:
        ok, error = False, str(exc)
    except Exception as exc:  # noqa: BLE001 — the time limit, or a bug: record it rather than leave it hanging
        log.exception("webhooks: attempt %s of %s crashed", attempt.number, delivery.id)
        ok, error = False, f"Internal error: {exc.__class__.__name__}"
    return _record(delivery, attempt, lease, ok=ok, status_code=status_code, response_ms=response_ms,
                   excerpt=excerpt, error=error[:500])


def _record(delivery, attempt, lease, *, ok, status_code, response_ms, excerpt, error) -> str:
    now = timezone.now()
    schedule = list(settings.WEBHOOK_RETRY_SCHEDULE)
    next_at = None
    retry_in = None
    with transaction.atomic():
        if ok:
            outcome, new_status = AttemptOutcome.SUCCEEDED, DeliveryStatus.SUCCEEDED
        elif delivery.retry_step < len(schedule):
            retry_in = float(schedule[delivery.retry_step])
            next_at = now + dt.timedelta(seconds=retry_in)
            outcome, new_status = AttemptOutcome.FAILED, DeliveryStatus.RETRYING
        else:
            outcome, new_status = AttemptOutcome.FAILED, DeliveryStatus.FAILED
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome, finished_at=now, status_code=status_code, response_ms=response_ms,
            response_excerpt=excerpt, error=error, next_retry_at=next_at,
        )
        changes = dict(
            status=new_status, locked_until=None, locked_by="", next_attempt_at=next_at, last_status_code=status_code,
            last_response_ms=response_ms, last_response_excerpt=excerpt, last_error=error, updated_at=now,
        )
        if ok:
            changes["delivered_at"] = now
        elif next_at is not None:
            changes["retry_step"] = F("retry_step") + 1
        # Only the holder of the lease moves the delivery on (a worker presumed dead that comes
        # back late records its attempt but changes nothing else).
        moved = Delivery.objects.filter(pk=delivery.pk, locked_until=lease).update(**changes)
        if ok:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failure_count=0, last_success_at=now)
        else:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failure_count=F("failure_count") + 1)
    if moved and retry_in is not None and retry_in <= settings.WEBHOOK_ETA_MAX:
        queue_deliveries([delivery.id], countdown=retry_in)
    return new_status if moved else "lost-lease"


def deliveries_sweep() -> dict:
    """Re-queue deliveries that are due but not being attempted: their message was lost (broker
    restart), their retry is too far off for a countdown, or their worker died mid-attempt."""
    now = timezone.now()
    grace = dt.timedelta(seconds=settings.WEBHOOK_REQUEUE_GRACE)
    due = list(
        Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
                                next_attempt_at__lte=now - grace)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:1000]
    )
    # Attempts whose worker died: the lease ran out, or the holder was a process on this host
    # that is gone (no need to wait for its lease).
    stuck = list(
        _due(now).filter(locked_until__lt=now).exclude(pk__in=due).values_list("id", flat=True)[:1000]
    )
    for row in _due(now).filter(locked_until__gte=now).values("id", "locked_by")[:1000]:
        if process_is_gone(row["locked_by"]):
            stuck.append(row["id"])
    ids = due + stuck
    queued = queue_deliveries(ids)
    # The log keeps finished deliveries for WEBHOOK_LOG_RETENTION_DAYS (their attempts go with them).
    cutoff = now - dt.timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    old = list(Delivery.objects.filter(status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED],
                                       created_at__lt=cutoff).values_list("id", flat=True)[:1000])
    pruned = Delivery.objects.filter(pk__in=old).delete()[0] if old else 0
    return {"due": len(due), "stuck": len(stuck), "queued": queued, "pruned": pruned}
