"""The Python SDK against a real running Audome (ASGI server + real render and preview workers):
renders whose pixels are checked, wait, preview, idempotency, typed errors, discovery."""
import asyncio
import io

import pytest
from audome import (
    AsyncAudome,
    Audome,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    RenderCanceledError,
    ValidationError,
)
from PIL import Image

from billing.services import credits_balance
from clients.python.tests.conftest import run_async
from rendering.models import Generation

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def pixel(path, xy):
    image = Image.open(path)
    image.load()
    return image, image.convert("RGB").getpixel(xy)


def test_one_liner_render_saves_the_real_image(sdk_env, tenant, tmp_path):
    project_id = tenant.project()
    out = Audome().render(project_id, {"title.text": "Hi"}, format="png").save(tmp_path / "out.png")
    image, background = pixel(out, (5, 5))
    assert image.format == "PNG" and image.size == (640, 360)
    assert background == (0x0F, 0x17, 0x2A)
    assert pixel(out, (320, 330))[1] == (0xF5, 0x9E, 0x0B)  # the amber bar
    # The title was drawn: white pixels inside its box.
    box = image.convert("RGB").crop((40, 40, 600, 160))
    assert any(p[0] > 200 and p[1] > 200 and p[2] > 200 for p in box.getdata())
    assert credits_balance(account=tenant.account) == 99


def test_render_fields_jpeg_and_the_generation_record(sdk_env, tenant, tmp_path):
    client = Audome()
    render = client.render(tenant.project(), {"title.text": "JPEG"}, format="jpeg", quality=80,
                           metadata={"order": 42})
    assert render.status == "completed" and render.format == "jpeg" and render.credits_used == 1
    assert render.width == 640 and render.generation_id.startswith("gen_")
    image = Image.open(io.BytesIO(render.bytes()))
    assert image.format == "JPEG"
    record = client.generations.get(render.generation_id)
    assert record["metadata"] == {"order": 42} and record["imageUrl"] == render.image_url
    listed = client.generations.list(status="completed")
    assert render.generation_id in [g["generationId"] for g in listed["generations"]]


def test_queued_render_then_wait(sdk_env, tenant):
    client = Audome()
    queued = client.render(tenant.project(), {"title.text": "Later"}, wait=False)
    assert queued.status in ("pending", "processing") and queued.image_url is None
    done = client.wait(queued, timeout=120)
    assert done.status == "completed" and done.image_url and done.generation_id == queued.generation_id


def test_idempotency_key_generated_per_call_and_honoured_when_given(sdk_env, tenant):
    client = Audome()
    project_id = tenant.project()
    first = client.render(project_id, {"title.text": "Once"}, idempotency_key="order-123")
    again = client.render(project_id, {"title.text": "Once"}, idempotency_key="order-123")
    assert again.generation_id == first.generation_id
    assert Generation.objects.filter(account=tenant.account).count() == 1
    assert credits_balance(account=tenant.account) == 99
    # Without a key each call is a new render (the SDK's own key differs per call).
    client.render(project_id, {"title.text": "Twice"})
    assert Generation.objects.filter(account=tenant.account).count() == 2


def test_typed_errors_carry_code_and_request_id(sdk_env, tenant, outsider_tenant):
    client = Audome()
    project_id = tenant.project()
    with pytest.raises(ValidationError) as bad_key:
        client.render(project_id, {"subtitle.text": "nope"})
    assert bad_key.value.code == "VALIDATION_FAILED" and bad_key.value.status == 400
    assert bad_key.value.request_id.startswith("req_") and bad_key.value.requestId == bad_key.value.request_id
    assert "subtitle" in str(bad_key.value.details) and not bad_key.value.retryable

    with pytest.raises(NotFoundError) as theirs:
        Audome(outsider_tenant.token).render(project_id, {"title.text": "x"})
    assert theirs.value.code == "PROJECT_NOT_FOUND"
    with pytest.raises(AuthenticationError) as unknown:
        Audome("aud_" + "x" * 40).account()
    assert unknown.value.code == "UNAUTHORIZED"
    assert Generation.objects.count() == 0 and credits_balance(account=tenant.account) == 100


def test_rate_limit_surfaces_as_retryable_error_with_retry_after(sdk_env, tenant, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    client = Audome(max_retry_wait=1)  # the server asks for ~60 s: more than we allow, so it raises
    client.account()
    client.account()
    with pytest.raises(RateLimitError) as limited:
        client.account()
    assert limited.value.code == "RATE_LIMITED" and limited.value.retryable
    assert 0 < limited.value.retry_after <= 60


def test_cancel_a_pending_render(sdk_env, tenant, render_worker):
    # Hold the worker: a render queued while no worker listens stays pending.
    client = Audome()
    project_id = tenant.project()
    render_worker.kill()
    try:
        queued = client.render(project_id, {"title.text": "Cancel me"}, wait=False)
        canceled = client.generations.cancel(queued.generation_id)
        assert canceled.get("status", "canceled") == "canceled"
        with pytest.raises(RenderCanceledError):
            client.wait(queued.generation_id, timeout=10)
    finally:
        render_worker.start()


def test_preview_and_discovery(sdk_env, tenant, tmp_path):
    client = Audome()
    project_id = tenant.project()
    preview = client.preview(project_id, {"title.text": "Peek"})
    assert preview.data["lowRes"] is True and preview.expires_at
    image = Image.open(preview.save(tmp_path / "peek.webp"))
    assert image.format == "WEBP"
    options = client.options()
    assert [f["format"] for f in options["formats"]] == ["png", "jpeg", "webp"]
    plan = client.plan()
    assert plan["allowance"]["used"] == 0 and plan["creditsBalance"] == 100
    me = client.account()
    assert me["user"]["email"] == tenant.account.email
    project = client.projects.get(project_id)
    assert [e["dynamicKey"] for e in project["dynamicElements"]] == ["title"]


def test_async_client(sdk_env, tenant, tmp_path):
    project_id = tenant.project()

    async def main():
        async with AsyncAudome() as client:
            renders = await asyncio.gather(*(client.render(project_id, {"title.text": f"Async {i}"}) for i in range(2)))
            paths = [await r.save(tmp_path / f"async-{i}.png") for i, r in enumerate(renders)]
            listed = await client.projects.list()
            return renders, paths, listed

    renders, paths, listed = run_async(main)
    assert len({r.generation_id for r in renders}) == 2
    assert all(Image.open(p).size == (640, 360) for p in paths)
    assert project_id in [p["id"] for p in listed["projects"]]
    assert credits_balance(account=tenant.account) == 98


def test_batch_when_the_api_exists(sdk_env, tenant, tmp_path):
    client = Audome()
    project_id = tenant.project()
    done = client.batch(project_id, [{"title.text": "Row 1"}, {"title.text": "Row 2"}], wait=True, timeout=300)
    assert done["status"] == "completed" and done["counts"]["done"] == 2
    zip_path = client.download_batch(done["batchId"], tmp_path / "renders.zip")
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    assert "manifest.csv" in names and len([n for n in names if n.endswith(".png")]) == 2
