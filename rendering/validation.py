"""The checks of render requests, in one place.

`parse_generate_body` checks a POST /api/render/generate body strictly — exact JSON types (no
"12" for 12, no true for 1), unknown top-level fields refused, projectId xor html, every
problem named in `details` — and returns a typed `GenerateRequest`. Its `options(project=…)`
gives the `RenderOptions` (sizes default to the template's, or 1080 for html) that the job
builder and the engine then carry unchanged. A template asked for at another size
(`sized_options`: width and/or height, or `scale`) is scaled, never cropped: a side not given
is the template's, and a size of another ratio is placed by `fit` (contain | cover). The options' own rules (1…MAX_CANVAS, formats,
quality 1–100 and its default, colours, "transparent" forces PNG) are RenderOptions' own
(rendering.engine.types); `render_options` turns a breach into a 400 for any door (generate,
signed URLs, previews)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings

from core.errors import ValidationFailed
from rendering.engine import DEFAULT_QUALITY, Format, InvalidOptions, RenderOptions
from rendering.engine.types import DEFAULT_FIT, DEFAULT_FORMAT, FITS, option_problems
from rendering.video.services import VideoRequest, parse_video_fields

FIELDS = ("projectId", "html", "data", "width", "height", "scale", "fit", "format", "quality", "backgroundColor",
          "async", "metadata", "fps")
DEFAULT_HTML_SIZE = 1080
MAX_METADATA_BYTES = 4096
MAX_HTML_CHARS = 512 * 1024
API_NAMES = {"background": "backgroundColor"}  # RenderOptions field → the API's name for it


class Errors:
    def __init__(self):
        self.details: dict[str, list[str]] = {}

    def add(self, field: str, message: str):
        self.details.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self.details:
            field, messages = next(iter(self.details.items()))
            raise ValidationFailed(f"{field}: {messages[0]}", details=self.details)


def body_errors(body: object, fields: tuple[str, ...]) -> Errors:
    """The start of a strict check of a JSON body: 400 unless it is an object; an error for each
    field it has beyond `fields`, more to be added by the caller."""
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be a JSON object.", details={"non_field_errors": ["Expected a JSON object."]})
    errors = Errors()
    for key in body:
        if key not in fields:
            errors.add(key, "Unknown field.")
    return errors


def render_options(*, names: dict[str, str] | None = None, **values: Any) -> RenderOptions:
    """RenderOptions(**values), or ValidationFailed (400) naming each field that breaks a rule;
    `names` maps RenderOptions' field names to the caller's (e.g. {"width": "w"})."""
    try:
        return RenderOptions(**values)
    except InvalidOptions as exc:
        names = {**API_NAMES, **(names or {})}
        errors = Errors()
        for field, problem in exc.problems.items():
            errors.add(names.get(field, field), problem)
        errors.raise_if_any()
        raise


def sized_options(*, canvas: tuple[int, int] | None, width: Any = None, height: Any = None, scale: Any = None,
                  fit: Any = None, names: dict[str, str] | None = None, **values: Any) -> RenderOptions:
    """The RenderOptions of a render of a `canvas`-sized template (None: inline html, 1080×1080
    by default, laid out at the output's size) at the size asked for:

    - nothing: the template's size;
    - `width` or `height` alone: the other is the template's (as the public docs define them);
    - then: another ratio than the template's is placed by `fit` (contain, the
      default: all of the design with bands of its background; cover: filled, centred crop);
    - `scale` (> 0, not with width/height): the template's size times scale (2: retina).

    Breaches are a 400 naming each field as the caller calls it (`names`)."""
    names = {**API_NAMES, **(names or {})}
    errors = Errors()
    if scale is not None:
        if canvas is None:
            errors.add(names.get("scale", "scale"), "Only templates (projectId) are scaled; size html with width and height.")
        elif width is not None or height is not None:
            errors.add(names.get("scale", "scale"), "Give either scale or width/height, not both.")
        elif isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0 or scale != scale:
            errors.add(names.get("scale", "scale"), "Must be a number greater than 0.")
    if fit is not None and canvas is None:
        errors.add(names.get("fit", "fit"), "Only templates (projectId) are fitted; html is laid out at its size.")
    errors.raise_if_any()
    if canvas is None:
        size = (width if width is not None else DEFAULT_HTML_SIZE, height if height is not None else DEFAULT_HTML_SIZE)
    elif scale is not None:
        size = (max(1, round(canvas[0] * scale)), max(1, round(canvas[1] * scale)))
        limit = settings.MAX_CANVAS
        if max(size) > limit:
            errors.add(names.get("scale", "scale"),
                       f"The output would be {size[0]}×{size[1]} px; at most {limit} px each way.")
            errors.raise_if_any()
    else:
        size = (width if width is not None else canvas[0], height if height is not None else canvas[1])
    fit_value = DEFAULT_FIT if fit is None else fit
    return render_options(names=names, width=size[0], height=size[1], design=canvas, fit=fit_value, **values)


@dataclass(frozen=True)
class GenerateRequest:
    """A checked generate body. width/height are None when the body left them to the template."""

    project_id: str | None
    html: str | None
    data: dict
    width: int | None
    height: int | None
    scale: int | float | None
    fit: str | None
    format: Format
    quality: int
    background: str | None
    run_async: bool
    metadata: dict
    # mp4 / webm / gif (rendering/video): the container and fps; `format` is then the frames' (png).
    video: VideoRequest | None = None

    def options(self, *, project: Any | None) -> RenderOptions:
        """The render's options: the template scaled to the size asked for (sized_options), or
        inline html at its size (1080 each way by default)."""
        canvas = (project.width, project.height) if project is not None else None
        return sized_options(canvas=canvas, width=self.width, height=self.height, scale=self.scale, fit=self.fit,
                             format=self.format, quality=self.quality, background=self.background)


def parse_generate_body(body: object) -> GenerateRequest:
    """Check types and ranges of a generate request; return the cleaned values.
    Template-dependent checks (data keys, default size) happen once the project is known."""
    errors = body_errors(body, FIELDS)
    assert isinstance(body, dict)
    has_project = body.get("projectId") is not None
    has_html = body.get("html") is not None
    if has_project and has_html:
        errors.add("projectId", "Give either projectId or html, not both.")
    elif not has_project and not has_html:
        errors.add("projectId", "projectId or html is required.")
    if has_project and not (isinstance(body["projectId"], str) and body["projectId"].strip()):
        errors.add("projectId", "Must be a non-empty string.")
    if has_html:
        if not (isinstance(body["html"], str) and body["html"].strip()):
            errors.add("html", "Must be a non-empty string.")
        elif len(body["html"]) > MAX_HTML_CHARS:
            errors.add("html", f"Must be at most {MAX_HTML_CHARS} characters.")
    data = body.get("data")
    if data is None:
        data = {}
    elif not isinstance(data, dict):
        errors.add("data", "Must be an object of \"<key>.text\" / \"<key>.img\" values.")
    fmt = DEFAULT_FORMAT if body.get("format") is None else body["format"]
    video = parse_video_fields(body, errors)
    if video is not None:
        fmt = DEFAULT_FORMAT  # the frames' format; the container is video.format
    quality = DEFAULT_QUALITY if body.get("quality") is None else body["quality"]
    background = body.get("backgroundColor")
    size = {field: 1 if body.get(field) is None else body[field] for field in ("width", "height")}  # absent: fine
    problems = option_problems(**size, format=fmt, quality=quality, background=background)
    if "format" in problems:
        problems["format"] = "Must be one of png, jpeg, webp (images) or mp4, webm, gif (videos)."
    for field, problem in problems.items():
        errors.add(API_NAMES.get(field, field), problem)
    scale, fit = body.get("scale"), body.get("fit")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0):
        errors.add("scale", "Must be a number greater than 0.")
    if fit is not None and fit not in FITS:
        errors.add("fit", "Must be contain or cover.")
    run_async = body.get("async")
    if run_async is None:
        run_async = False
    elif not isinstance(run_async, bool):
        errors.add("async", "Must be a boolean.")
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict):
        errors.add("metadata", "Must be an object.")
    elif len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
        errors.add("metadata", f"Must be at most {MAX_METADATA_BYTES} bytes of JSON.")
    errors.raise_if_any()
    return GenerateRequest(
        project_id=body.get("projectId"), html=body.get("html"), data=cast(dict, data), width=body.get("width"),
        height=body.get("height"), scale=scale, fit=fit, format=fmt, quality=quality, background=background,
        run_async=cast(bool, run_async), metadata=cast(dict, metadata), video=video,
    )
