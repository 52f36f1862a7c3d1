"""Accepting a video render: the request's video fields (format, fps) checked, then planned
against the template — its duration and fps, the size limit, the frame count and the credits
(VIDEO_CREDITS_PER_SECOND per started second) — before rendering.services records the
generation like any other. Also what GET /api/render/video-options answers."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core.errors import ValidationFailed

from .spec import (
    CONTENT_TYPES,
    DEFAULT_FPS,
    VIDEO_FORMATS,
    credits_for,
    frame_at,
    frame_count,
    frame_time,
    is_video_format,
)

MAX_FPS = 60


@dataclass(frozen=True)
class VideoRequest:
    """The video part of a generate body: the container and, when given, the frame rate."""

    format: str
    fps: int | None


def parse_video_fields(body: dict, errors) -> VideoRequest | None:
    """None for an image request; else the video fields, problems added to `errors`
    (rendering.validation's collector). An `fps` on an image request is refused too."""
    fmt, fps = body.get("format"), body.get("fps")
    if not is_video_format(fmt):
        if fps is not None:
            errors.add("fps", "Only video formats (mp4, webm, gif) take fps.")
        return None
    if fps is not None and (not isinstance(fps, int) or isinstance(fps, bool) or not 1 <= fps <= MAX_FPS):
        errors.add("fps", f"Must be a whole number from 1 to {MAX_FPS}.")
    if body.get("html") is not None:
        errors.add("format", f"{fmt} is a video format: videos are made from templates (send projectId); "
                             "inline html renders as png, jpeg or webp.")
    background = body.get("backgroundColor")
    if fmt == "mp4" and isinstance(background, str) and background.strip().lower() == "transparent":
        errors.add("backgroundColor", "MP4 has no alpha channel: use webm (or gif) for a transparent video.")
    return VideoRequest(format=fmt, fps=fps if isinstance(fps, int) and not isinstance(fps, bool) else None)


def video_plan(*, project, video: VideoRequest, width: int, height: int) -> tuple[dict, int]:
    """(the video fields of the generation's options, the credits it costs) for rendering
    `project` as `video` at width × height. Raises ValidationFailed (400)."""
    if project is None:
        raise ValidationFailed("Videos are made from templates: send projectId.",
                               details={"projectId": ["Required for mp4, webm and gif."]})
    details: dict[str, list[str]] = {}
    limit = settings.VIDEO_MAX_SIZE
    for field, value in (("width", width), ("height", height)):
        if value > limit:
            details[field] = [f"Videos are at most {limit} px each way."]
    document = project.document if isinstance(project.document, dict) else {}
    duration = document.get("duration") or 0
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration < 0:
        duration = 0
    if duration > settings.VIDEO_MAX_DURATION_MS:
        details["projectId"] = [f"The template lasts {duration} ms; videos are at most "
                                f"{settings.VIDEO_MAX_DURATION_MS} ms."]
    if details:
        first, messages = next(iter(details.items()))
        raise ValidationFailed(f"{first}: {messages[0]}", details=details)
    fps = video.fps or document.get("fps") or DEFAULT_FPS
    frames = frame_count(duration, fps)
    duration_ms = round(frames * 1000 / fps, 3)
    return ({"format": video.format, "fps": fps, "frames": frames, "durationMs": duration_ms},
            credits_for(duration_ms))


def video_options() -> dict:
    """GET /api/render/video-options."""
    codecs = {"mp4": ("h264", False), "webm": ("vp9", True), "gif": ("gif", True)}
    from rendering.engine import DEFAULT_QUALITY

    return {
        "formats": [{"format": fmt, "mimeType": CONTENT_TYPES[fmt], "codec": codecs[fmt][0], "alpha": codecs[fmt][1]}
                    for fmt in VIDEO_FORMATS],
        "fps": {"min": 1, "max": MAX_FPS, "default": DEFAULT_FPS},
        "quality": {"min": 1, "max": 100, "default": DEFAULT_QUALITY},
        "maxDurationMs": settings.VIDEO_MAX_DURATION_MS,
        "maxWidth": settings.VIDEO_MAX_SIZE,
        "maxHeight": settings.VIDEO_MAX_SIZE,
        "creditsPerSecond": settings.VIDEO_CREDITS_PER_SECOND,
        "chunkFrames": settings.VIDEO_CHUNK_FRAMES,
    }


def frame_of(document, frame_ms) -> tuple[dict, float] | None:
    """POST /api/render/preview's frameMs: None for a plain preview; else the frame shown at that
    time — ({frameMs (its start), frame (its index)}, the exact time the video renders it at) —
    checked against the template's length."""
    if frame_ms is None:
        return None
    document = document if isinstance(document, dict) else {}
    duration = document.get("duration") or 0
    fps = document.get("fps") or DEFAULT_FPS
    if not isinstance(frame_ms, (int, float)) or isinstance(frame_ms, bool) or not 0 <= frame_ms <= max(0, duration):
        raise ValidationFailed("frameMs must be a time within the template's animation.",
                               details={"frameMs": [f"Must be a number of ms from 0 to {duration} (the template's duration)."]})
    frames = frame_count(duration, fps)
    index = frame_at(frame_ms, fps, frames)
    exact = frame_time(index, fps)
    return {"frameMs": round(exact, 3), "frame": index}, exact
