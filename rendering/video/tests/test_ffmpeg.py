"""The encoder side, on frames made here: ffprobe checks codec, frame count, fps, duration and
alpha of what the chunks joined without re-encoding give; a stalled ffmpeg is killed."""
import io
import os
import stat
import subprocess
import time

import pytest
from PIL import Image, ImageDraw

from rendering.video import ffmpeg
from rendering.video.spec import VideoSpec, credits_for, frame_at, frame_count


def frames(spec: VideoSpec, first: int, end: int):
    for i in range(first, end):
        image = Image.new("RGBA" if spec.alpha else "RGB", (spec.width, spec.height),
                          (0, 0, 0, 0) if spec.alpha else (15, 23, 42))
        ImageDraw.Draw(image).rectangle([10 + i * 4, 40, 60 + i * 4, 90], fill=(245, 158, 11, 255))
        out = io.BytesIO()
        image.save(out, "PNG" if spec.alpha else "JPEG", quality=92)
        yield out.getvalue()


def encode(spec: VideoSpec, tmp_path, chunk_frames: int):
    chunks = spec.chunks(chunk_frames)
    parts = []
    for index, (first, end) in enumerate(chunks):
        path = str(tmp_path / f"{index}.{ffmpeg.chunk_extension(spec)}")
        with ffmpeg.Encoder(spec, path, chunk=True) as encoder:
            for frame in frames(spec, first, end):
                encoder.write(frame)
            encoder.finish()
        parts.append(path)
    output = str(tmp_path / f"out.{spec.format}")
    ffmpeg.concat(spec, parts, output, str(tmp_path))
    return output


@pytest.mark.parametrize("fmt, transparent, codec", [
    ("mp4", False, "h264"), ("webm", False, "vp9"), ("webm", True, "vp9"), ("gif", False, "gif"),
])
def test_chunks_joined_without_reencoding_keep_every_frame(tmp_path, fmt, transparent, codec):
    spec = VideoSpec(format=fmt, fps=25, frames=50, width=160, height=120, quality=80, transparent=transparent)
    info = ffmpeg.probe(encode(spec, tmp_path, chunk_frames=20))  # chunks of 20, 20 and 10 frames
    assert info["codec"] == codec
    assert (info["width"], info["height"]) == (160, 120)
    assert info["frames"] == 50
    assert info["fps"] == pytest.approx(25, abs=0.01)
    assert info["durationMs"] == pytest.approx(2000, abs=45)
    assert info["alpha"] is transparent
    if fmt == "mp4":
        assert info["pixFmt"] == "yuv420p"


def test_mp4_is_faststart(tmp_path):
    spec = VideoSpec(format="mp4", fps=10, frames=10, width=64, height=64)
    data = open(encode(spec, tmp_path, chunk_frames=5), "rb").read()
    assert data.index(b"moov") < data.index(b"mdat")  # the index first: playable while downloading


def test_odd_sizes_are_padded_for_yuv420p(tmp_path):
    spec = VideoSpec(format="mp4", fps=10, frames=3, width=101, height=57)
    info = ffmpeg.probe(encode(spec, tmp_path, chunk_frames=10))
    assert (info["width"], info["height"]) == (102, 58)


def test_a_stalled_ffmpeg_is_killed(tmp_path, settings):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nsleep 600\n")  # never reads its stdin
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    settings.FFMPEG_PATH = str(fake)
    settings.VIDEO_ENCODER_STALL_SECONDS = 1
    spec = VideoSpec(format="mp4", fps=10, frames=200, width=640, height=640)
    started = time.monotonic()
    with pytest.raises(ffmpeg.EncodeError, match="killed"):
        with ffmpeg.Encoder(spec, tmp_path / "out.mp4") as encoder:
            big = os.urandom(256 * 1024)  # fills the pipe and the queue quickly
            for _ in range(200):
                encoder.write(big)
    assert time.monotonic() - started < 15
    assert encoder.proc.poll() is not None  # killed, not left behind
    assert subprocess.run(["pgrep", "-f", str(fake)], capture_output=True).returncode == 1


def test_frame_rules_match_the_renderer():
    # static/renderer/animation.ts frameCount/frameAt: the same numbers.
    assert frame_count(0, 30) == 1  # a still is a 1-frame video
    assert frame_count(10_000, 30) == 300
    assert frame_count(1000, 24) == 24
    assert frame_at(0, 30, 300) == 0
    assert frame_at(100, 30, 300) == 3  # 100 ms is exactly frame 3
    assert frame_at(99.9, 30, 300) == 2
    assert frame_at(60_000, 30, 300) == 299


def test_credits_per_started_second(settings):
    settings.VIDEO_CREDITS_PER_SECOND = 2
    assert credits_for(0) == 2
    assert credits_for(1000) == 2
    assert credits_for(1001) == 4
    assert credits_for(10_000) == 20
