"""The Renders page (/render/renders) in real Chromium against the ASGI server (HTTP + WebSocket)
and a REAL Celery render worker: a render made through the API appears on the open page and
turns "Completed" with its thumbnail over /ws/renders; filters by template, status, source and
date; paging; the detail page with the data and timings, download and "Render again"; the
ledger's generation ids link to it; another account's render is not found. EN/AR, light/dark,
screenshots in $AUDOME_SHOTS_DIR."""
import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from embed.testing import *  # noqa: F401,F403
from projects.models import Project
from rendering.models import Generation, GenerationSource, GenerationStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))

DOC = {
    "version": 1,
    "background": {"color": "#0f766e"},
    "elements": [
        {"id": "t", "type": "text", "x": 20, "y": 60, "width": 360, "height": 80, "dynamicKey": "title",
         "text": "Hello", "style": {"fontSize": 40, "color": "#ffffff"}},
    ],
}


@pytest.fixture
def card(owner):
    return Project.objects.create(account=owner, name="Teal card", width=400, height=200, document=DOC)


def _record(account, project=None, *, status=GenerationStatus.COMPLETED, source=GenerationSource.API, days_ago=0,
            data=None):
    g = Generation.objects.create(
        account=account, project=project, project_ref=str(project.pk) if project else "", status=status, source=source,
        data=data or {"title.text": "Old"}, options={"width": 400, "height": 200, "format": "png"},
        timings={"queue": 1.0, "total": 12.5}, render_ms=12,
    )
    Generation.objects.filter(pk=g.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return g


def test_a_render_appears_live_and_its_detail_page_reruns_it(owner, outsider, card, api, dashboard_page, render_worker):
    other = Project.objects.create(account=owner, name="Other", width=100, height=100, document={"version": 1})
    _record(owner, other, status=GenerationStatus.FAILED, source=GenerationSource.SIGNED_URL, days_ago=3)
    theirs = _record(outsider, None, data={"secret": "theirs"})

    page = dashboard_page(owner, "/render/renders")
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_function("document.documentElement.dataset.rendersLive === 'ready'")
    cards = page.get_by_test_id("render-card")
    assert cards.count() == 1 and "Other" in cards.first.inner_text() and "Failed" in cards.first.inner_text()
    assert page.get_by_test_id("renders-count").inner_text() == "1 render"
    assert theirs.id not in page.content()

    # A render made elsewhere (the API) shows up on the open page and turns Completed with its image.
    answer = api.post("/api/render/generate", {"projectId": str(card.pk), "data": {"title.text": "Live!"}, "async": True})
    assert answer.status_code == 202, answer.content
    gen_id = answer.json()["generationId"]
    live = page.locator(f'[data-generation-id="{gen_id}"]')
    live.wait_for(timeout=20_000)
    page.wait_for_function(
        f"document.querySelector('[data-generation-id=\"{gen_id}\"]').dataset.status === 'completed'", timeout=30_000)
    page.wait_for_function(
        f"(() => {{ const i = document.querySelector('[data-generation-id=\"{gen_id}\"] img');"
        " return i && i.complete && i.naturalWidth === 400; })()")
    assert "Teal card" in live.inner_text() and "Completed" in live.inner_text()
    assert page.get_by_test_id("render-card").count() == 2
    assert page.get_by_test_id("renders-count").inner_text() == "2 renders"  # the count follows, once
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "renders-live-en-light.png"), full_page=True)
    assert page.errors == []

    # The detail page: data, timings, download, and "Render again" makes a new render.
    live.locator("a.rn-name").click()
    page.wait_for_url(f"**/render/renders/{gen_id}")
    assert '"title.text": "Live!"' in page.get_by_test_id("render-data").inner_text()
    phases = page.locator("[data-testid=render-timings] tr[data-phase]")
    assert phases.count() >= 3 and page.locator("tr[data-phase=total]").count() == 1
    download = page.get_by_test_id("render-download")
    assert download.get_attribute("download") == f"{gen_id}.png"
    assert page.request.get(download.get_attribute("href")).headers["content-type"] == "image/png"
    before = Generation.objects.filter(account=owner).count()
    page.get_by_test_id("render-rerun").click()
    page.wait_for_url(lambda url: "/render/renders/gen_" in url and gen_id not in url)
    rerun = Generation.objects.filter(account=owner).exclude(pk=gen_id).order_by("-created_at").first()
    assert Generation.objects.filter(account=owner).count() == before + 1
    assert rerun.data == {"title.text": "Live!"} and rerun.project_id == card.pk and rerun.source == GenerationSource.API
    # It was in flight when the page opened; the page reloads itself when it is done.
    page.get_by_test_id("render-image").locator("img").wait_for(timeout=30_000)
    assert "Completed" in page.get_by_test_id("render-status").inner_text()
    page.wait_for_function("document.querySelector('[data-testid=render-image] img').naturalWidth === 400")
    page.screenshot(path=str(SHOTS / "render-detail-live-en-light.png"), full_page=True)

    # The ledger's generation id leads here.
    page.goto(page.url.split("/render/")[0] + "/render/billing")
    link = page.locator(f'[data-testid=ledger-render-link]:text-is("{gen_id}")').first
    link.click()
    page.wait_for_url(f"**/render/renders/{gen_id}")

    # Another account's render: not found.
    response = page.goto(page.url.split("/render/")[0] + f"/render/renders/{theirs.id}")
    assert response.status == 404
    assert page.errors == []


def test_filters_and_paging(owner, card, dashboard_page):
    other = Project.objects.create(account=owner, name="Other", width=100, height=100, document={"version": 1})
    for _ in range(25):
        _record(owner, card)
    failed = _record(owner, other, status=GenerationStatus.FAILED, source=GenerationSource.SIGNED_URL, days_ago=10)
    studio = _record(owner, other, source=GenerationSource.STUDIO, days_ago=5)

    page = dashboard_page(owner, "/render/renders")
    assert page.get_by_test_id("render-card").count() == 24
    assert "Page 1 of 2" in page.get_by_test_id("renders-page-status").inner_text()
    page.get_by_test_id("renders-older").click()
    page.wait_for_url("**page=2")
    assert page.get_by_test_id("render-card").count() == 3

    def ids():
        return sorted(page.locator("[data-testid=render-card]").evaluate_all("els => els.map(e => e.dataset.generationId)"))

    page.goto(page.url.split("?")[0])
    page.get_by_test_id("filter-template").select_option(str(other.pk))
    page.get_by_test_id("filter-apply").click()
    page.wait_for_url(f"**template={other.pk}*")
    assert ids() == sorted([failed.id, studio.id])
    page.get_by_test_id("filter-status").select_option("failed")
    page.get_by_test_id("filter-apply").click()
    page.wait_for_url("**status=failed*")
    assert ids() == [failed.id]
    page.goto(page.url.split("?")[0] + "?source=studio")
    assert ids() == [studio.id]
    since = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    until = (timezone.now() - dt.timedelta(days=2)).date().isoformat()
    page.goto(page.url.split("?")[0] + f"?from={since}&to={until}")
    assert ids() == [studio.id]
    assert page.get_by_test_id("filter-from").input_value() == since

    # A bad date is said plainly and changes nothing; no match is an empty state, not an error.
    page.goto(page.url.split("?")[0] + "?from=yesterday")
    assert "yesterday" in page.get_by_test_id("filter-error").inner_text()
    assert page.get_by_test_id("render-card").count() == 24
    page.goto(page.url.split("?")[0] + "?status=canceled")
    page.get_by_test_id("renders-no-match").wait_for()
    assert page.errors == []


@pytest.mark.parametrize("language,theme", [("en", "light"), ("en", "dark"), ("ar", "light"), ("ar", "dark")])
def test_languages_and_themes(owner, card, dashboard_page, language, theme):
    _record(owner, card, status=GenerationStatus.FAILED, source=GenerationSource.SIGNED_URL)
    done = _record(owner, card, data={"title.text": "مرحبا"})
    page = dashboard_page(owner, "/render/renders", language=language, theme=theme)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == ("الصور المولَّدة" if language == "ar" else "Renders")
    texts = " ".join(page.get_by_test_id("render-card").all_inner_texts())
    assert ("فشلت" if language == "ar" else "Failed") in texts
    # The live count's words: the browser's plural category of N picks what Django would write.
    from django.utils import translation
    from django.utils.translation import ngettext

    counter = page.get_by_test_id("renders-count")
    for n in (0, 1, 2, 5, 12, 100, 103):
        shown = page.evaluate("""([n, lang]) => {
            const forms = JSON.parse(document.querySelector('[data-testid="renders-count"]').dataset.forms);
            return forms[new Intl.PluralRules(lang).select(n)].replace('%(n)s', String(n));
        }""", [n, language])
        with translation.override(language):
            assert shown == ngettext("%(n)s render", "%(n)s renders", n) % {"n": n}, n
    with translation.override(language):
        assert counter.inner_text() == ngettext("%(n)s render", "%(n)s renders", 2) % {"n": 2}
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"renders-{language}-{theme}.png"), full_page=True)
    page.goto(page.url.split("/render/")[0] + f"/render/renders/{done.id}")
    assert "مرحبا" in page.get_by_test_id("render-data").inner_text()
    page.screenshot(path=str(SHOTS / f"render-detail-{language}-{theme}.png"), full_page=True)
    assert page.errors == []
