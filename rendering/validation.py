"""The checks of render requests, in one place.

`parse_generate_body` checks a POST /api/render/generate body strictly — exact JSON types (no
"12" for 12, no true for 1), unknown top-level fields refused, projectId xor html, every
problem named in `details` — and returns a typed `GenerateRequest`. Its `options(project=…)`
gives the `RenderOptions` (sizes default to the template's, or 1080 for html) that the job
builder and the engine then carry unchanged. The options' own rules (1…MAX_CANVAS, formats,
quality 1–100 and its default, colours, "transparent" forces PNG) are RenderOptions' own
(rendering.engine.types); `render_options` turns a breach into a 400 for any door (generate,
signed URLs, previews)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from core.errors import ValidationFailed
from rendering.engine import DEFAULT_QUALITY, Format, InvalidOptions, RenderOptions
from rendering.engine.types import DEFAULT_FORMAT, option_problems
from rendering.video.services import VideoRequest, parse_video_fields

FIELDS = ("projectId", "html", "data", "width", "height", "format", "quality", "backgroundColor", "async", "metadata",
          "fps")
DEFAULT_HTML_SIZE = 1080
MAX_METADATA_BYTES = 4096
MAX_HTML_CHARS = 512 * 1024
API_NAMES = {"background": "backgroundColor"}  # RenderOptions field → the API's name for it


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


@dataclass(frozen=True)
class GenerateRequest:
    """A checked generate body. width/height are None when the body left them to the template."""

    project_id: str | None
    html: str | None
    data: dict
    width: int | None
    height: int | None
    format: Format
    quality: int
    background: str | None
    run_async: bool
    metadata: dict
    # mp4 / webm / gif (rendering/video): the container and fps; `format` is then the frames' (png).
    video: VideoRequest | None = None

    def options(self, *, project: Any | None) -> RenderOptions:
        """The render's options, sizes defaulting to the template's (1080 for inline html)."""
        default_w, default_h = (project.width, project.height) if project is not None else (DEFAULT_HTML_SIZE,) * 2
        return render_options(width=self.width or default_w, height=self.height or default_h, format=self.format,
                              quality=self.quality, background=self.background)


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
        height=body.get("height"), format=fmt, quality=quality, background=background,
        run_async=cast(bool, run_async), metadata=cast(dict, metadata), video=video,
    )
