"""The worker's side of a video generation, after rendering.processing claimed it.

One chunk (a short video): rendered inline by the task that claimed it — frames piped into
ffmpeg as they are captured, the file stored, the generation completed.

More chunks: the claiming task only dispatches a Celery chord — one `rendering.video.chunk`
task per chunk on the render queue, then `rendering.video.finish` — and returns. Each chunk
task renders its frames into a chunk file (MPEG-TS / WebM / FFV1 for a GIF) and stores it
under video-chunks/<generationId>/; the finish task joins the chunks without re-encoding (a
GIF: joined, then the two palette passes), stores the video and completes the generation. N
workers render N chunks at once, and image renders queued meanwhile run between chunks.

Chunks are idempotent: a chunk whose worker was killed is delivered again (acks_late,
reject_on_worker_lost) and re-rendered alone — frames are a pure function of time; a
re-dispatch after the sweeper re-queued the job renders only the chunks not stored yet.

Every chunk checks, at most twice a second, that the generation is still processing under the
claim that dispatched it (`epoch`); a cancel, a failure elsewhere or a newer dispatch stops it
mid-chunk (ffmpeg killed, temp files removed). Progress (frames done, per chunk in Redis,
summed into the row) is written and pushed live at the same pace."""
from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from core.redis import get_redis
from rendering.engine import RenderError, RenderJob
from rendering.models import Generation, GenerationStatus

from . import ffmpeg
from .capture import Canceled, FrameStats, render_frames
from .spec import EXTENSIONS, VideoSpec

log = logging.getLogger(__name__)

PROGRESS_KEY = "audome:video:{}:progress"  # hash: chunk index → frames done
RUNS_KEY = "audome:video:{}:runs"  # hash: chunk index → times the chunk was started
STATS_KEY = "audome:video:{}:stats"  # hash: chunk index → its FrameStats (JSON), summed by the finish
STATS_TTL = 7 * 24 * 3600
KEY_TTL = 24 * 3600
CHECK_EVERY = 0.5  # seconds between cancel checks / progress writes of a chunk
SECONDS_PER_FRAME_BUDGET = 0.5  # the sweeper's patience: RENDER_JOB_TIMEOUT + this per frame left
# Chunks and the finish go to the render queue's lowest priority (Redis transport: the list
# `render\x06\x169`, which a worker pops only when the plain `render` list is empty): an image
# render queued behind a long video waits for at most the chunk a worker is busy with.
CHUNK_PRIORITY = 9


def spec_of(generation: Generation) -> VideoSpec:
    options = generation.options
    return VideoSpec(format=options["format"], fps=int(options["fps"]), frames=int(options["frames"]),
                     width=int(options["width"]), height=int(options["height"]),
                     quality=int(options.get("quality") or 80),
                     transparent=options.get("backgroundColor") == "transparent")


def capture_job_for(generation: Generation, spec: VideoSpec) -> RenderJob:
    """The engine job whose frames make the video: the generation's template, data, fonts and
    account (rendering.jobs), captured as JPEG — or PNG when alpha counts."""
    from rendering.jobs import options_of, render_job

    options = options_of(generation.options, width=spec.width, height=spec.height, format=spec.capture_format,
                         quality=spec.capture_quality)
    return render_job(account_id=generation.account_id, options=options, document=generation.document,
                      data=generation.data)


def chunk_name(generation_id: str, index: int, spec: VideoSpec) -> str:
    return f"video-chunks/{generation_id}/{index:04d}.{ffmpeg.chunk_extension(spec)}"


def _deadline(frames_left: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.RENDER_JOB_TIMEOUT + frames_left * SECONDS_PER_FRAME_BUDGET)


class _Watch:
    """A chunk's cancel checks and progress reports, at most every CHECK_EVERY seconds."""

    def __init__(self, generation: Generation, epoch: str, index: int, spec: VideoSpec):
        self.generation, self.epoch, self.index, self.spec = generation, epoch, index, spec
        self.checked = self.reported = time.monotonic()
        self.stopped = False

    def should_stop(self) -> bool:
        now = time.monotonic()
        if now - self.checked >= CHECK_EVERY:
            self.checked = now
            self.stopped = not Generation.objects.filter(
                pk=self.generation.pk, status=GenerationStatus.PROCESSING, claimed_by=self.epoch).exists()
        return self.stopped

    def progress(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.reported < CHECK_EVERY:
            return
        self.reported = now
        from rendering.services import generation_push

        redis = get_redis()
        key = PROGRESS_KEY.format(self.generation.pk)
        pipe = redis.pipeline(transaction=False)
        pipe.hset(key, str(self.index), done)
        pipe.expire(key, KEY_TTL)
        pipe.hvals(key)
        total = min(self.spec.frames, sum(int(v) for v in pipe.execute()[2]))
        moved = Generation.objects.filter(
            pk=self.generation.pk, status=GenerationStatus.PROCESSING, claimed_by=self.epoch,
        ).update(frames_done=total, deadline=_deadline(self.spec.frames - total))
        if moved:
            self.generation.frames_done = total
            generation_push(self.generation)


def _render_file(generation: Generation, spec: VideoSpec, first: int, end: int, path: str, *, chunk: bool,
                 watch: _Watch) -> FrameStats:
    """Frames [first, end) captured straight into ffmpeg, which writes path."""
    job = capture_job_for(generation, spec)
    with ffmpeg.Encoder(spec, path, chunk=chunk) as encoder:
        stats = render_frames(job, spec, first, end, encoder.write, should_stop=watch.should_stop,
                              on_progress=watch.progress)
        t0 = time.perf_counter()
        encoder.finish()
        stats.write_ms += (time.perf_counter() - t0) * 1000
    return stats


def _timings(generation: Generation, stats: FrameStats, store_ms: float, finish_ms: float) -> dict:
    now = timezone.now()
    return {
        "queue": round((generation.started_at - generation.created_at).total_seconds() * 1000, 1)
        if generation.started_at else None,
        "fetch": round(stats.setup_ms, 1),
        "layout": round(stats.seek_ms, 1),
        "capture": round(stats.capture_ms + stats.decode_ms, 1),
        "encode": round(stats.write_ms + finish_ms, 1),
        "store": round(store_ms, 1),
        "total": round((now - generation.created_at).total_seconds() * 1000, 1),
    }


# --- the claiming task -------------------------------------------------------------------

def video_render(generation: Generation, *, me: str) -> str:
    """Called by rendering.processing once `me` claimed the generation."""
    spec = spec_of(generation)
    chunks = spec.chunks()
    Generation.objects.filter(pk=generation.pk, status=GenerationStatus.PROCESSING, claimed_by=me).update(
        deadline=_deadline(spec.frames))
    if len(chunks) == 1:
        return _render_whole(generation, spec, me)
    from celery import chord

    from .tasks import finish_video, render_video_chunk

    missing = [i for i in range(len(chunks)) if not default_storage.exists(chunk_name(generation.pk, i, spec))]
    where = {"queue": settings.RENDER_QUEUE, "priority": CHUNK_PRIORITY}
    if not missing:
        finish_video.apply_async((generation.pk, me), **where)
    else:
        chord(
            [render_video_chunk.si(generation.pk, i, me).set(**where) for i in missing],
            finish_video.si(generation.pk, me).set(**where),
        ).apply_async()
    return "dispatched"


def _render_whole(generation: Generation, spec: VideoSpec, me: str) -> str:
    watch = _Watch(generation, me, 0, spec)
    get_redis().hincrby(RUNS_KEY.format(generation.pk), "0", 1)
    with tempfile.TemporaryDirectory(prefix="audome-video-") as workdir:
        gif = spec.format == "gif"
        path = str(Path(workdir) / (f"frames.{ffmpeg.chunk_extension(spec)}" if gif else f"out.{spec.format}"))
        try:
            stats = _render_file(generation, spec, 0, spec.frames, path, chunk=gif, watch=watch)
            t0 = time.perf_counter()
            if gif:
                output = str(Path(workdir) / "out.gif")
                ffmpeg.gif(spec, ["-i", path], output, workdir)
                path = output
            finish_ms = (time.perf_counter() - t0) * 1000
        except Canceled:
            return "canceled"
        except (RenderError, ffmpeg.EncodeError, OSError) as exc:
            return _fail(generation, me, exc)
        return _store_and_complete(generation, spec, me, path, stats, finish_ms)


def _fail(generation: Generation, epoch: str, exc: BaseException) -> str:
    from rendering.services import generation_fail

    log.warning("video %s failed: %s", generation.pk, exc)
    generation_fail(generation, message=f"Render failed: {exc}"[:2000], claimed_by=epoch)
    cleanup(generation.pk)
    return "failed"


def _store_and_complete(generation: Generation, spec: VideoSpec, epoch: str, path: str, stats: FrameStats,
                        finish_ms: float) -> str:
    from rendering.services import generation_push
    from rendering.storage import delete_output, save_output_file
    from rendering.waiting import notify_done
    from webhooks.services import event_emit

    from .serializers import video_webhook_data

    t0 = time.perf_counter()
    name = save_output_file(path, EXTENSIONS[spec.format])
    store_ms = (time.perf_counter() - t0) * 1000
    now = timezone.now()
    outcome = dict(
        status=GenerationStatus.COMPLETED, output=name, completed_at=now, deadline=None, error="", error_code="",
        frames_done=spec.frames, timings=_timings(generation, stats, store_ms, finish_ms),
        warnings=list(stats.warnings or []),
        render_ms=int((now - generation.started_at).total_seconds() * 1000) if generation.started_at else None,
    )
    from django.db import transaction

    with transaction.atomic():
        moved = Generation.objects.filter(pk=generation.pk, status=GenerationStatus.PROCESSING,
                                          claimed_by=epoch).update(**outcome)
        if moved:
            for field, value in outcome.items():
                setattr(generation, field, value)
            event_emit(account=generation.account, type="video.completed", data=video_webhook_data(generation))
    cleanup(generation.pk)
    if not moved:  # canceled (or taken over) while finishing
        delete_output(name)
        return "superseded"
    notify_done(generation)
    generation_push(generation)
    return "completed"


def cleanup(generation_id: str) -> None:
    """Deletes a generation's stored chunks and its progress keys."""
    try:
        _dirs, files = default_storage.listdir(f"video-chunks/{generation_id}")
    except (FileNotFoundError, NotADirectoryError, OSError):
        files = []
    for name in files:
        default_storage.delete(f"video-chunks/{generation_id}/{name}")
    from rendering.storage import is_local

    if is_local():
        try:
            Path(default_storage.path(f"video-chunks/{generation_id}")).rmdir()
        except OSError:
            pass
    get_redis().delete(PROGRESS_KEY.format(generation_id), STATS_KEY.format(generation_id))


# --- the chord: chunks, then the finish ------------------------------------------------------

def _current(generation_id: str, epoch: str) -> Generation | None:
    generation = Generation.objects.select_related("account").filter(pk=generation_id).first()
    if generation is None or generation.status != GenerationStatus.PROCESSING or generation.claimed_by != epoch:
        return None
    return generation


def chunk_render(*, generation_id: str, index: int, epoch: str) -> str:
    """One chunk task: render frames of chunk `index` into a chunk file and store it."""
    generation = _current(generation_id, epoch)
    if generation is None:
        return "skipped"
    spec = spec_of(generation)
    first, end = spec.chunks()[index]
    get_redis().hincrby(RUNS_KEY.format(generation_id), str(index), 1)
    watch = _Watch(generation, epoch, index, spec)
    with tempfile.TemporaryDirectory(prefix="audome-chunk-") as workdir:
        path = str(Path(workdir) / f"chunk.{ffmpeg.chunk_extension(spec)}")
        try:
            stats = _render_file(generation, spec, first, end, path, chunk=True, watch=watch)
        except Canceled:
            return "canceled"
        except (RenderError, ffmpeg.EncodeError, OSError) as exc:
            return _fail(generation, epoch, exc)
        name = chunk_name(generation_id, index, spec)
        if default_storage.exists(name):
            default_storage.delete(name)  # a partial upload of a killed run
        with open(path, "rb") as fh:
            saved = default_storage.save(name, File(fh))
        if saved != name:
            default_storage.delete(saved)
    _keep_chunk_stats(generation_id, index, stats)
    watch.progress(end - first, force=True)
    return "done"


def _keep_chunk_stats(generation_id: str, index: int, stats: FrameStats) -> None:
    """A chunk's phase times and warnings, for the finish to report the video's (a re-run chunk
    overwrites its own). Without Redis the video still completes, with timings of the join only."""
    key = STATS_KEY.format(generation_id)
    value = {name: getattr(stats, name) for name in ("frames", "setup_ms", "seek_ms", "capture_ms", "decode_ms",
                                                       "write_ms", "recoveries", "warnings")}
    try:
        redis = get_redis()
        redis.hset(key, str(index), json.dumps(value))
        redis.expire(key, STATS_TTL)
    except Exception:
        log.warning("could not keep the stats of chunk %s of %s", index, generation_id, exc_info=True)


def _chunk_stats(generation_id: str) -> FrameStats:
    """The chunks' FrameStats summed; their warnings once each, in chunk order."""
    total = FrameStats()
    try:
        found = get_redis().hgetall(STATS_KEY.format(generation_id))
    except Exception:
        log.warning("could not read the chunk stats of %s", generation_id, exc_info=True)
        return total
    for _index, raw in sorted(found.items(), key=lambda item: int(item[0])):
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        for name in ("frames", "setup_ms", "seek_ms", "capture_ms", "decode_ms", "write_ms", "recoveries"):
            setattr(total, name, getattr(total, name) + value.get(name, 0))
        for warning in value.get("warnings") or []:
            if warning not in total.warnings:
                total.warnings.append(warning)
    return total


def finish(*, generation_id: str, epoch: str) -> str:
    """The chord's callback: join the stored chunks, store the video, complete the generation."""
    generation = _current(generation_id, epoch)
    if generation is None:
        state = Generation.objects.filter(pk=generation_id).values_list("status", flat=True).first()
        if state != GenerationStatus.PROCESSING:
            cleanup(generation_id)
        return "skipped"
    spec = spec_of(generation)
    with tempfile.TemporaryDirectory(prefix="audome-join-") as workdir:
        parts = []
        for index in range(len(spec.chunks())):
            name = chunk_name(generation_id, index, spec)
            if not default_storage.exists(name):
                return _fail(generation, epoch, RenderError(f"Chunk {index} of the video is missing."))
            local = str(Path(workdir) / Path(name).name)
            with default_storage.open(name, "rb") as source, open(local, "wb") as target:
                for block in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(block)
            parts.append(local)
        output = str(Path(workdir) / f"out.{spec.format}")
        t0 = time.perf_counter()
        try:
            ffmpeg.concat(spec, parts, output, workdir)
        except (ffmpeg.EncodeError, OSError) as exc:
            return _fail(generation, epoch, exc)
        finish_ms = (time.perf_counter() - t0) * 1000
        return _store_and_complete(generation, spec, epoch, output, _chunk_stats(generation_id), finish_ms)
