"""The engine's interface types (see the brief: rendering.engine)."""
from __future__ import annotations

from dataclasses import dataclass, field


class RenderError(Exception):
    """A render that could not be done. `retryable` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class FontFace:
    """An account font: its family name and the file's name in default_storage."""

    family: str
    storage_name: str
    weight: int | str = 400
    style: str = "normal"


@dataclass
class RenderJob:
    width: int
    height: int
    format: str = "png"  # "png" | "jpeg" | "webp"
    quality: int = 90  # 1–100, ignored for png
    background: str | None = None  # css colour | "transparent" | None (the document's)
    document: dict | None = None
    data: dict = field(default_factory=dict)  # "key.text" / "key.img"
    html: str | None = None
    fonts: list[FontFace] = field(default_factory=list)
    isolation_key: str = "default"  # the account id: nothing carries over between keys
    scale: float = 1.0  # optional: output at width×scale × height×scale (e.g. 0.5 for low-res previews)


@dataclass
class RenderResult:
    image: bytes
    width: int
    height: int
    format: str
    mime: str
    timings: dict[str, float]  # fetch / layout / capture / encode / total (ms)
    warnings: list[dict]  # {code, elementId?, message}


MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
