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

    # Create with a preset: 1080×1920 (story).
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("create-name").fill("My story")
    page.locator('input[name="preset"][value="story"]').check(force=True)
    page.get_by_test_id("create-submit").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=project-card]').length === 2")
    story = Project.objects.get(account=owner, name="My story")
    assert (story.width, story.height, story.category_id) == (1080, 1920, None)
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
    page.wait_for_function("document.querySelectorAll('[data-testid=project-card]').length === 3")
    banner = Project.objects.get(account=owner, name="Banner")
    assert (banner.width, banner.height, banner.category_id) == (728, 90, sales.pk)

    # Filter by category.
    page.goto(page.url.split("?")[0] + f"?category={sales.pk}")
    names = page.locator("[data-testid=project-card]:not([hidden]) .pj-card__name").all_inner_texts()
    assert sorted(names) == ["Banner", "Red half"]

    # Delete (confirm dialog accepted) goes through the API with the session + CSRF.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'[data-project-id="{mine.pk}"] [data-testid=delete-project]').click()
    page.wait_for_function(f"!document.querySelector('[data-project-id=\"{mine.pk}\"]')")
    assert not Project.objects.filter(pk=mine.pk).exists()
    assert Project.objects.filter(account=outsider).count() == 1
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
