"""What the sync and async clients share: the description of a call (`Call`), the retry policy,
response parsing, and the resource groups whose operations are one request each. A resource is
generic over what sending a call returns — a dict for `Audome`, an awaitable dict for `AsyncAudome`."""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from audome import __version__
from audome.config import resolve_base_url, resolve_token
from audome.errors import AuthenticationError, error_from_response, retry_after_of

JSON = dict[str, Any]
R = TypeVar("R")
TERMINAL_STATUSES = ("completed", "failed", "canceled")
# 429 and 503 mean "not done, come back later": any call may be repeated. Other 5xx answers and
# network errors may come after the server acted, so only calls that are safe to repeat retry.
ALWAYS_RETRY = (429, 503)
RETRY_IF_SAFE = (500, 502, 504)


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    auth: bool = True
    idempotent: bool = False  # a POST that changes nothing when repeated (a preview: free, cached)

    @property
    def safe_to_repeat(self) -> bool:
        return self.idempotent or self.method in ("GET", "HEAD") or "Idempotency-Key" in self.headers


def new_idempotency_key() -> str:
    return f"sdk_{uuid.uuid4().hex}"


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the None values of a body or query."""
    return {key: value for key, value in values.items() if value is not None}


class BaseClient:
    def __init__(self, token: str | None = None, *, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 3, max_retry_wait: float = 60.0) -> None:
        self.token = resolve_token(token)
        self.base_url = resolve_base_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait

    def _headers(self, call: Call) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": f"audome-python/{__version__}", **call.headers}
        if call.auth:
            if not self.token:
                raise AuthenticationError("No API token: set AUDOME_TOKEN, run `audome login`, or pass a token.",
                                          code="UNAUTHORIZED")
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _request_kwargs(self, call: Call) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"headers": self._headers(call), "params": clean(call.params or {}) or None}
        if call.files is not None:
            kwargs.update(files=call.files, data=call.data)
        elif call.json is not None:
            kwargs["json"] = call.json
        return kwargs

    def _retry_delay(self, call: Call, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when the call should not retry."""
        if attempt >= self.max_retries:
            return None
        if response is None:
            retry = call.safe_to_repeat
        else:
            retry = response.status_code in ALWAYS_RETRY or (
                response.status_code in RETRY_IF_SAFE and call.safe_to_repeat)
        if not retry:
            return None
        hinted = retry_after_of(response.headers) if response is not None else None
        if hinted is not None:
            return hinted if hinted <= self.max_retry_wait else None
        return float(min(8.0, 0.5 * 2 ** attempt) * (0.75 + random.random() / 2))

    @staticmethod
    def _parse(response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise error_from_response(response.status_code, body, response.headers)
        return body


class _Resource(Generic[R]):
    def __init__(self, send: Callable[[Call], R]) -> None:
        self._send = send


class Projects(_Resource[R]):
    def list(self, *, search: str | None = None, category_id: str | None = None, page: int = 1,
             limit: int = 50) -> R:
        """`{projects: [...], pagination}`: the account's templates."""
        return self._send(Call("GET", "/api/render/projects",
                               params={"search": search, "categoryId": category_id, "page": page, "limit": limit}))

    def get(self, project_id: str) -> R:
        """One template, with its `dynamicElements` (the keys `data` may set)."""
        return self._send(Call("GET", f"/api/render/projects/{project_id}"))


class Generations(_Resource[R]):
    def list(self, *, status: str | None = None, project_id: str | None = None, page: int = 1,
             limit: int = 50) -> R:
        return self._send(Call("GET", "/api/render/generations",
                               params={"status": status, "projectId": project_id, "page": page, "limit": limit}))

    def get(self, generation_id: str) -> R:
        return self._send(Call("GET", f"/api/render/generations/{generation_id}"))

    def cancel(self, generation_id: str) -> R:
        """Cancel a pending render (409 CONFLICT once it runs)."""
        return self._send(Call("POST", f"/api/render/generations/{generation_id}/cancel"))

    def delete(self, generation_id: str) -> R:
        return self._send(Call("DELETE", f"/api/render/generations/{generation_id}"))


class Batches(_Resource[R]):
    def create(self, project_id: str | None = None, rows: list[dict[str, Any]] | None = None, *,
               csv: bytes | None = None, project_ids: list[str] | None = None, format: str | None = None,
               quality: int | None = None, notify_each_row: bool | None = None,
               idempotency_key: str | None = None) -> R:
        """Start a batch from `rows` (a list of `data` objects, or `{data, metadata?, format?}`) or from
        the bytes of a CSV whose columns are `<key>.text` / `<key>.img`. Answers the batch (202)."""
        headers = {"Idempotency-Key": idempotency_key or new_idempotency_key()}
        fields = clean({"projectId": project_id, "format": format, "quality": quality,
                        "notifyEachRow": notify_each_row})
        if csv is not None:
            data = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in fields.items()}
            if project_ids:
                data["projectIds"] = ",".join(project_ids)
            return self._send(Call("POST", "/api/render/batches", headers=headers, data=data,
                                   files={"file": ("rows.csv", csv, "text/csv")}))
        body = {**fields, **clean({"projectIds": project_ids}), "rows": rows or []}
        return self._send(Call("POST", "/api/render/batches", json=body, headers=headers))

    def list(self, *, status: str | None = None, page: int = 1, limit: int = 50) -> R:
        return self._send(Call("GET", "/api/render/batches", params={"status": status, "page": page, "limit": limit}))

    def get(self, batch_id: str, *, status: str | None = None, page: int = 1, limit: int = 50) -> R:
        """The batch with its counts and progress, and one page of its rows."""
        return self._send(Call("GET", f"/api/render/batches/{batch_id}",
                               params={"status": status, "page": page, "limit": limit}))

    def cancel(self, batch_id: str) -> R:
        return self._send(Call("POST", f"/api/render/batches/{batch_id}/cancel"))

    def retry(self, batch_id: str) -> R:
        """Retry the failed rows of a finished batch, as a new batch."""
        return self._send(Call("POST", f"/api/render/batches/{batch_id}/retry"))


class Webhooks(_Resource[R]):
    def list(self) -> R:
        return self._send(Call("GET", "/api/webhooks"))

    def deliveries(self, webhook_id: str) -> R:
        return self._send(Call("GET", f"/api/webhooks/{webhook_id}/deliveries"))


class Tokens(_Resource[R]):
    def list(self) -> R:
        return self._send(Call("GET", "/api/tokens"))


def generate_call(project_id: str | None, data: Mapping[str, Any] | None, *, html: str | None, format: str | None,
                  quality: int | None, width: int | None, height: int | None, background_color: str | None,
                  metadata: Mapping[str, Any] | None, run_async: bool, idempotency_key: str | None,
                  scale: float | None = None, fit: str | None = None) -> Call:
    body = clean({"projectId": project_id, "html": html, "data": dict(data) if data else None, "format": format,
                  "quality": quality, "width": width, "height": height, "scale": scale, "fit": fit,
                  "backgroundColor": background_color,
                  "metadata": dict(metadata) if metadata is not None else None})
    if run_async:
        body["async"] = True
    return Call("POST", "/api/render/generate", json=body,
                headers={"Idempotency-Key": idempotency_key or new_idempotency_key()})


def preview_call(project_id: str, data: Mapping[str, Any] | None) -> Call:
    return Call("POST", "/api/render/preview", json=clean({"projectId": project_id, "data": dict(data) if data else None}),
                idempotent=True)


def device_code_call(app_name: str, app_type: str, app_version: str) -> Call:
    return Call("POST", "/api/auth/device/code", json={"appName": app_name, "appType": app_type,
                                                       "appVersion": app_version}, auth=False)


def device_token_call(device_code: str) -> Call:
    return Call("POST", "/api/auth/device/token", json={"deviceCode": device_code}, auth=False)
