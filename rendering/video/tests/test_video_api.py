"""Video renders end to end: the test process is the API, REAL Celery render workers render the
frames with Chromium and encode them with ffmpeg; the files are decoded with ffprobe/ffmpeg and
their frames compared with frame previews and with the engine's frames."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops, ImageStat

from billing.services import credits_balance
from conftest import client_for, make_account
from core.redis import get_redis
from projects.models import Project
from rendering.models import Generation
from rendering.tests.helpers import URL, fetch_image, wait_status
from rendering.video import ffmpeg
from rendering.video.processing import RUNS_KEY
from webhooks.models import Event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

W, H = 320, 240
TITLE = "مرحبا بالعالم"


def animated_document(duration=1000, fps=10, background="#ffffff"):
    return {
        "version": 1, "duration": duration, "fps": fps, "background": {"color": background},
        "elements": [
            {"id": "box", "type": "shape", "shape": "rect", "x": 200, "y": 20, "width": 60, "height": 60,
             "fill": "#ff0000", "enter": {"type": "slide", "direction": "left", "duration": 500, "easing": "linear"}},
            {"id": "dot", "type": "shape", "shape": "ellipse", "x": 20, "y": 150, "width": 60, "height": 60,
             "fill": "#0000ff", "keyframes": [{"time": 0, "x": 20}, {"time": duration, "x": 220}]},
            {"id": "title", "type": "text", "x": 10, "y": 90, "width": 300, "height": 50, "text": TITLE,
             "dynamicKey": "title", "style": {"fontFamily": "Noto Sans Arabic", "fontSize": 32, "color": "#000000"},
             "enter": {"type": "typewriter", "duration": duration, "easing": "linear"}},
        ],
    }


def project_of(account, document, width=W, height=H) -> Project:
    from projects.document import validate_document

    return Project.objects.create(account=account, name="Video", width=width, height=height,
                                  document=validate_document(document))


def file_of(api, url: str, tmp_path: Path, name: str) -> Path:
    response, data = fetch_image(api, url)
    assert response.status_code == 200
    path = tmp_path / name
    path.write_bytes(data)
    return path


def decoded_frame(path: Path, index: int, *, alpha=False) -> Image.Image:
    decoder = ["-c:v", "libvpx-vp9"] if alpha else []
    done = subprocess.run([ffmpeg.ffmpeg_path(), "-loglevel", "error", *decoder, "-i", str(path), "-vf",
                           f"select=eq(n\\,{index})", "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
                          capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("RGBA")


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")).mean[0]


@pytest.fixture
def session_worker_paused():
    """The chunk size is the rendering worker's setting: while a test runs its own worker, the
    session's render worker (if earlier tests in this process started it; 150-frame chunks) is
    stopped with SIGSTOP so it can't take the test's tasks, and resumed afterwards. The pause
    outlasts the transport's 1 s BRPOP, so no pop is left pending for the stopped worker."""
    import gc

    from core.testing.worker import WorkerProcess

    paused = [o for o in gc.get_objects() if isinstance(o, WorkerProcess) and o.alive() and o.queues == "render"]
    for worker in paused:
        os.killpg(worker.pid, signal.SIGSTOP)
    if paused:
        time.sleep(1.5)
    yield
    for worker in paused:
        if worker.alive():
            os.killpg(worker.pid, signal.SIGCONT)


@pytest.fixture
def chunked_worker(session_worker_paused, celery_worker_factory):
    """A render worker that cuts videos into chunks of 4 frames (a 10-frame video: a chord of 3)."""
    return celery_worker_factory(queues="render", concurrency=1, env={"VIDEO_CHUNK_FRAMES": "4"})


# --- end to end --------------------------------------------------------------------------

def test_mp4_in_chunks_decodes_to_the_frames_and_matches_the_frame_preview(chunked_worker, preview_worker, api, owner,
                                                                          tmp_path):
    project = project_of(owner, animated_document())
    response = api.post(URL, {"projectId": str(project.pk), "format": "mp4", "quality": 90,
                              "data": {"title.text": TITLE}, "metadata": {"order": 12}})
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["status"] in ("pending", "processing") and accepted["statusUrl"].endswith(accepted["generationId"])
    assert (accepted["frames"], accepted["fps"], accepted["durationMs"], accepted["creditsHeld"]) == (10, 10, 1000, 1)
    assert credits_balance(account=owner) == 99

    record = wait_status(api, accepted["generationId"])
    assert record["status"] == "completed", record
    assert (record["progress"], record["framesDone"], record["frames"]) == (1.0, 10, 10)
    assert record["videoUrl"].endswith(".mp4") and "imageUrl" not in record
    assert get_redis().hgetall(RUNS_KEY.format(accepted["generationId"])) == {b"0": b"1", b"1": b"1", b"2": b"1"}
    # The video's phases are its chunks' summed (seeking the frames, capturing them, encoding), not zeros.
    timings = record["timings"]
    assert timings["layout"] > 0 and timings["capture"] > 0 and timings["encode"] > 0, timings
    assert timings["total"] >= timings["capture"]

    path = file_of(api, record["videoUrl"], tmp_path, "out.mp4")
    info = ffmpeg.probe(str(path))
    assert (info["codec"], info["pixFmt"], info["width"], info["height"]) == ("h264", "yuv420p", W, H)
    assert info["frames"] == 10 and info["fps"] == pytest.approx(10, abs=0.2) and info["declaredFps"] == 10
    assert info["durationMs"] == pytest.approx(1000, abs=20)
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart

    # Chosen frames against the frame preview of the same time (the preview is the frame before
    # the encoder: H.264 only adds its compression noise).
    for index in (0, 3, 7):
        preview = api.post("/api/render/preview", {"projectId": str(project.pk), "data": {"title.text": TITLE},
                                                   "frameMs": index * 100})
        assert preview.status_code == 200, preview.content
        body = preview.json()
        assert body["frameMs"] == index * 100 and body["lowRes"] is False
        _, png = fetch_image(api, body["previewUrl"])
        still = Image.open(io.BytesIO(png)).convert("RGBA")
        assert still.size == (W, H)
        assert mean_diff(decoded_frame(path, index), still) < 4.0, index
    # …and frames really differ over time (the comparison above can fail).
    assert mean_diff(decoded_frame(path, 0), decoded_frame(path, 7)) > 4.0

    assert credits_balance(account=owner) == 99  # charged once, on success kept
    event = Event.objects.get(account=owner, type="video.completed")
    assert event.data["generationId"] == accepted["generationId"] and event.data["videoUrl"] == record["videoUrl"]
    assert (event.data["durationMs"], event.data["frames"], event.data["metadata"]) == (1000, 10, {"order": 12})
    assert not Event.objects.filter(account=owner, type="render.completed").exists()
    assert not list(Path(settings.MEDIA_ROOT, "video-chunks").glob(f"{accepted['generationId']}/*"))


def test_transparent_webm_keeps_alpha_and_composites_over_a_colour(render_worker, api, owner, tmp_path):
    project = project_of(owner, animated_document(background="transparent"))
    response = api.post(URL, {"projectId": str(project.pk), "format": "webm", "backgroundColor": "transparent"})
    assert response.status_code == 202, response.content
    record = wait_status(api, response.json()["generationId"])
    assert record["status"] == "completed", record
    path = file_of(api, record["videoUrl"], tmp_path, "out.webm")
    info = ffmpeg.probe(str(path))
    assert info["codec"] == "vp9" and info["alpha"] is True and info["frames"] == 10
    frame = decoded_frame(path, 9, alpha=True)
    assert frame.getpixel((5, 5))[3] < 10  # the background is see-through
    assert frame.getpixel((230, 50))[3] > 245  # the box is opaque
    over = Image.alpha_composite(Image.new("RGBA", frame.size, (0, 128, 0, 255)), frame).convert("RGB")
    r, g, b = over.getpixel((5, 5))
    assert abs(r - 0) < 12 and abs(g - 128) < 12 and abs(b - 0) < 12  # the colour shows through
    r, g, b = over.getpixel((230, 50))
    assert r > 200 and g < 60 and b < 60  # the red box covers it


def test_gif_two_pass_palette(render_worker, api, owner, tmp_path):
    project = project_of(owner, animated_document())
    response = api.post(URL, {"projectId": str(project.pk), "format": "gif", "fps": 5})
    assert response.status_code == 202, response.content
    assert response.json()["frames"] == 5
    record = wait_status(api, response.json()["generationId"])
    assert record["status"] == "completed", record
    path = file_of(api, record["videoUrl"], tmp_path, "out.gif")
    info = ffmpeg.probe(str(path))
    assert info["codec"] == "gif" and info["frames"] == 5
    gif = Image.open(path)
    assert gif.n_frames == 5 and gif.info.get("loop") == 0
    gif.seek(4)
    r, g, b = gif.convert("RGB").getpixel((230, 50))
    assert r > 200 and g < 60 and b < 60  # the exact red survives the palette


def test_a_still_template_is_a_one_frame_video(render_worker, api, owner, tmp_path):
    document = {"version": 1, "background": {"color": "#123456"}, "elements": []}
    project = project_of(owner, document)
    response = api.post(URL, {"projectId": str(project.pk), "format": "mp4"})
    assert response.status_code == 202, response.content
    assert (response.json()["frames"], response.json()["creditsHeld"]) == (1, 1)
    record = wait_status(api, response.json()["generationId"])
    info = ffmpeg.probe(str(file_of(api, record["videoUrl"], tmp_path, "still.mp4")))
    assert info["frames"] == 1


# --- cancel, failure, a killed worker ------------------------------------------------------

def _worker_children(worker, name: str) -> list[int]:
    pids = []
    for pid in worker.pool_pids():
        out = subprocess.run(["pgrep", "-P", str(pid), "-f", name], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in out]
    return pids


def test_cancel_stops_the_worker_mid_video_and_refunds(render_worker, api, owner):
    project = project_of(owner, animated_document(duration=20_000, fps=30))  # 600 frames
    response = api.post(URL, {"projectId": str(project.pk), "format": "mp4"})
    assert response.status_code == 202, response.content
    generation_id = response.json()["generationId"]
    assert response.json()["creditsHeld"] == 20 and credits_balance(account=owner) == 80
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        record = api.get(f"/api/render/generations/{generation_id}").json()
        if record["framesDone"] > 0:
            break
        time.sleep(0.1)
    assert 0 < record["framesDone"] < 600, record
    canceled = api.post(f"/api/render/generations/{generation_id}/cancel")
    assert canceled.status_code == 200, canceled.content
    assert canceled.json()["status"] == "canceled" and canceled.json()["creditsUsed"] == 0
    assert credits_balance(account=owner) == 100
    time.sleep(3)
    done = Generation.objects.get(pk=generation_id).frames_done
    time.sleep(2)
    generation = Generation.objects.get(pk=generation_id)
    assert generation.status == "canceled" and generation.frames_done == done and generation.output == ""
    assert _worker_children(render_worker, "ffmpeg") == []  # ffmpeg stopped with the render
    assert not Event.objects.filter(account=owner, type__in=["video.completed", "video.failed"]).exists()
    assert api.post(f"/api/render/generations/{generation_id}/cancel").status_code == 409


def test_a_worker_killed_mid_chunk_re_renders_that_chunk_only(session_worker_paused, celery_worker_factory, api, owner,
                                                               tmp_path):
    worker = celery_worker_factory(queues="render", concurrency=1, env={"VIDEO_CHUNK_FRAMES": "30"})
    project = project_of(owner, animated_document(duration=3000, fps=30))  # 90 frames: chunks 0, 1, 2
    response = api.post(URL, {"projectId": str(project.pk), "format": "mp4"})
    generation_id = response.json()["generationId"]
    runs = RUNS_KEY.format(generation_id)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not get_redis().hget(runs, "1"):
        time.sleep(0.05)
    assert get_redis().hget(runs, "1") == b"1"
    time.sleep(0.3)  # chunk 1 is capturing
    for pid in worker.pool_pids():
        os.kill(pid, signal.SIGKILL)  # the pool process (and its Chromium and ffmpeg) dies mid-chunk
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and Generation.objects.get(pk=generation_id).status == "processing":
        time.sleep(0.5)  # the database, not the API: polling this long would meet the account's rate limit
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert record["status"] == "completed", record
    assert get_redis().hgetall(runs) == {b"0": b"1", b"1": b"2", b"2": b"1"}
    assert "WorkerLostError" in worker.log() or "exited prematurely" in worker.log()
    info = ffmpeg.probe(str(file_of(api, record["videoUrl"], tmp_path, "out.mp4")))
    assert info["frames"] == 90 and info["durationMs"] == pytest.approx(3000, abs=40)
    assert credits_balance(account=owner) == 97


def test_a_video_whose_worker_and_queue_were_lost_is_finished_by_the_sweeper(session_worker_paused,
                                                                             celery_worker_factory, api, owner,
                                                                             tmp_path):
    """The worker dies with the chord's tasks gone too (a Redis that lost its lists): nothing
    would ever run them. Past the deadline the sweeper puts the video back in the queue; the next
    worker renders only the chunks that were never stored, and the video is charged once."""
    import datetime as dt

    from django.utils import timezone

    from core.testing.worker import purge_queues
    from rendering.processing import generations_sweep

    env = {"VIDEO_CHUNK_FRAMES": "30"}
    worker = celery_worker_factory(queues="render", concurrency=1, env=env)
    project = project_of(owner, animated_document(duration=3000, fps=30))  # 90 frames: chunks 0, 1, 2
    generation_id = api.post(URL, {"projectId": str(project.pk), "format": "mp4"}).json()["generationId"]
    runs = RUNS_KEY.format(generation_id)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not get_redis().hget(runs, "1"):
        time.sleep(0.05)
    worker.kill()  # the whole worker, Chromium and ffmpeg with it…
    purge_queues("render")  # …and the chunks still queued
    assert Generation.objects.get(pk=generation_id).status == "processing"

    swept = generations_sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert swept["requeued"] == 1 and Generation.objects.get(pk=generation_id).status == "pending"
    celery_worker_factory(queues="render", concurrency=1, env=env, purge=False)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and Generation.objects.get(pk=generation_id).status in ("pending", "processing"):
        time.sleep(0.5)
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert record["status"] == "completed", record
    started = {int(k): int(v) for k, v in get_redis().hgetall(runs).items()}
    assert started[0] == 1  # stored before the kill: not rendered again
    assert started[1] == 2  # lost mid-render: rendered again
    info = ffmpeg.probe(str(file_of(api, record["videoUrl"], tmp_path, "out.mp4")))
    assert info["frames"] == 90 and info["durationMs"] == pytest.approx(3000, abs=40)
    assert credits_balance(account=owner) == 97  # 3 s of video, charged once


# --- what is refused ---------------------------------------------------------------------

@pytest.mark.parametrize("extra, field", [
    ({"format": "avi"}, "format"),
    ({"format": "mp4", "fps": 0}, "fps"),
    ({"format": "mp4", "fps": 61}, "fps"),
    ({"format": "mp4", "fps": "30"}, "fps"),
    ({"format": "png", "fps": 30}, "fps"),
    ({"format": "mp4", "width": 1921}, "width"),
    ({"format": "mp4", "backgroundColor": "transparent"}, "backgroundColor"),
    ({"format": "webm", "quality": 0}, "quality"),
])
def test_bad_video_requests_are_400_and_change_nothing(api, owner, extra, field):
    project = project_of(owner, animated_document())
    response = api.post(URL, {"projectId": str(project.pk), **extra})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_FAILED" and field in response.json()["details"]
    assert not Generation.objects.exists() and credits_balance(account=owner) == 100


def test_video_needs_a_template(api):
    response = api.post(URL, {"html": "<p>hi</p>", "format": "mp4"})
    assert response.status_code == 400 and "format" in response.json()["details"]


def test_another_accounts_template_is_not_found(api, outsider):
    project = project_of(outsider, animated_document())
    response = api.post(URL, {"projectId": str(project.pk), "format": "mp4"})
    assert response.status_code == 404 and response.json()["code"] == "PROJECT_NOT_FOUND"
    assert not Generation.objects.exists()


def test_credits_per_second_and_402(db):
    poor = make_account("poor@example.com", credits=5)
    project = project_of(poor, animated_document(duration=5500))  # 55 frames at 10 fps: 6 started seconds
    response = client_for(poor).post(URL, {"projectId": str(project.pk), "format": "mp4"})
    assert response.status_code == 402 and response.json()["code"] == "INSUFFICIENT_CREDITS"
    assert credits_balance(account=poor) == 5 and not Generation.objects.exists()


def test_video_options(api):
    body = api.get("/api/render/video-options").json()
    assert [f["format"] for f in body["formats"]] == ["mp4", "webm", "gif"]
    assert body["fps"] == {"min": 1, "max": 60, "default": 30}
    assert (body["maxDurationMs"], body["maxWidth"], body["maxHeight"]) == (60_000, 1920, 1920)
    assert body["creditsPerSecond"] == settings.VIDEO_CREDITS_PER_SECOND


def test_images_go_between_chunks(chunked_worker, api, owner):
    """A long video does not hold up an image queued after it for more than one chunk."""
    from rendering.tests.helpers import solid_html

    project = project_of(owner, animated_document(duration=4000, fps=10))  # 40 frames: 10 chunks of 4
    video_id = api.post(URL, {"projectId": str(project.pk), "format": "mp4"}).json()["generationId"]
    runs = RUNS_KEY.format(video_id)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not get_redis().hget(runs, "0"):
        time.sleep(0.05)
    image = api.post(URL, {"html": solid_html("#00ff00"), "width": 64, "height": 64, "async": True})
    assert image.status_code == 202, image.content
    image_id = image.json()["generationId"]
    while time.monotonic() < deadline and Generation.objects.get(pk=image_id).status != "completed":
        time.sleep(0.05)
    started_chunks = len(get_redis().hgetall(runs))
    assert Generation.objects.get(pk=image_id).status == "completed"
    assert Generation.objects.get(pk=video_id).status == "processing"
    assert started_chunks <= 2, started_chunks  # the chunk running when the image came, perhaps the next
    while time.monotonic() < deadline + 120 and Generation.objects.get(pk=video_id).status == "processing":
        time.sleep(0.5)
    assert Generation.objects.get(pk=video_id).status == "completed"
