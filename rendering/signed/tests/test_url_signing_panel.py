"""The URL-signing panel (included on the API tokens page): shows the account's own secret and
the builder, in English and Arabic; the builder's JavaScript signs exactly like the server."""
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from rendering.signed import signing


def render_panel(user, language: str) -> str:
    request = RequestFactory().get("/render/tokens")
    request.user = user
    with translation.override(language):
        return render_to_string("rendering/_url_signing_panel.html", {"request": request, "user": user},
                                request=request)


@pytest.mark.django_db
def test_panel_shows_the_own_secret_and_builder_in_english(owner, outsider):
    html = render_panel(owner, "en")
    assert owner.url_signing_secret in html and outsider.url_signing_secret not in html
    for text in ("Signed render URLs", "URL-signing secret", "Roll secret", "Build a signed URL", "Sign URL",
                 "csrfmiddlewaretoken"):
        assert text in html


@pytest.mark.django_db
def test_panel_is_translated_to_arabic(owner):
    html = render_panel(owner, "ar")
    for text in ("روابط العرض الموقّعة", "سر توقيع الروابط", "تغيير السر", "أنشئ رابطًا موقّعًا", "وقّع الرابط",
                 "الرابط الموقّع يعرضه دون أي رمز وصول"):
        assert text in html
    assert "Roll secret" not in html


@pytest.mark.browser
@pytest.mark.django_db
def test_builder_javascript_signs_like_the_server(owner, tmp_path):
    """Run the dashboard's signing module (static/dashboard/signing.ts, which the panel's script
    uses) in real Chromium and compare its canonical query and HMAC with the server's."""
    import subprocess
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    root = Path(__file__).resolve().parents[3]
    bundle = tmp_path / "signing.js"
    subprocess.run([str(root / "node_modules/.bin/rolldown"), "static/dashboard/signing.ts", "--format", "iife",
                    "--name", "AudomeSigning", "--file", str(bundle)], cwd=root, check=True, capture_output=True)
    helpers = bundle.read_text() + "\nconst {canonicalQuery, hmacHex} = AudomeSigning;"
    params = [["title.text", "Hello world & more"], ["name.text", "مرحبا"], ["w", "640"],
              ["hero.img", "https://example.com/a b.png?x=1"], ["exp", "1900000000"], ["a*", "(ok)!'"]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            # Web Crypto needs a secure context: localhost is one (served by the route, no network).
            page.route("http://localhost/**", lambda route: route.fulfill(body="<html></html>",
                                                                          content_type="text/html"))
            page.goto("http://localhost/")
            got = page.evaluate(
                "async ([helpers, secret, path, params]) => {"
                "  const f = new Function(helpers + '; return {canonicalQuery, hmacHex};');"
                "  const {canonicalQuery, hmacHex} = f();"
                "  const q = canonicalQuery(params);"
                "  return {q, s: await hmacHex(secret, path + '?' + q)};"
                "}",
                [helpers, owner.url_signing_secret, "/r/p.png", params],
            )
        finally:
            browser.close()
    pairs = [tuple(x) for x in params]
    assert got["q"] == signing.canonical_query(pairs)
    assert got["s"] == signing.signature(owner.url_signing_secret, "/r/p.png", pairs)
