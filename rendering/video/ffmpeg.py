"""ffmpeg, Debian's package (scripts/install-system.sh; FFMPEG_PATH / FFPROBE_PATH): the
encoder fed while frames are captured, the concatenation of chunks without re-encoding, the
GIF's two palette passes and ffprobe.

`Encoder` starts ffmpeg reading images from its stdin (`image2pipe`: JPEG or PNG frames, one
after the other) and writes each captured frame to it from a writer thread through a queue of
at most QUEUE_FRAMES frames: capture and encoding overlap, and memory holds a few frames,
never the video. A stalled ffmpeg (no frame taken for VIDEO_ENCODER_STALL_SECONDS) or one
that outlives its finish by as long is killed; its stderr goes to a temp file (a pipe could
fill and hang it)."""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, cast

from django.conf import settings

from .spec import VideoSpec

log = logging.getLogger(__name__)

QUEUE_FRAMES = 4


class EncodeError(Exception):
    pass


def ffmpeg_path() -> str:
    return settings.FFMPEG_PATH


def ffprobe_path() -> str:
    return settings.FFPROBE_PATH


def _crf(spec: VideoSpec) -> int:
    q = max(1, min(100, int(spec.quality)))
    if spec.format == "webm":
        return round(50 - q * 0.3)  # VP9: 0–63; q80 → 26
    return round(35 - q * 0.2)  # x264: 0–51; q80 → 19


def output_args(spec: VideoSpec, *, chunk: bool = False) -> list[str]:
    """The encoder settings of the video, or of one chunk of it (`chunk`: joined later)."""
    if spec.format == "gif":
        # Lossless (FFV1), so the palette passes see the captured pixels.
        return ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "bgra" if spec.alpha else "bgr0", "-f", "matroska"]
    if spec.format == "webm":
        args = ["-c:v", "libvpx-vp9", "-crf", str(_crf(spec)), "-b:v", "0", "-deadline", "realtime",
                "-cpu-used", "8", "-row-mt", "1", "-tile-columns", "2", "-auto-alt-ref", "0"]
        args += ["-pix_fmt", "yuva420p", "-metadata:s:v:0", "alpha_mode=1"] if spec.alpha else ["-pix_fmt", "yuv420p"]
        return [*args, "-f", "webm"]
    # H.264 in yuv420p needs even sizes: an odd width or height gets one more (copied) pixel row.
    args = ["-c:v", "libx264", "-preset", settings.VIDEO_X264_PRESET, "-crf", str(_crf(spec)), "-pix_fmt", "yuv420p",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
    # Chunks are MPEG-TS: joined without re-encoding, their timestamps line up exactly.
    return [*args, "-f", "mpegts"] if chunk else [*args, "-movflags", "+faststart", "-f", "mp4"]


def chunk_extension(spec: VideoSpec) -> str:
    return {"gif": "mkv", "mp4": "ts"}.get(spec.format, spec.format)


class Encoder:
    """ffmpeg encoding the frames written to it into `path`. Use as a context manager: leaving
    it without finish() (an error, a cancel) kills ffmpeg."""

    def __init__(self, spec: VideoSpec, path: str | os.PathLike, *, chunk: bool = False):
        self.spec = spec
        self.path = str(path)
        codec = "png" if spec.capture_format == "png" else "mjpeg"
        self.cmd = [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "image2pipe", "-framerate", str(spec.fps), "-c:v", codec, "-i", "pipe:0",
            "-an", "-threads", str(settings.VIDEO_ENCODER_THREADS), *output_args(spec, chunk=chunk),
            "-r", str(spec.fps), self.path,
        ]
        self._stderr = tempfile.TemporaryFile()
        self.proc: subprocess.Popen | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None
        self.frames = 0
        self._last_taken = time.monotonic()

    def __enter__(self) -> Encoder:
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr)
        self._writer = threading.Thread(target=self._write_loop, name="audome-video-writer", daemon=True)
        self._writer.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        self._stderr.close()

    def _started(self) -> subprocess.Popen:
        assert self.proc is not None, "use the Encoder as a context manager"
        return self.proc

    def _write_loop(self) -> None:
        stdin = cast(IO[bytes], self._started().stdin)  # Popen(stdin=PIPE) always has one
        try:
            while True:
                frame = self._queue.get()
                if frame is None:
                    break
                stdin.write(frame)
                self._last_taken = time.monotonic()
        except BaseException as exc:  # noqa: BLE001 - reported by write()/finish()
            self._error = exc
            while True:  # unblock a producer waiting on a full queue
                try:
                    if self._queue.get_nowait() is None:
                        break
                except queue.Empty:
                    break
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def write(self, frame: bytes) -> None:
        """Hands one captured image to ffmpeg (blocks while QUEUE_FRAMES wait)."""
        stall = settings.VIDEO_ENCODER_STALL_SECONDS
        while True:
            if self._error is not None or self._started().poll() is not None:
                raise EncodeError(f"ffmpeg stopped taking frames: {self.stderr() or self._error}")
            try:
                self._queue.put(frame, timeout=0.5)
                self.frames += 1
                return
            except queue.Full:
                if time.monotonic() - self._last_taken > stall:
                    self.kill()
                    raise EncodeError(f"ffmpeg took no frame for {stall} s and was killed.") from None

    def finish(self) -> None:
        """No more frames: wait for ffmpeg to write the file (killed past the stall limit)."""
        self._queue.put(None)
        assert self._writer is not None, "use the Encoder as a context manager"
        self._writer.join(timeout=settings.VIDEO_ENCODER_STALL_SECONDS)
        try:
            code = self._started().wait(timeout=settings.VIDEO_ENCODER_STALL_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            raise EncodeError("ffmpeg did not finish in time and was killed.") from None
        if code != 0 or self._error is not None:
            raise EncodeError(f"ffmpeg failed ({code}): {self.stderr() or self._error}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log.warning("ffmpeg %s did not die", self.proc.pid)

    def stderr(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""


def _run(cmd: list[str], *, timeout: float) -> None:
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise EncodeError(f"{Path(cmd[0]).name} did not finish in {timeout:.0f} s and was killed.") from None
    if done.returncode != 0:
        raise EncodeError(f"{Path(cmd[0]).name} failed: {done.stderr.decode(errors='replace')[-2000:]}")


def concat(spec: VideoSpec, parts: list[str], output: str, workdir: str) -> None:
    """Joins chunk files (same codec and settings) into output without re-encoding; a GIF's
    chunks (FFV1) are joined and then turned into the GIF by the two palette passes."""
    listing = Path(workdir) / "parts.txt"
    listing.write_text("".join(f"file '{Path(p).resolve()}'\n" for p in parts))
    timeout = settings.VIDEO_FINISH_TIMEOUT
    source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    base = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    if spec.format == "gif":
        gif(spec, source, output, workdir)
        return
    if spec.format == "mp4":
        _run([*base, *source, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", output], timeout=timeout)
    else:
        # The matroska muxer keeps VP9's alpha (BlockAdditional) but not the stream's alpha flag: set it again.
        extra = ["-metadata:s:v:0", "alpha_mode=1"] if spec.alpha else []
        _run([*base, *source, "-c", "copy", *extra, "-f", "webm", output], timeout=timeout)


def gif(spec: VideoSpec, source: list[str], output: str, workdir: str) -> None:
    """The two-pass GIF: pass one finds the best palette for all frames, pass two maps the
    frames onto it (dithered); both read the lossless intermediate from disk."""
    palette = str(Path(workdir) / "palette.png")
    colours = max(16, min(256, round(256 * max(1, min(100, spec.quality)) / 100)))
    reserve = ":reserve_transparent=1" if spec.alpha else ":reserve_transparent=0"
    base = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    timeout = settings.VIDEO_FINISH_TIMEOUT
    _run([*base, *source, "-vf", f"palettegen=max_colors={colours}:stats_mode=full{reserve}", palette], timeout=timeout)
    dither = "sierra2_4a" if spec.quality >= 50 else "bayer:bayer_scale=3"
    _run([*base, *source, "-i", palette, "-lavfi", f"[0:v][1:v]paletteuse=dither={dither}:alpha_threshold=128",
          "-r", str(spec.fps), "-loop", "0", "-f", "gif", output], timeout=timeout)


def probe(path: str) -> dict:
    """ffprobe's view of a file: {codec, width, height, fps, frames, durationMs, pixFmt, alpha, formatName}."""
    cmd = [ffprobe_path(), "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
           "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_read_frames,pix_fmt:stream_tags:format=duration,format_name",
           "-of", "json", path]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise EncodeError(f"ffprobe failed: {done.stderr.decode(errors='replace')[-500:]}")
    info = json.loads(done.stdout)
    stream = (info.get("streams") or [{}])[0]
    num, _, den = (stream.get("r_frame_rate") or "0/1").partition("/")
    frames = int(stream.get("nb_read_frames") or 0)
    duration_ms = round(float((info.get("format") or {}).get("duration") or 0) * 1000, 1)
    tags = {k.lower(): v for k, v in (stream.get("tags") or {}).items()}
    return {
        "codec": stream.get("codec_name"),
        "width": stream.get("width"),
        "height": stream.get("height"),
        # Frames over the file's duration: what a player shows (ffprobe's avg_frame_rate counts
        # H.264's reordering delay in after a concat), and the stream's declared rate.
        "fps": round(frames * 1000 / duration_ms, 3) if duration_ms else 0.0,
        "declaredFps": float(num) / float(den) if den and float(den) else 0.0,
        "frames": frames,
        "durationMs": duration_ms,
        "pixFmt": stream.get("pix_fmt"),
        "alpha": tags.get("alpha_mode") == "1",
        "formatName": (info.get("format") or {}).get("format_name"),
    }
