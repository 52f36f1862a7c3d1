"""The frame loop on real Chromium: frames are a pure function of time (the same frame twice,
or resumed mid-video, is the same pixels), animations move what they say, Arabic typewriter
text grows from the right, and a frame piped into ffmpeg decodes to what was captured."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from rendering import engine
from rendering.video import ffmpeg
from rendering.video.capture import Canceled, render_frames
from rendering.video.spec import VideoSpec

W, H = 320, 240


def animated_doc():
    return {
        "version": 1, "duration": 1000, "fps": 10, "background": {"color": "#ffffff"},
        "elements": [
            {"id": "box", "type": "shape", "shape": "rect", "x": 200, "y": 20, "width": 60, "height": 60,
             "fill": "#ff0000", "enter": {"type": "slide", "direction": "left", "duration": 500, "easing": "linear"}},
            {"id": "dot", "type": "shape", "shape": "ellipse", "x": 20, "y": 150, "width": 60, "height": 60,
             "fill": "#0000ff", "keyframes": [{"time": 0, "x": 20}, {"time": 1000, "x": 220}]},
            {"id": "ar", "type": "text", "x": 10, "y": 90, "width": 300, "height": 50, "text": "مرحبا بالعالم",
             "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 32, "color": "#000000"},
             "enter": {"type": "typewriter", "duration": 1000, "easing": "linear"}},
        ],
    }


def job(document, key="video-a", background=None):
    return engine.RenderJob(engine.RenderOptions(width=W, height=H, format="png", background=background),
                            document=document, isolation_key=key)


def png_spec(frames=10, fps=10):
    # A transparent WebM captures PNG frames: lossless, so pixels can be compared exactly.
    return VideoSpec(format="webm", fps=fps, frames=frames, width=W, height=H, transparent=True)


def capture(document, first=0, end=10, key="video-a"):
    frames = []
    render_frames(job(document, key), png_spec(), first, end, frames.append)
    return [Image.open(io.BytesIO(f)).convert("RGBA") for f in frames]


def same(a, b) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox(alpha_only=False) is None


def red_left_edge(image) -> int | None:
    for x in range(W):
        r, g, b, a = image.getpixel((x, 50))
        if r > 200 and g < 60 and b < 60:
            return x
    return None


def ink_columns(image, box):
    grey = image.convert("L").crop(box)
    cols = [x for x in range(grey.width) if any(grey.getpixel((x, y)) < 128 for y in range(grey.height))]
    return (min(cols) + box[0], max(cols) + box[0]) if cols else None


@pytest.mark.django_db
def test_frames_are_a_pure_function_of_time():
    document = animated_doc()
    first = capture(document)
    again = capture(document)
    assert all(same(a, b) for a, b in zip(first, again, strict=True))
    resumed = capture(document, 6, 10)  # a chunk starting mid-video
    assert all(same(a, b) for a, b in zip(first[6:], resumed, strict=True))
    # Frames differ from each other (the animation moves), and the box slides in from the left.
    assert not same(first[0], first[5])
    edges = [red_left_edge(im) for im in first]
    assert edges[0] is None or edges[0] < 60  # off-canvas at t=0 (the slide starts at x ≤ 0)
    assert edges[5] == 200 and edges[9] == 200  # in place from 500 ms
    assert edges[2] is not None and edges[2] < edges[4] < 200


@pytest.mark.django_db
def test_keyframes_move_and_the_still_render_stays_at_rest():
    document = animated_doc()
    frames = capture(document)
    blue = [ink_columns(im, (0, 150, W, 210)) for im in frames]
    assert blue[0][0] < blue[5][0] < blue[9][0]
    # The still (an image render) shows the document as designed: no pose applied.
    still = Image.open(io.BytesIO(engine.render(job(document)).image)).convert("RGBA")
    assert red_left_edge(still) == 200
    assert ink_columns(still, (0, 150, W, 210))[0] == 20


@pytest.mark.django_db
def test_arabic_typewriter_grows_from_the_right():
    frames = capture(animated_doc())
    box = (0, 90, W, 140)
    early, late = ink_columns(frames[3], box), ink_columns(frames[9], box)
    assert early and late
    assert abs(early[1] - late[1]) <= 3  # the right edge stays: Arabic starts on the right
    assert early[0] > late[0] + 40  # and the text grows leftwards


@pytest.mark.django_db
def test_a_cancel_stops_between_batches():
    calls = []
    with pytest.raises(Canceled):
        render_frames(job(animated_doc()), png_spec(frames=40), 0, 40, calls.append,
                      should_stop=lambda: len(calls) >= 8)
    assert 8 <= len(calls) < 40


@pytest.mark.django_db
def test_piped_frames_decode_to_the_captured_pixels(tmp_path):
    document = animated_doc()
    spec = VideoSpec(format="webm", fps=10, frames=10, width=W, height=H, transparent=True)
    captured = capture(document)
    path = tmp_path / "out.mkv"
    gif_spec = VideoSpec(format="gif", fps=10, frames=10, width=W, height=H, transparent=True)
    with ffmpeg.Encoder(gif_spec, path, chunk=True) as encoder:  # FFV1: lossless
        render_frames(job(document), spec, 0, 10, encoder.write)
        encoder.finish()
    out = tmp_path / "f.png"
    import subprocess

    subprocess.run([ffmpeg.ffmpeg_path(), "-loglevel", "error", "-i", str(path), "-vf", "select=eq(n\\,7)",
                    "-frames:v", "1", str(out)], check=True)
    assert same(Image.open(out).convert("RGBA"), captured[7])


@pytest.mark.django_db
def test_a_still_render_at_a_frame_time_is_that_frame_exactly():
    """What a frame preview renders (engine.render with time_ms, PNG) is the video's frame, pixel
    for pixel — also right after other renders on the same page (warm path, then at rest)."""
    import dataclasses

    document = animated_doc()
    frames = capture(document)
    for index in (2, 7, 4):
        posed = engine.render(dataclasses.replace(job(document), time_ms=index * 100.0))
        assert same(Image.open(io.BytesIO(posed.image)).convert("RGBA"), frames[index]), index
    rest = Image.open(io.BytesIO(engine.render(job(document)).image)).convert("RGBA")
    assert red_left_edge(rest) == 200 and not same(rest, frames[2])
