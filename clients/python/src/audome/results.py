"""Results that are more than a dict: a render you can `save()`, a preview, a device-code login
in progress. `.data` is always the API's JSON as it came."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from audome.errors import AudomeError


class _Result:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


class _RenderFields(_Result):
    @property
    def generation_id(self) -> str:
        return str(self.data["generationId"])

    @property
    def status(self) -> str:
        return str(self.data.get("status") or ("completed" if self.data.get("imageUrl") else "pending"))

    @property
    def image_url(self) -> str | None:
        return self.data.get("imageUrl")

    @property
    def width(self) -> int | None:
        return self.data.get("width")

    @property
    def height(self) -> int | None:
        return self.data.get("height")

    @property
    def format(self) -> str | None:
        return self.data.get("format")

    @property
    def credits_used(self) -> int | None:
        return self.data.get("creditsUsed")

    @property
    def credits_remaining(self) -> int | None:
        return self.data.get("creditsRemaining")

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return list(self.data.get("warnings") or [])

    def _url(self) -> str:
        if not self.image_url:
            raise AudomeError(f"Render {self.generation_id} has no image yet (status {self.status}); wait() for it.",
                              code="NOT_READY")
        return self.image_url


class Render(_RenderFields):
    """A render (`POST /api/render/generate` or a generation record)."""

    def __init__(self, data: dict[str, Any], fetch: Callable[[str], bytes]) -> None:
        super().__init__(data)
        self._fetch = fetch

    def bytes(self) -> bytes:
        return self._fetch(self._url())

    def save(self, path: str | Path) -> Path:
        """Write the image to `path` and return the path."""
        target = Path(path)
        target.write_bytes(self.bytes())
        return target


class AsyncRender(_RenderFields):
    def __init__(self, data: dict[str, Any], fetch: Callable[[str], Awaitable[bytes]]) -> None:
        super().__init__(data)
        self._fetch = fetch

    async def bytes(self) -> bytes:
        return await self._fetch(self._url())

    async def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_bytes(await self.bytes())
        return target


class _PreviewFields(_Result):
    @property
    def preview_url(self) -> str:
        return str(self.data["previewUrl"])

    @property
    def cached(self) -> bool:
        return bool(self.data.get("cached"))

    @property
    def expires_at(self) -> int | None:
        """Unix milliseconds."""
        return self.data.get("expiresAt")


class Preview(_PreviewFields):
    """A free, low-resolution WebP preview (`POST /api/render/preview`)."""

    def __init__(self, data: dict[str, Any], fetch: Callable[[str], bytes]) -> None:
        super().__init__(data)
        self._fetch = fetch

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_bytes(self._fetch(self.preview_url))
        return target


class AsyncPreview(_PreviewFields):
    def __init__(self, data: dict[str, Any], fetch: Callable[[str], Awaitable[bytes]]) -> None:
        super().__init__(data)
        self._fetch = fetch

    async def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_bytes(await self._fetch(self.preview_url))
        return target


class DeviceCode(_Result):
    """A device-code login in progress: show `user_code`, open `verification_url`, then poll."""

    @property
    def device_code(self) -> str:
        return str(self.data["deviceCode"])

    @property
    def user_code(self) -> str:
        return str(self.data["userCode"])

    @property
    def verification_url(self) -> str:
        return str(self.data["verificationUrl"])

    @property
    def interval(self) -> int:
        return int(self.data.get("interval") or 5)

    @property
    def expires_in(self) -> int:
        return int(self.data.get("expiresIn") or 600)
