"""The engine's interface types (see the brief: rendering.engine).

`RenderOptions` is the output's shape — size, format, quality, background, and how a template
drawn at another size is placed in it — and the one place its rules live: a value that exists
is valid (1…MAX_CANVAS each way, a known format, quality 1–100, a CSS colour, a known fit;
"transparent" makes it a PNG, the only format with alpha). The API's
validation builds it (rendering.validation), the job builder stores and rebuilds it
(rendering.jobs), and the engine captures with it as it is."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from django.conf import settings

from core.colours import is_css_colour

Format = Literal["png", "jpeg", "webp"]
FORMATS: tuple[Format, ...] = ("png", "jpeg", "webp")
DEFAULT_FORMAT: Format = "png"
DEFAULT_QUALITY = 90
MAX_BACKGROUND_CHARS = 64
Fit = Literal["contain", "cover"]
FITS: tuple[Fit, ...] = ("contain", "cover")
DEFAULT_FIT: Fit = "contain"


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


class InvalidOptions(ValueError):
    """Render options that break a rule; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))
        self.problems = problems


def option_problems(*, width: object, height: object, format: object, quality: object,
                    background: object) -> dict[str, str]:
    """What is wrong with these option values, by field (empty when nothing is)."""
    problems: dict[str, str] = {}
    max_canvas = settings.MAX_CANVAS
    for name, value in (("width", width), ("height", height)):
        if not _is_int(value):
            problems[name] = "Must be an integer."
        elif not 1 <= cast(int, value) <= max_canvas:
            problems[name] = f"Must be between 1 and {max_canvas}."
    if format not in FORMATS:
        problems["format"] = "Must be one of png, jpeg, webp."
    if not _is_int(quality):
        problems["quality"] = "Must be an integer."
    elif not 1 <= cast(int, quality) <= 100:
        problems["quality"] = "Must be between 1 and 100."
    if background is not None and (not isinstance(background, str) or len(background) > MAX_BACKGROUND_CHARS
                                   or not is_css_colour(background)):
        problems["background"] = ("Must be a CSS colour (#rrggbb, rgb(), hsl(), a colour name or transparent).")
    return problems


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Placement:
    """Where a template drawn at its own size lands in an output of another size: scaled by
    `scale` (the same both ways: text and shapes keep their proportions) and moved by x, y
    (output pixels; negative: cropped by `cover`, positive: the bands `contain` leaves)."""

    scale: float
    x: float
    y: float
    ratio_changed: bool


@dataclass(frozen=True)
class RenderOptions:
    width: int  # the output's pixels
    height: int
    format: Format = DEFAULT_FORMAT
    quality: int = DEFAULT_QUALITY  # 1–100, ignored for png
    background: str | None = None  # css colour | "transparent" | None (the document's)
    # The size a template is drawn at (its canvas) when the output has another: the design is
    # scaled into width×height, never cropped to its top-left corner. None: drawn at the output size.
    design: tuple[int, int] | None = None
    fit: Fit = DEFAULT_FIT  # contain: all of the design, bands of background; cover: filled, centred crop

    def __post_init__(self) -> None:
        problems = option_problems(width=self.width, height=self.height, format=self.format, quality=self.quality,
                                   background=self.background)
        if self.fit not in FITS:
            problems["fit"] = "Must be contain or cover."
        if self.design is not None:
            design = tuple(self.design)
            if len(design) != 2 or option_problems(width=design[0], height=design[1], format=DEFAULT_FORMAT,
                                                   quality=DEFAULT_QUALITY, background=None):
                problems["design"] = "Must be two sizes between 1 and MAX_CANVAS."
            # Drawn at the output's own size: nothing to place.
            object.__setattr__(self, "design", None if design == (self.width, self.height) else design)
        if problems:
            raise InvalidOptions(problems)
        if self.background is not None:
            background = self.background.strip()
            if background.lower() == "transparent":
                background = "transparent"
                object.__setattr__(self, "format", "png")  # only PNG keeps an alpha channel
            object.__setattr__(self, "background", background)

    @property
    def canvas(self) -> tuple[int, int]:
        """The size the template is laid out at."""
        return self.design or (self.width, self.height)

    def placement(self) -> Placement | None:
        """How the canvas is scaled into the output; None when it is drawn at the output's size.
        A ratio within a pixel of the canvas's counts as the same: scaled to cover, so no band
        of background appears for a rounding."""
        if self.design is None:
            return None
        dw, dh = self.design
        w, h = self.width, self.height
        same_ratio = round(dh * w / dw) == h or round(dw * h / dh) == w
        sx, sy = w / dw, h / dh
        scale = max(sx, sy) if same_ratio or self.fit == "cover" else min(sx, sy)
        return Placement(scale=scale, x=(w - dw * scale) / 2, y=(h - dh * scale) / 2, ratio_changed=not same_ratio)

    def placement_warning(self) -> dict | None:
        """ASPECT_RATIO_CHANGED when the output's ratio is not the canvas's (see placement)."""
        placement = self.placement()
        if placement is None or not placement.ratio_changed or self.design is None:
            return None
        dw, dh = self.design
        what = ("the whole design is shown, with bands of background" if self.fit == "contain"
                else "the design fills it and is cropped at the edges")
        return {"code": "ASPECT_RATIO_CHANGED",
                "message": f"The {dw}×{dh} template was scaled into {self.width}×{self.height} "
                           f"({self.fit}: {what})."}


@dataclass(frozen=True)
class RenderJob:
    options: RenderOptions
    document: dict | None = None  # a template document, or
    data: dict = field(default_factory=dict)  # "key.text" / "key.img"
    html: str | None = None  # inline html (rendering.validation lets exactly one through)
    fonts: list[FontFace] = field(default_factory=list)
    isolation_key: str = "default"  # the account id: nothing carries over between keys
    # A template posed at this time of its animation (ms; a video frame preview), None: at rest.
    time_ms: float | None = None

    def __post_init__(self) -> None:
        if (self.document is None) == (self.html is None):
            raise RenderError("Exactly one of document and html is needed.", retryable=False)
        if self.document is not None and not isinstance(self.document, dict):
            raise RenderError("The document must be an object.", retryable=False)


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
