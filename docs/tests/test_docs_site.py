import pytest

from docs.pages import all_pages
from tests.browser.conftest import chromium_browser, live_url, open_page, shot  # noqa: F401  (fixtures)

CONTRACT_PAGES = ["getting-started", "api/render", "api/preview", "embed", "webhooks"]


@pytest.mark.parametrize("slug", CONTRACT_PAGES)
def test_contract_pages_exist_as_html_and_raw(client, slug):
    page = client.get(f"/docs/{slug}")
    assert page.status_code == 200
    assert b"<h1" in page.content
    raw = client.get(f"/docs/raw/{slug}.md")
    assert raw.status_code == 200
    assert raw["Content-Type"].startswith("text/markdown")
    assert raw.content.decode().lstrip().startswith("# ")


def test_index_lists_every_page(client):
    body = client.get("/docs").content.decode()
    for page in all_pages():
        assert f'href="/docs/{page.slug}"' in body


def test_llms_feeds_and_sitemap(client, settings):
    settings.PUBLIC_BASE_URL = "https://audome.example"
    llms = client.get("/llms.txt").content.decode()
    assert llms.startswith("# Audome")
    assert "https://audome.example/docs/raw/api/render.md" in llms
    full = client.get("/llms-full.txt").content.decode()
    for page in all_pages():
        assert page.markdown.strip()[:60] in full
    sitemap = client.get("/sitemap.xml")
    assert sitemap["Content-Type"] == "application/xml"
    assert b"<loc>https://audome.example/docs/webhooks</loc>" in sitemap.content


def test_unknown_page_404_and_no_path_tricks(client):
    assert client.get("/docs/nope").status_code == 404
    assert client.get("/docs/raw/../settings.md").status_code == 404


def test_docs_refuse_framing(client):
    assert "frame-ancestors 'none'" in client.get("/docs")["Content-Security-Policy"]


def test_index_summaries_are_rendered_whole_sentences(client):
    """#15: the cards showed raw markdown (`**`, backticks) cut at 140 characters mid-sentence."""
    import re

    body = client.get("/docs").content.decode()
    cards = re.findall(r'data-testid="docs-card"><h3>.*?</h3><div class="muted">(.*?)</div></a>', body, re.S)
    assert len(cards) == len(all_pages())
    for summary in cards:
        text = re.sub(r"<[^>]+>", "", summary).strip()
        assert text.endswith((".", "!", "?", ":")), text
        assert "**" not in summary and "`" not in summary, summary
    assert "<code>Authorization</code>" in body and "<strong>API token</strong>" in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language,theme", [("en", "light"), ("en", "dark"), ("ar", "light"), ("ar", "dark")])
def test_docs_in_arabic_and_dark_like_the_dashboard(open_page, shot, language, theme):  # noqa: F811
    page = open_page("/docs", language=language, theme=theme)
    html = page.locator("html")
    assert html.get_attribute("lang") == language and html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator("h1").inner_text() == ("توثيق Audome" if language == "ar" else "Audome documentation")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(11, 17, 32)" if theme == "dark" else "rgb(255, 255, 255)")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(page, f"docs-index-{language}-{theme}")
    page.goto(page.base_url + "/docs/getting-started")
    article = page.get_by_test_id("docs-article")
    assert article.get_attribute("dir") == "ltr" and article.get_attribute("lang") == "en"
    nav = page.locator("header.top nav").inner_text()
    assert ("مرجع الواجهة البرمجية" if language == "ar" else "API reference") in nav
    shot(page, f"docs-getting-started-{language}-{theme}")
    # The switches work without JavaScript, like the dashboard's.
    other = "en" if language == "ar" else "ar"
    page.get_by_test_id(f"docs-lang-{other}").click()
    page.wait_for_function(f"document.documentElement.lang === '{other}'")
    assert page.url.endswith("/docs/getting-started")
    page.get_by_test_id("docs-theme-dark" if theme == "light" else "docs-theme-light").click()
    page.wait_for_function(f"document.documentElement.dataset.theme === '{'dark' if theme == 'light' else 'light'}'")
    assert page.errors == []
