"""The one shape of a generation that leaves the process (REST, live events, webhooks)."""
from core.timefmt import iso
from rendering.models import IN_FLIGHT, GenerationStatus
from rendering.storage import absolute_url
from rendering.video.serializers import is_video, video_fields

TIMING_PHASES = ("queue", "fetch", "layout", "capture", "encode", "store", "total")


def image_url_of(generation) -> str | None:
    if generation.status == GenerationStatus.COMPLETED and generation.output:
        return absolute_url(generation.output)
    return None


def generation_to_dict(generation) -> dict:
    body = {
        "generationId": generation.id,
        "status": generation.status,
        "projectId": generation.project_ref or None,
        "source": generation.source,
        "width": generation.width,
        "height": generation.height,
        "format": generation.format,
        "quality": generation.options.get("quality"),
        "backgroundColor": generation.options.get("backgroundColor"),
        # Taken when the render succeeds (contract §4): a pending render's credits are only held.
        "creditsUsed": generation.credits_used if generation.status == GenerationStatus.COMPLETED else 0,
        "creditsHeld": generation.credits_used if generation.status in IN_FLIGHT else 0,
        "metadata": generation.metadata,
        "createdAt": iso(generation.created_at),
        "startedAt": iso(generation.started_at),
        "completedAt": iso(generation.completed_at),
        "renderMs": generation.render_ms,
        "timings": generation.timings or {},
        "warnings": generation.warnings or [],
    }
    if is_video(generation):  # progress, framesDone, frames, fps, durationMs, videoUrl
        body.update(video_fields(generation))
    elif url := image_url_of(generation):
        body["imageUrl"] = url
    if generation.status == GenerationStatus.FAILED:
        body["error"] = generation.error or "Render failed."
        body["errorCode"] = generation.error_code or "RENDER_FAILED"
    return body


def webhook_data(generation) -> dict:
    """`data` of render.completed / render.failed (contract §5)."""
    data = {
        "generationId": generation.id,
        "projectId": generation.project_ref or None,
        "width": generation.width,
        "height": generation.height,
        "format": generation.format,
        "creditsUsed": generation.credits_used,
        "metadata": generation.metadata,
    }
    if generation.status == GenerationStatus.COMPLETED:
        data["imageUrl"] = absolute_url(generation.output)
    else:
        data["error"] = generation.error or "Render failed."
    return data


def server_timing(timings: dict) -> str:
    """`Server-Timing` header value with the same phases as `timings`."""
    parts = []
    for phase in TIMING_PHASES:
        value = timings.get(phase)
        if isinstance(value, (int, float)):
            parts.append(f"{phase};dur={value:.1f}")
    return ", ".join(parts)
