"""One retry layer: the engine tries Chromium at most twice per render, and neither the render
worker nor the preview worker loops around it (they used to, for up to four attempts)."""
import json

import pytest
from django.db import transaction

from billing.services import credits_balance
from core.auth import SESSION
from core.redis import get_redis
from rendering import engine, processing
from rendering.engine import RenderOptions
from rendering.models import GenerationStatus
from rendering.preview import services as previews
from rendering.preview.cache import now_ms
from rendering.preview.tests.conftest import DOCUMENT, HEIGHT, WIDTH, clean_preview_keys
from rendering.services import generation_create


@pytest.fixture
def chromium_attempts(monkeypatch):
    """Every page attempt fails the way a crashed page does; returns the list of attempts."""
    attempts = []

    def page_falls_over(state, job, prep, budget_ms):
        attempts.append(job.options)
        raise RuntimeError("the page fell over")

    monkeypatch.setattr(engine.page, "in_browser", page_falls_over)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_a_failing_generation_reaches_chromium_twice_then_fails_and_refunds(owner, chromium_attempts, monkeypatch):
    monkeypatch.setattr(transaction, "on_commit", lambda fn, *a, **kw: None)  # no Celery: the test is the worker
    before = credits_balance(account=owner)
    generation = generation_create(account=owner, credential=SESSION, project=None, html="<p>x</p>", data={},
                                   options=RenderOptions(width=40, height=30, format="webp", quality=55),
                                   metadata={})
    assert processing.generation_render(generation_id=generation.id) == "failed"
    assert chromium_attempts == [RenderOptions(width=40, height=30, format="webp", quality=55)] * 2
    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED and "twice" in generation.error
    assert credits_balance(account=owner) == before


@pytest.mark.django_db(transaction=True)
def test_a_failing_preview_reaches_chromium_twice(owner, chromium_attempts, settings):
    clean_preview_keys()
    job_id, digest = "job-retries", "d" * 64
    payload = {"accountId": str(owner.pk), "projectId": "p", "digest": digest, "document": DOCUMENT, "data": {},
               "width": WIDTH, "height": HEIGHT, "ttlMs": 60_000, "cap": 10, "renderTimeout": 20}
    get_redis().hset(previews.JOB.format(job_id), mapping={
        "state": "queued", "payload": json.dumps(payload), "digest": digest, "deadline": now_ms() + 60_000})
    assert previews.preview_render(job_id=job_id) == "failed"
    assert chromium_attempts == [RenderOptions(width=WIDTH, height=HEIGHT, format="webp",
                                               quality=settings.PREVIEW_QUALITY)] * 2
    assert get_redis().hget(previews.JOB.format(job_id), "state") == b"failed"
