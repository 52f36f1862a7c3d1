"""What a video render is: its format, frame rate, length, the frames a chunk covers, the
encoder settings a quality gives and what it costs. Pure values, no I/O.

Frames: a video of `duration` ms at `fps` has round(duration × fps / 1000) frames (at least
one: a document without animation is a 1-frame video); frame i shows the document at
i × 1000 / fps ms (static/renderer/animation.ts frameCount / frameTime: the same rule)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeGuard

from django.conf import settings

VIDEO_FORMATS = ("mp4", "webm", "gif")
EXTENSIONS = {"mp4": "mp4", "webm": "webm", "gif": "gif"}
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}
DEFAULT_FPS = 30
DEFAULT_QUALITY = 80
# A chunk is rendered to this lossless-enough container before a GIF's two palette passes,
# so the GIF is made from the frames themselves, not from an H.264 copy of them.
GIF_INTERMEDIATE = "mkv"


def is_video_format(fmt) -> TypeGuard[str]:
    return isinstance(fmt, str) and fmt in VIDEO_FORMATS


def frame_count(duration_ms: float, fps: int) -> int:
    return max(1, round(duration_ms * fps / 1000))


def frame_time(index: int, fps: int) -> float:
    return index * 1000 / fps


def frame_at(time_ms: float, fps: int, frames: int) -> int:
    """The frame shown at time_ms (a frame preview's frameMs): the last one starting at or before it."""
    return min(frames - 1, max(0, math.floor(time_ms * fps / 1000 + 1e-6)))


def credits_for(duration_ms: float) -> int:
    """VIDEO_CREDITS_PER_SECOND for every started second of video (a still video: one second)."""
    seconds = max(1, math.ceil(max(0.0, duration_ms) / 1000 - 1e-9))
    return seconds * settings.VIDEO_CREDITS_PER_SECOND


@dataclass(frozen=True)
class VideoSpec:
    format: str  # mp4 | webm | gif
    fps: int
    frames: int
    width: int
    height: int
    quality: int = DEFAULT_QUALITY
    transparent: bool = False  # webm keeps alpha; mp4 has none; gif gets 1-bit transparency

    @property
    def duration_ms(self) -> float:
        return self.frames * 1000 / self.fps

    @property
    def alpha(self) -> bool:
        """Frames must be captured with their alpha channel (PNG)."""
        return self.transparent and self.format in ("webm", "gif")

    @property
    def capture_format(self) -> str:
        """How Chromium hands each frame over: JPEG for opaque frames (fast), PNG when alpha counts."""
        return "png" if self.alpha else "jpeg"

    @property
    def capture_quality(self) -> int:
        return 92

    def chunks(self, chunk_frames: int | None = None) -> list[tuple[int, int]]:
        """[first, end) frame ranges of the chunks, in order."""
        size = max(1, int(chunk_frames or settings.VIDEO_CHUNK_FRAMES))
        return [(start, min(self.frames, start + size)) for start in range(0, self.frames, size)]

    def to_dict(self) -> dict:
        return {"format": self.format, "fps": self.fps, "frames": self.frames, "width": self.width,
                "height": self.height, "quality": self.quality, "transparent": self.transparent}

    @classmethod
    def from_dict(cls, value: dict) -> VideoSpec:
        return cls(**{k: value[k] for k in ("format", "fps", "frames", "width", "height", "quality", "transparent")})
