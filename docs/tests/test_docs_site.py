import pytest

from docs.pages import all_pages

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
