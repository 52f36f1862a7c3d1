"""What a new user tripped over (#15), in real Chromium against the live server: the out-of-credits
banner on every dashboard page, `/` and the favicon, the starter template a sign-up gets, the
billing page at 390 px, the ledger in Arabic, and /api/docs with no internet access."""
import re

import pytest
from django.utils import translation

from billing.models import LedgerEntry
from billing.services import credits_take
from projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD_PAGES = ["/render", "/render/projects", "/render/renders", "/render/api-tokens", "/render/webhooks",
                   "/render/billing"]
PASSWORD = "a-long-Passphrase-42"


def _account(email, credits):
    from conftest import make_account

    return make_account(email, credits=credits)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_out_of_credits_banner_on_every_page(open_page, shot, language):
    broke = _account(f"broke-{language}@example.com", credits=1)
    credits_take(account=broke, amount=1, reference="gen_spent", description="Render")
    page = open_page(None, account=broke, language=language)
    for path in DASHBOARD_PAGES:
        page.goto(page.base_url + path)
        banner = page.get_by_test_id("out-of-credits")
        assert banner.is_visible(), path
        if path != "/render/billing":
            link = page.get_by_test_id("out-of-credits-link")
            assert link.get_attribute("href") == "/render/billing"
    assert ("نفد رصيدك" if language == "ar" else "You have no credits left") in banner.inner_text()
    page.goto(page.base_url + "/render/projects")
    page.get_by_test_id("out-of-credits-link").click()
    page.wait_for_url("**/render/billing")
    page.goto(page.base_url + "/render")
    shot(page, f"out-of-credits-{language}")
    # (The Renders page's /ws/renders socket needs the ASGI server; this live server is WSGI.)
    assert page.errors == [] and [e for e in page.console_errors if "/ws/renders" not in e] == []

    # With credits, no banner anywhere.
    rich = _account(f"rich-{language}@example.com", credits=5)
    page = open_page(None, account=rich, language=language)
    for path in DASHBOARD_PAGES:
        page.goto(page.base_url + path)
        assert page.get_by_test_id("out-of-credits").count() == 0, path


def test_root_redirects_to_the_dashboard_and_the_favicon_is_served(open_page, client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/render"
    page = open_page("/")
    page.wait_for_url("**/accounts/login/?next=/render")  # not signed in: the dashboard asks to log in
    icon = page.request.get(page.base_url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.body()
    linked = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(page.base_url + linked).status == 200


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_new_account_gets_a_starter_template(open_page, shot, language):
    email = f"starter-{language}@example.com"
    page = open_page("/accounts/signup/", locale="ar-SA" if language == "ar" else "en-US")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url("**/render")
    starter = Project.objects.get(account__email=email)
    assert (starter.width, starter.height) == (1200, 630)
    keys = sorted(e["dynamicKey"] for e in starter.document["elements"] if e.get("dynamicKey"))
    assert keys == ["subtitle", "title"]
    assert starter.name == ("قالبي الأول" if language == "ar" else "My first template")
    page.goto(page.base_url + "/render/projects")
    card = page.get_by_test_id("project-card")
    assert card.count() == 1 and starter.name in card.inner_text()
    page.wait_for_function("document.querySelector('.pj-thumb').dataset.rendered === 'true'")
    shot(page, f"starter-template-{language}")
    assert page.errors == []


def test_an_operator_made_account_gets_none(db):
    account = _account("ops@example.com", credits=5)
    assert not Project.objects.filter(account=account).exists()


@pytest.mark.parametrize("language,theme", [("en", "light"), ("ar", "dark")])
def test_billing_page_fits_a_390px_phone(open_page, shot, language, theme):
    account = _account(f"phone-{language}@example.com", credits=200)
    for i in range(25):
        credits_take(account=account, amount=1, reference=f"gen_01PHONE{i:018d}", description="Render")
    page = open_page("/render/billing", account=account, language=language, theme=theme, viewport=(390, 844))
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]}px of content in {widths[1]}px"
    # The ledger keeps all its columns: the table scrolls inside its own box, the page doesn't.
    assert page.locator("[data-testid=ledger] th").count() == 5
    shot(page, f"billing-390-{language}-{theme}")


def test_ledger_is_translated_in_arabic(open_page):
    account = _account("ledger-ar@example.com", credits=10)
    credits_take(account=account, amount=1, reference="gen_01LEDGERAR0000000000000000", description="Render")
    page = open_page("/render/billing", account=account, language="ar")
    ledger = page.get_by_test_id("ledger").inner_text()
    with translation.override("ar"):
        from django.utils.translation import gettext

        expected = [gettext("Free plan starting credits"), gettext("Render")]
    for text in expected:
        assert text in ledger
    assert not re.search(r"Free plan|starting credits|\bRender\b|Grant", ledger), ledger
    link = page.get_by_test_id("ledger-render-link")
    assert link.get_attribute("href") == "/render/renders/gen_01LEDGERAR0000000000000000"
    assert LedgerEntry.objects.filter(account=account).count() == 2


def test_api_reference_works_without_internet(open_page):
    """#15: /api/docs loaded Redoc from a CDN and stayed blank offline. Every request that leaves
    the live server is refused here; the reference must still draw."""
    page = open_page(None)
    outside = []

    def only_local(route):
        host = re.match(r"https?://([^/:]+)", route.request.url)
        if host and host.group(1) in ("localhost", "127.0.0.1"):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    page.route("**/*", only_local)
    page.goto(page.base_url + "/api/docs")
    page.locator("h1", has_text="Audome API").wait_for(timeout=20_000)
    assert page.get_by_text("Render a template (or inline html) into an image").count() >= 1
    assert outside == []  # not even Redoc's "powered by" logo: the page's CSP keeps images local


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_dashboard_page_scrolls_sideways_at_390px(open_page, language):
    account = _account(f"phone-all-{language}@example.com", credits=20)
    Project.objects.create(account=account, name="A template with a rather long name for a phone", width=1080,
                           height=1080, document={"version": 1})
    credits_take(account=account, amount=1, reference="gen_01PHONEALL000000000000000", description="Render")
    page = open_page(None, account=account, language=language, viewport=(390, 844))
    for path in DASHBOARD_PAGES:
        page.goto(page.base_url + path)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths[0]}px of content in {widths[1]}px"
