"""The Batch page of a template (/render/projects/<id>/batch) in real Chromium against the ASGI
server (HTTP + WebSocket) with REAL Celery workers (render and preview): a CSV is read in the
browser, its columns are matched to the template's keys by name, the first rows are previewed
with the free preview, the batch starts and its progress arrives live over /ws/renders; a row
whose image fails is listed with its error, the ZIP downloads, the failed rows are retried.
EN/AR, light/dark, screenshots in $AUDOME_SHOTS_DIR."""
import io
import os
import zipfile
from pathlib import Path

import pytest

from batches.models import Batch
from batches.tests.conftest import BROKEN_IMAGE, make_project
from billing.services import credits_balance
from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))

CSV = ("Title,photo.img,Notes\n"
       "Spring sale,,first\n"
       "Summer sale,,second\n"
       f"Autumn sale,{BROKEN_IMAGE},third\n"
       "Winter sale,,fourth\n")


@pytest.fixture
def preview_worker(celery_worker_factory, settings):
    return celery_worker_factory(queues=settings.PREVIEW_QUEUE)


def choose_csv(page, text: str = CSV):
    page.get_by_test_id("csv-input").set_input_files(
        {"name": "products.csv", "mimeType": "text/csv", "buffer": text.encode()})


def test_upload_map_preview_start_follow_live_download_and_retry(owner, dashboard_page, render_worker,
                                                                 preview_worker):
    project = make_project(owner, name="Seasonal card")
    page = dashboard_page(owner, f"/render/projects/{project.pk}/batch")
    assert page.get_by_test_id("history-empty").is_visible()
    page.wait_for_function("document.documentElement.dataset.rendersLive === 'ready'")

    choose_csv(page)
    # The file is read asynchronously (File.text()): wait for the page to say what it found.
    page.get_by_test_id("file-info").filter(has_text="4 rows, 3 columns").wait_for(timeout=10_000)
    # Auto-matched by name: "Title" → title.text, "photo.img" → photo.img; "Notes" stays unused.
    assert page.locator("select[data-key=title]").input_value() == "0"
    assert page.locator("select[data-key=photo]").input_value() == "1"
    assert page.get_by_test_id("start").inner_text() == "Start batch (4)"

    page.get_by_test_id("preview").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=previews] figure img').length === 3",
                           timeout=60_000)
    assert page.locator("[data-testid=previews] figure.is-loading").count() == 0
    assert credits_balance(account=owner) == 100  # previews are free
    page.screenshot(path=str(SHOTS / "batch-ready-en-light.png"), full_page=True)

    page.get_by_test_id("start").click()
    page.get_by_test_id("progress-card").wait_for(state="visible")
    batch = Batch.objects.get(account=owner)
    assert batch.total == 4 and credits_balance(account=owner) == 96
    page.wait_for_function("document.querySelector('[data-testid=batch-page]').dataset.batchStatus === 'partial'",
                           timeout=120_000)
    assert page.get_by_test_id("count-done").inner_text() == "3"
    assert page.get_by_test_id("count-failed").inner_text() == "1"
    assert page.get_by_test_id("batch-status").inner_text() == "Partial"
    failed = page.locator("[data-testid=failed-rows] tbody tr")
    failed.first.wait_for()
    assert failed.count() == 1 and failed.first.locator("td").first.inner_text() == "3"
    assert "photo.img" in failed.first.inner_text()
    assert credits_balance(account=owner) == 97  # the failed row came back
    page.screenshot(path=str(SHOTS / "batch-done-en-light.png"), full_page=True)

    download = page.get_by_test_id("download")
    assert download.get_attribute("href") == f"/api/render/batches/{batch.id}/download"
    answer = page.request.get(page.url.split("/render/")[0] + download.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.body()))
    assert sorted(archive.namelist()) == ["manifest.csv", "row-00001.png", "row-00002.png", "row-00004.png"]

    page.get_by_test_id("retry").click()
    page.wait_for_function(
        f"document.querySelector('[data-slot=batch-id]').textContent !== '{batch.id}'")
    retry = Batch.objects.get(retry_of=batch)
    assert retry.total == 1
    page.wait_for_function("document.querySelector('[data-testid=batch-page]').dataset.batchStatus === 'failed'",
                           timeout=120_000)
    assert credits_balance(account=owner) == 97
    assert page.errors == []


@pytest.mark.parametrize("language,theme", [("en", "dark"), ("ar", "light"), ("ar", "dark")])
def test_languages_and_themes(owner, dashboard_page, language, theme):
    project = make_project(owner, name="بطاقة الموسم" if language == "ar" else "Seasonal card")
    page = dashboard_page(owner, f"/render/projects/{project.pk}/batch", language=language, theme=theme)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    heading = page.locator("h1").inner_text()
    assert heading == ("التوليد بالدفعات" if language == "ar" else "Batch renders")
    choose_csv(page)
    page.locator("[data-step=map]").wait_for(state="visible")
    start = page.get_by_test_id("start").inner_text()
    assert start == ("ابدأ الدفعة (4)" if language == "ar" else "Start batch (4)")
    keep = page.locator("select[data-key=title] option").first.inner_text()
    assert keep == ("— أبقِ قيمة القالب —" if language == "ar" else "— keep the template's value —")
    page.screenshot(path=str(SHOTS / f"batch-{language}-{theme}.png"), full_page=True)
    assert page.errors == []


def test_another_accounts_template_has_no_batch_page(owner, outsider, dashboard_page):
    theirs = make_project(outsider)
    page = dashboard_page(owner, f"/render/projects/{theirs.pk}/batch")
    assert page.get_by_test_id("batch-page").count() == 0
    assert "Seasonal" not in page.content() and theirs.name not in page.locator("main").inner_text()


def test_the_templates_page_links_each_template_to_its_batch_page(owner, dashboard_page):
    project = make_project(owner, name="Seasonal card")
    page = dashboard_page(owner, "/render/projects")
    link = page.get_by_test_id("batch-link")
    assert link.count() == 1 and link.inner_text() == "Batch"
    page.screenshot(path=str(SHOTS / "batch-link-projects-en-light.png"))
    link.click()
    page.wait_for_url(f"**/render/projects/{project.pk}/batch")
    assert page.get_by_test_id("batch-page").is_visible()
