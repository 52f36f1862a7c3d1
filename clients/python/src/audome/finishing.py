"""Decisions both clients make the same way once an answer is in: is a render finished well,
and what a device-token poll's answer means."""
from __future__ import annotations

from typing import Any

from audome.errors import APIError, AudomeError, DeviceLoginError, RenderCanceledError, RenderFailedError

SLOW_DOWN_STEP = 5.0


def finished_render(record: dict[str, Any]) -> dict[str, Any]:
    """The record of a completed render; raises for a failed or canceled one."""
    status = record.get("status")
    generation_id = record.get("generationId")
    if status == "failed":
        raise RenderFailedError(str(record.get("error") or "The render failed."), code=record.get("errorCode"),
                                generation_id=generation_id, body=record)
    if status == "canceled":
        raise RenderCanceledError(f"Render {generation_id} was canceled.", code="CANCELED",
                                  generation_id=generation_id, body=record)
    return record


def device_poll_outcome(error: AudomeError, interval: float) -> float:
    """The interval to wait before the next poll, or raises when the login is over."""
    if not isinstance(error, APIError) or error.status != 400:
        if error.retryable:
            return interval
        raise error
    answer = error.body.get("error")
    if answer == "authorization_pending":
        return float(error.body.get("interval") or interval)
    if answer == "slow_down":
        return float(error.body.get("interval") or interval + SLOW_DOWN_STEP)
    if answer == "access_denied":
        raise DeviceLoginError("The login was denied in the browser.", code="ACCESS_DENIED",
                               request_id=error.request_id)
    if answer == "expired_token":
        raise DeviceLoginError("The code expired before it was approved. Run the login again.",
                               code="EXPIRED_TOKEN", request_id=error.request_id)
    raise DeviceLoginError(error.message, code=error.code, request_id=error.request_id)
