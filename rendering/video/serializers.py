"""The video fields of a generation, wherever it leaves the process (REST, live events,
webhooks): rendering.serializers adds them to a video generation's shape."""
from __future__ import annotations

from rendering.models import GenerationStatus
from rendering.storage import absolute_url

from .spec import is_video_format


def is_video(generation) -> bool:
    return is_video_format((generation.options or {}).get("format"))


def video_fields(generation) -> dict:
    """progress (0–1), framesDone, frames, fps, durationMs and, once completed, videoUrl."""
    options = generation.options or {}
    frames = int(options.get("frames") or generation.frames or 0)
    done = frames if generation.status == GenerationStatus.COMPLETED else min(frames, generation.frames_done or 0)
    body = {
        "progress": round(done / frames, 4) if frames else 0.0,
        "framesDone": done,
        "frames": frames,
        "fps": options.get("fps"),
        "durationMs": options.get("durationMs"),
    }
    if generation.status == GenerationStatus.COMPLETED and generation.output:
        body["videoUrl"] = absolute_url(generation.output)
    return body


def video_webhook_data(generation) -> dict:
    """`data` of video.completed / video.failed: a render event's (contract §5) with videoUrl in
    place of imageUrl, and the video's fps, durationMs and frames."""
    from rendering.serializers import webhook_data

    data = webhook_data(generation)
    data.pop("imageUrl", None)
    fields = video_fields(generation)
    data.update({key: fields[key] for key in ("fps", "durationMs", "frames")})
    if "videoUrl" in fields:
        data["videoUrl"] = fields["videoUrl"]
    return data
