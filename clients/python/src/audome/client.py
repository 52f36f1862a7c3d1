"""`Audome`: the synchronous client.

    from audome import Audome
    Audome().render(project_id, {"title.text": "Hi"}, format="png").save("out.png")
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from audome._base import (
    JSON,
    TERMINAL_STATUSES,
    BaseClient,
    Batches,
    Call,
    Generations,
    Projects,
    Tokens,
    Webhooks,
    device_code_call,
    device_token_call,
    generate_call,
    preview_call,
)
from audome.errors import APIConnectionError, AudomeError, DeviceLoginError, WaitTimeoutError
from audome.finishing import device_poll_outcome, finished_render
from audome.results import DeviceCode, Preview, Render


class Audome(BaseClient):
    """Token from `token=`, else `AUDOME_TOKEN`, else the file `audome login` wrote; server from
    `base_url=`, else `AUDOME_BASE_URL`. Retries 429 and 5xx answers (honouring `Retry-After`)
    up to `max_retries` times; renders carry an idempotency key, so a retry never charges twice."""

    def __init__(self, token: str | None = None, *, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 3, max_retry_wait: float = 60.0, http_client: httpx.Client | None = None) -> None:
        super().__init__(token, base_url=base_url, timeout=timeout, max_retries=max_retries,
                         max_retry_wait=max_retry_wait)
        self._http = http_client or httpx.Client(timeout=timeout)
        self.projects: Projects[JSON] = Projects(self._send)
        self.generations: Generations[JSON] = Generations(self._send)
        self.batches: Batches[JSON] = Batches(self._send)
        self.webhooks: Webhooks[JSON] = Webhooks(self._send)
        self.tokens: Tokens[JSON] = Tokens(self._send)

    # --- plumbing ---------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Audome:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, call: Call) -> JSON:
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = self._http.request(call.method, self.base_url + call.path, **self._request_kwargs(call))
            except httpx.TransportError as exc:
                delay = self._retry_delay(call, attempt, None)
                if delay is None:
                    raise APIConnectionError(f"Could not reach {self.base_url}: {exc}") from exc
            else:
                delay = self._retry_delay(call, attempt, response) if response.status_code >= 400 else None
                if delay is None:
                    body: JSON = self._parse(response)
                    return body
            time.sleep(delay)
            attempt += 1

    def _fetch(self, url: str) -> bytes:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token and url.startswith(self.base_url) else {}
        try:
            response = self._http.get(url, headers=headers, follow_redirects=True)
        except httpx.TransportError as exc:
            raise APIConnectionError(f"Could not download {url}: {exc}") from exc
        if response.status_code >= 400:
            self._parse(response)
        return response.content

    # --- account ----------------------------------------------------------------------------
    def account(self) -> JSON:
        """`{user, token, credits, plan}`: who the token belongs to."""
        return self._send(Call("GET", "/api/account"))

    def usage(self) -> JSON:
        return self._send(Call("GET", "/api/account/usage"))

    def plan(self) -> JSON:
        """Plan, billing cycle, allowance used and left, next reset."""
        return self._send(Call("GET", "/api/account/plan"))

    def options(self) -> JSON:
        """Formats, quality range, canvas limits, size presets, fonts, credit costs, limits."""
        return self._send(Call("GET", "/api/render/options"))

    # --- rendering --------------------------------------------------------------------------
    def render(self, project_id: str | None = None, data: Mapping[str, Any] | None = None, *,
               html: str | None = None, format: str | None = None, quality: int | None = None,
               width: int | None = None, height: int | None = None, scale: float | None = None,
               fit: str | None = None, background_color: str | None = None,
               metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None, wait: bool = True,
               timeout: float = 120.0) -> Render:
        """Render a template with `data` (`{"title.text": …, "hero.img": …}`). With `wait=True` (the
        default) returns the finished render, waiting past the server's sync window if needed;
        with `wait=False` queues it and returns at once (`status` pending)."""
        call = generate_call(project_id, data, html=html, format=format, quality=quality, width=width,
                             height=height, scale=scale, fit=fit, background_color=background_color, metadata=metadata,
                             run_async=not wait, idempotency_key=idempotency_key)
        result = Render(self._send(call), self._fetch)
        if wait and result.status not in TERMINAL_STATUSES:
            return self.wait(result.generation_id, timeout=timeout)
        return result

    def wait(self, generation: str | Render, *, timeout: float = 120.0, poll_interval: float = 1.0) -> Render:
        """Poll a generation until it is completed (returned), failed (RenderFailedError) or canceled
        (RenderCanceledError); WaitTimeoutError after `timeout` seconds (the render goes on)."""
        generation_id = generation.generation_id if isinstance(generation, Render) else generation
        deadline = time.monotonic() + timeout
        while True:
            record = self.generations.get(generation_id)
            if record.get("status") in TERMINAL_STATUSES:
                return Render(finished_render(record), self._fetch)
            if time.monotonic() + poll_interval > deadline:
                raise WaitTimeoutError(f"Render {generation_id} still {record.get('status')} after {timeout:g}s.",
                                       code="WAIT_TIMEOUT")
            time.sleep(poll_interval)

    def preview(self, project_id: str, data: Mapping[str, Any] | None = None) -> Preview:
        """A free low-resolution WebP preview (rate-limited: 30/min, 200/h)."""
        return Preview(self._send(preview_call(project_id, data)), self._fetch)

    # --- batches ----------------------------------------------------------------------------
    def batch(self, project_id: str, rows: list[dict[str, Any]] | None = None, *, csv: bytes | str | Path | None = None,
              format: str | None = None, quality: int | None = None, idempotency_key: str | None = None,
              wait: bool = False, timeout: float = 3600.0,
              on_progress: Callable[[JSON], None] | None = None) -> JSON:
        """Start a batch from `rows` or a CSV (bytes or a file path); with `wait=True` return it finished."""
        csv_bytes = Path(csv).read_bytes() if isinstance(csv, (str, Path)) else csv
        batch = self.batches.create(project_id, rows, csv=csv_bytes, format=format, quality=quality,
                                    idempotency_key=idempotency_key)
        if wait:
            return self.wait_batch(batch["batchId"], timeout=timeout, on_progress=on_progress)
        return batch

    def wait_batch(self, batch_id: str, *, timeout: float = 3600.0, poll_interval: float = 1.0,
                   on_progress: Callable[[JSON], None] | None = None) -> JSON:
        deadline = time.monotonic() + timeout
        while True:
            batch = self.batches.get(batch_id, limit=1)
            if on_progress:
                on_progress(batch)
            if batch.get("status") in ("completed", "partial", "failed", "canceled"):
                return batch
            if time.monotonic() + poll_interval > deadline:
                raise WaitTimeoutError(f"Batch {batch_id} still {batch.get('status')} after {timeout:g}s.",
                                       code="WAIT_TIMEOUT")
            time.sleep(poll_interval)

    def download_batch(self, batch_id: str, path: str | Path) -> Path:
        """Stream the batch's ZIP (images + manifest.csv) to `path`."""
        target = Path(path)
        call = Call("GET", f"/api/render/batches/{batch_id}/download")
        with self._http.stream("GET", self.base_url + call.path, headers=self._headers(call)) as response:
            if response.status_code >= 400:
                response.read()
                self._parse(response)
            with target.open("wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
        return target

    # --- device-code login ------------------------------------------------------------------
    def request_device_code(self, app_name: str = "Audome Python", app_type: str = "sdk",
                            app_version: str = "") -> DeviceCode:
        from audome import __version__

        return DeviceCode(self._send(device_code_call(app_name, app_type, app_version or __version__)))

    def poll_device_token(self, code: DeviceCode, *, sleep: Callable[[float], None] = time.sleep) -> str:
        """Poll until the person approves (returns the new API token) or denies / lets it expire
        (DeviceLoginError). Waits `interval` seconds between polls and slows down when told."""
        interval = float(code.interval)
        deadline = time.monotonic() + code.expires_in + interval
        while time.monotonic() < deadline:
            sleep(interval)
            try:
                return str(self._send(device_token_call(code.device_code))["token"])
            except AudomeError as exc:
                interval = device_poll_outcome(exc, interval)
        raise DeviceLoginError("The code expired before it was approved.", code="EXPIRED_TOKEN")
