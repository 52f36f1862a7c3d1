"""`AsyncAudome`: the asyncio client, the same operations as `Audome` awaited.

    async with AsyncAudome() as client:
        render = await client.render(project_id, {"title.text": "Hi"})
        await render.save("out.png")
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
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
from audome.results import AsyncPreview, AsyncRender, DeviceCode


class AsyncAudome(BaseClient):
    """See `Audome`: same arguments, same retries, every operation a coroutine."""

    def __init__(self, token: str | None = None, *, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 3, max_retry_wait: float = 60.0,
                 http_client: httpx.AsyncClient | None = None) -> None:
        super().__init__(token, base_url=base_url, timeout=timeout, max_retries=max_retries,
                         max_retry_wait=max_retry_wait)
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self.projects: Projects[Awaitable[JSON]] = Projects(self._send)
        self.generations: Generations[Awaitable[JSON]] = Generations(self._send)
        self.batches: Batches[Awaitable[JSON]] = Batches(self._send)
        self.webhooks: Webhooks[Awaitable[JSON]] = Webhooks(self._send)
        self.tokens: Tokens[Awaitable[JSON]] = Tokens(self._send)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncAudome:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(self, call: Call) -> JSON:
        attempt = 0
        while True:
            try:
                response = await self._http.request(call.method, self.base_url + call.path,
                                                    **self._request_kwargs(call))
            except httpx.TransportError as exc:
                delay = self._retry_delay(call, attempt, None)
                if delay is None:
                    raise APIConnectionError(f"Could not reach {self.base_url}: {exc}") from exc
            else:
                delay = self._retry_delay(call, attempt, response) if response.status_code >= 400 else None
                if delay is None:
                    body: JSON = self._parse(response)
                    return body
            await asyncio.sleep(delay)
            attempt += 1

    async def _fetch(self, url: str) -> bytes:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token and url.startswith(self.base_url) else {}
        try:
            response = await self._http.get(url, headers=headers, follow_redirects=True)
        except httpx.TransportError as exc:
            raise APIConnectionError(f"Could not download {url}: {exc}") from exc
        if response.status_code >= 400:
            self._parse(response)
        return response.content

    async def account(self) -> JSON:
        return await self._send(Call("GET", "/api/account"))

    async def usage(self) -> JSON:
        return await self._send(Call("GET", "/api/account/usage"))

    async def plan(self) -> JSON:
        return await self._send(Call("GET", "/api/account/plan"))

    async def options(self) -> JSON:
        return await self._send(Call("GET", "/api/render/options"))

    async def render(self, project_id: str | None = None, data: Mapping[str, Any] | None = None, *,
                     html: str | None = None, format: str | None = None, quality: int | None = None,
                     width: int | None = None, height: int | None = None, scale: float | None = None,
                     fit: str | None = None, background_color: str | None = None,
                     metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                     wait: bool = True, timeout: float = 120.0) -> AsyncRender:
        call = generate_call(project_id, data, html=html, format=format, quality=quality, width=width,
                             height=height, scale=scale, fit=fit, background_color=background_color, metadata=metadata,
                             run_async=not wait, idempotency_key=idempotency_key)
        result = AsyncRender(await self._send(call), self._fetch)
        if wait and result.status not in TERMINAL_STATUSES:
            return await self.wait(result.generation_id, timeout=timeout)
        return result

    async def wait(self, generation: str | AsyncRender, *, timeout: float = 120.0,
                   poll_interval: float = 1.0) -> AsyncRender:
        generation_id = generation.generation_id if isinstance(generation, AsyncRender) else generation
        deadline = time.monotonic() + timeout
        while True:
            record = await self.generations.get(generation_id)
            if record.get("status") in TERMINAL_STATUSES:
                return AsyncRender(finished_render(record), self._fetch)
            if time.monotonic() + poll_interval > deadline:
                raise WaitTimeoutError(f"Render {generation_id} still {record.get('status')} after {timeout:g}s.",
                                       code="WAIT_TIMEOUT")
            await asyncio.sleep(poll_interval)

    async def preview(self, project_id: str, data: Mapping[str, Any] | None = None) -> AsyncPreview:
        return AsyncPreview(await self._send(preview_call(project_id, data)), self._fetch)

    async def batch(self, project_id: str, rows: list[dict[str, Any]] | None = None, *,
                    csv: bytes | str | Path | None = None, format: str | None = None, quality: int | None = None,
                    idempotency_key: str | None = None, wait: bool = False, timeout: float = 3600.0,
                    on_progress: Callable[[JSON], None] | None = None) -> JSON:
        csv_bytes = Path(csv).read_bytes() if isinstance(csv, (str, Path)) else csv
        batch = await self.batches.create(project_id, rows, csv=csv_bytes, format=format, quality=quality,
                                          idempotency_key=idempotency_key)
        if wait:
            return await self.wait_batch(batch["batchId"], timeout=timeout, on_progress=on_progress)
        return batch

    async def wait_batch(self, batch_id: str, *, timeout: float = 3600.0, poll_interval: float = 1.0,
                         on_progress: Callable[[JSON], None] | None = None) -> JSON:
        deadline = time.monotonic() + timeout
        while True:
            batch = await self.batches.get(batch_id, limit=1)
            if on_progress:
                on_progress(batch)
            if batch.get("status") in ("completed", "partial", "failed", "canceled"):
                return batch
            if time.monotonic() + poll_interval > deadline:
                raise WaitTimeoutError(f"Batch {batch_id} still {batch.get('status')} after {timeout:g}s.",
                                       code="WAIT_TIMEOUT")
            await asyncio.sleep(poll_interval)

    async def download_batch(self, batch_id: str, path: str | Path) -> Path:
        target = Path(path)
        call = Call("GET", f"/api/render/batches/{batch_id}/download")
        async with self._http.stream("GET", self.base_url + call.path, headers=self._headers(call)) as response:
            if response.status_code >= 400:
                await response.aread()
                self._parse(response)
            with target.open("wb") as handle:
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)
        return target

    async def request_device_code(self, app_name: str = "Audome Python", app_type: str = "sdk",
                                  app_version: str = "") -> DeviceCode:
        from audome import __version__

        return DeviceCode(await self._send(device_code_call(app_name, app_type, app_version or __version__)))

    async def poll_device_token(self, code: DeviceCode) -> str:
        interval = float(code.interval)
        deadline = time.monotonic() + code.expires_in + interval
        while time.monotonic() < deadline:
            await asyncio.sleep(interval)
            try:
                return str((await self._send(device_token_call(code.device_code)))["token"])
            except AudomeError as exc:
                interval = device_poll_outcome(exc, interval)
        raise DeviceLoginError("The code expired before it was approved.", code="EXPIRED_TOKEN")
