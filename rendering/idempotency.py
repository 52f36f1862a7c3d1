"""`Idempotency-Key` for POST /api/render/generate: per account, kept 24 h. The same key with
the same body replays the first answer (status + body) and charges nothing; another body, or
a first request still running → 409. A first answer of 429 or 5xx does not use the key up."""
import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from core.errors import ApiError, Conflict, ValidationFailed, error_response
from rendering.models import IdempotencyRecord
from rendering.serializers import server_timing

MAX_KEY_LENGTH = 255


def check_key(key: str) -> str:
    if not key.strip():
        raise ValidationFailed("Idempotency-Key must not be empty.", details={"Idempotency-Key": ["Must not be empty."]})
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.",
                               details={"Idempotency-Key": [f"Must be at most {MAX_KEY_LENGTH} characters."]})
    return key


def body_hash(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_begin(*, account, key: str, request_hash: str) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """(new running record, None) for a first request, or (None, finished record) to replay."""
    for _ in range(5):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(account=account, key=key, request_hash=request_hash)
            return record, None
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(account=account, key=key).first()
            if existing is None:
                continue
            now = timezone.now()
            expired = existing.created_at < now - dt.timedelta(seconds=settings.IDEMPOTENCY_TTL)
            abandoned = existing.running and existing.created_at < now - dt.timedelta(
                seconds=settings.RENDER_SYNC_TIMEOUT + 120
            )
            if expired or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.request_hash != request_hash:
                raise Conflict("This Idempotency-Key was already used with a different request body.")
            if existing.running:
                raise Conflict("A request with this Idempotency-Key is still being processed.")
            return None, existing
    raise Conflict("This Idempotency-Key is busy; try again.")


def idempotency_finish(record: IdempotencyRecord, *, status: int, body, generation_id: str = "") -> None:
    if status == 429 or status >= 500:
        record.delete()  # not used up: the client may retry with the same key
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        running=False, response_status=status, response_body=body, generation_id=generation_id or ""
    )


def idempotency_abort(record: IdempotencyRecord) -> None:
    record.delete()


def idempotent_response(request, *, request_hash: str, run: Callable[[str | None], Response]) -> Response:
    """A POST under the contract's `Idempotency-Key` rules: without the header, `run(None)`;
    with it, the first answer replayed (`Idempotent-Replayed: true`) for the same body, 409 for
    another body or while the first is running, and `run(key)` once otherwise — its answer kept
    unless it was a 429 or a 5xx (then the key isn't used up). An answer's `generationId` is
    recorded with it."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return run(None)
    check_key(key)
    record, replay = idempotency_begin(account=request.user, key=key, request_hash=request_hash)
    if replay is not None:
        headers = {"Idempotent-Replayed": "true"}
        body = replay.response_body
        if replay.response_status == 200 and isinstance(body, dict) and isinstance(body.get("timings"), dict):
            headers["Server-Timing"] = server_timing(body["timings"])  # the first answer's, as its body's
        return Response(body, status=replay.response_status, headers=headers)
    assert record is not None, "idempotency_begin gives a record or a replay"
    try:
        response = run(key)
    except ApiError as error:
        response = error_response(error, request)
    except BaseException:
        idempotency_abort(record)
        raise
    generation_id = response.data.get("generationId", "") if isinstance(response.data, dict) else ""
    idempotency_finish(record, status=response.status_code, body=response.data, generation_id=generation_id)
    return response
