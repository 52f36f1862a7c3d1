"""/render/projects: the account's templates as cards with thumbnails drawn by the shared
renderer in headless Chromium; create with a size preset or a custom size, filter by category,
delete — through the REST API with the session and CSRF. English and Arabic, light and dark."""
import pytest

from embed.testing import *  # noqa: F401,F403
from projects.models import Category, Project

pytestmark = pytest.mark.django_db(transaction=True)

DOC = {
    "version": 1,
    "background": {"color": "#1e1b4b"},
    "elements": [
        {"id": "bar", "type": "shape", "shape": "rect", "x": 0, "y": 0, "width": 540, "height": 1080,
         "fill": "#ff0000"},
        {"id": "t", "type": "text", "x": 40, "y": 600, "width": 1000, "height": 200, "dynamicKey": "title",
         "text": "Hello", "style": {"fontSize": 90, "color": "#ffffff"}},
    ],
}


def wait_thumbs(page):
    page.wait_for_function(
        "[...document.querySelectorAll('.pj-card:not([hidden]) .pj-thumb')].every(t => t.dataset.rendered)",
        timeout=20_000,
    )


def test_page_needs_login_and_shows_only_own_projects(client, owner, outsider):
    response = client.get("/render/projects")
    assert response.status_code == 302 and "/login" in response["Location"]
    Project.objects.create(account=owner, name="Mine <b>", width=100, height=100, document={"version": 1})
    Project.objects.create(account=outsider, name="Theirs", width=100, height=100, document={"version": 1})
    client.force_login(owner)
    response = client.get("/render/projects")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine &lt;b&gt;" in html and "Theirs" not in html
    assert 'id="projects-boot"' in html


def test_cards_thumbnails_create_filter_delete(owner, outsider, dashboard_page):
    sales = Category.objects.create(account=owner, name="Sales")
    mine = Project.objects.create(account=owner, name="Red half", width=1080, height=1080, document=DOC,
                                  category=sales)
    Project.objects.create(account=outsider, name="Not mine", width=100, height=100, document={"version": 1})

    page = dashboard_page(owner, "/render/projects")
    cards = page.get_by_test_id("project-card")
    assert cards.count() == 1
    assert "Red half" in cards.first.inner_text() and "1080 × 1080" in cards.first.inner_text()
    assert cards.first.locator("a.pj-card__name").get_attribute("href") == f"/render/studio/{mine.pk}"
    wait_thumbs(page)
    # The thumbnail is the template, drawn by the renderer: red on the left half, the title text.
    thumb = page.locator(f'.pj-thumb[data-thumb="{mine.pk}"]')
    assert "Hello" in thumb.inner_text()
    left = thumb.locator('[data-element-id="bar"]').bounding_box()
    box = thumb.bounding_box()
    assert abs(left["width"] - box["width"] / 2) <= 2

    # Create with a preset: 1080×1920 (story). The new template opens in the Studio.
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("create-name").fill("My story")
    page.locator('input[name="preset"][value="story"]').check(force=True)
    page.get_by_test_id("create-submit").click()
    page.wait_for_url("**/render/studio/*")
    story = Project.objects.get(account=owner, name="My story")
    assert page.url.endswith(f"/render/studio/{story.pk}")
    assert (story.width, story.height, story.category_id) == (1080, 1920, None)
    page.goto(page.url.split("/render/")[0] + "/render/projects")
    page.wait_for_function("document.querySelectorAll('[data-testid=project-card]').length === 2")
    assert page.get_by_test_id("project-card").first.get_attribute("data-project-id") == str(story.pk)

    # A custom size, refused in the page when out of range, then created.
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("create-name").fill("Banner")
    page.get_by_test_id("preset-custom").check(force=True)
    page.locator('input[name="width"]').fill("5000")
    page.get_by_test_id("create-submit").click()
    assert page.get_by_test_id("create-error").is_visible()
    assert not Project.objects.filter(name="Banner").exists()
    page.locator('input[name="width"]').fill("728")
    page.locator('input[name="height"]').fill("90")
    page.get_by_test_id("create-category").select_option(str(sales.pk))
    page.get_by_test_id("create-submit").click()
    page.wait_for_url("**/render/studio/*")
    page.goto(page.url.split("/render/")[0] + "/render/projects")
    page.wait_for_function("document.querySelectorAll('[data-testid=project-card]').length === 3")
    banner = Project.objects.get(account=owner, name="Banner")
    assert (banner.width, banner.height, banner.category_id) == (728, 90, sales.pk)

    # Filter by category.
    page.goto(page.url.split("?")[0] + f"?category={sales.pk}")
    names = page.locator("[data-testid=project-card]:not([hidden]) .pj-card__name").all_inner_texts()
    assert sorted(names) == ["Banner", "Red half"]

    # Delete asks in the dashboard's own dialog (no native confirm()), then goes through the API
    # with the session + CSRF.
    page.on("dialog", lambda dialog: pytest.fail(f"native dialog: {dialog.message}"))
    page.locator(f'[data-project-id="{mine.pk}"] [data-testid=delete-project]').click()
    page.locator("#confirm-dialog[open]").wait_for()
    assert "Red half" in page.locator("#confirm-dialog [data-role=title]").inner_text()
    page.locator("#confirm-dialog [data-role=ok]").click()
    page.wait_for_function(f"!document.querySelector('[data-project-id=\"{mine.pk}\"]')")
    assert not Project.objects.filter(pk=mine.pk).exists()
    assert Project.objects.filter(account=outsider).count() == 1
    assert page.errors == []


def _boot_ids(response) -> list[str]:
    import json
    import re

    raw = re.search(r'<script id="projects-boot" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return [p["id"] for p in json.loads(raw.group(1))["projects"]]


def test_the_page_is_paged_searched_and_filtered_on_the_server(client, owner, outsider):
    from projects.views import PAGE_SIZE

    sales = Category.objects.create(account=owner, name="Sales")
    made = [Project.objects.create(account=owner, name=f"Card {i:02d}" + (" promo" if i % 10 == 0 else ""),
                                   width=100, height=100, document={"version": 1},
                                   category=sales if i % 2 else None) for i in range(PAGE_SIZE + 6)]
    Project.objects.create(account=outsider, name="Card promo of someone else", width=100, height=100,
                           document={"version": 1})
    client.force_login(owner)

    first = client.get("/render/projects")
    ids = _boot_ids(first)
    assert len(ids) == PAGE_SIZE and ids[0] == str(made[-1].pk)  # newest edit first
    html = first.content.decode()
    assert html.count('data-testid="project-card"') == PAGE_SIZE + 1  # + the card <template>
    assert f"{PAGE_SIZE + 6} templates" in html and "Page 1 of 2" in html and 'data-testid="page-prev"' not in html
    second = client.get("/render/projects?page=2")
    assert len(_boot_ids(second)) == 6 and set(_boot_ids(second)).isdisjoint(ids)
    assert _boot_ids(client.get("/render/projects?page=99")) == _boot_ids(second)  # past the end: the last page
    assert _boot_ids(client.get("/render/projects?page=x")) == ids

    promo = client.get("/render/projects?q=PROMO")  # by name, any case, own templates only
    assert sorted(_boot_ids(promo)) == sorted(str(p.pk) for p in made if "promo" in p.name)
    assert "3 templates" in promo.content.decode() and 'data-testid="pagination"' not in promo.content.decode()
    both = client.get(f"/render/projects?category={sales.pk}&q=card+1")
    assert sorted(_boot_ids(both)) == sorted(str(p.pk) for p in made if p.category_id and p.name.startswith("Card 1"))
    nothing = client.get("/render/projects?q=nothing+like+this")
    assert _boot_ids(nothing) == [] and 'data-testid="no-match"' in nothing.content.decode()


@pytest.mark.parametrize("language,theme", [("en", "light"), ("ar", "dark")])
def test_paging_in_the_browser(owner, dashboard_page, language, theme):
    import os
    from pathlib import Path

    from projects.views import PAGE_SIZE

    for i in range(PAGE_SIZE + 2):
        Project.objects.create(account=owner, name=f"Card {i:02d}", width=1080, height=1080, document=DOC)
    page = dashboard_page(owner, "/render/projects", language=language, theme=theme)
    assert page.get_by_test_id("project-card").count() == PAGE_SIZE
    status = page.get_by_test_id("page-status").inner_text()
    assert status == ("الصفحة 1 من 2" if language == "ar" else "Page 1 of 2")
    page.wait_for_function("document.querySelector('.pj-thumb').dataset.rendered")  # thumbs draw when in view
    shots = Path(os.environ.get("AUDOME_SHOTS_DIR", "/tmp/shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"projects-top-{language}-{theme}.png"))
    page.get_by_test_id("pagination").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"projects-paging-{language}-{theme}.png"))
    page.get_by_test_id("page-next").click()
    page.wait_for_url("**page=2")
    assert page.get_by_test_id("project-card").count() == 2
    wait_thumbs(page)
    page.get_by_test_id("search-input").fill("Card 03")
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url("**q=Card+03")
    assert page.locator(".pj-card__name").all_inner_texts() == ["Card 03"]
    assert page.errors == []


@pytest.mark.parametrize("language,theme", [("ar", "dark"), ("en", "light")])
def test_page_languages_and_themes(owner, dashboard_page, language, theme):
    Project.objects.create(account=owner, name="عرض الصيف", width=1080, height=1350, document=DOC)
    page = dashboard_page(owner, "/render/projects", language=language, theme=theme)
    wait_thumbs(page)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    heading = page.locator("h1").inner_text()
    assert heading == ("القوالب" if language == "ar" else "Templates")
    # The thumbnail sits inside its frame whatever the direction.
    frame = page.locator(".pj-card__thumb").first.bounding_box()
    bar = page.locator('.pj-thumb [data-element-id="bar"]').first.bounding_box()
    assert frame["x"] <= bar["x"] <= frame["x"] + frame["width"]
    assert page.errors == []


@pytest.mark.parametrize("query", ["?q=nothing+like+this", "?category={empty}"])
def test_an_empty_search_or_category_does_not_reload_itself(owner, dashboard_page, query):
    """#15: refreshEmpty() reloaded the page about ten times a second whenever a filtered page
    arrived with no cards. It shows the no-match state once, and stays."""
    Project.objects.create(account=owner, name="Kept", width=1080, height=1080, document=DOC)
    empty = Category.objects.create(account=owner, name="Empty so far")
    page = dashboard_page(owner, "/render/projects" + query.format(empty=empty.pk))
    loads = []
    page.on("load", lambda _page: loads.append(1))
    page.get_by_test_id("no-match").wait_for()
    page.wait_for_timeout(1500)
    assert loads == [], f"the page reloaded itself {len(loads)} times in 1.5 s"
    assert page.get_by_test_id("no-match").is_visible()
    assert not page.get_by_test_id("empty-state").is_visible()  # "No templates yet" is wrong: there is one
    assert page.errors == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_template_edited_now_says_just_now(owner, dashboard_page, language):
    Project.objects.create(account=owner, name="Fresh", width=1080, height=1080, document=DOC)
    page = dashboard_page(owner, "/render/projects", language=language)
    when = page.locator(".pj-card__time").inner_text()
    assert when == ("عُدِّل الآن" if language == "ar" else "Edited just now"), when
    assert "0" not in when
