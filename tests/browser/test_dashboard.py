"""The dashboard in a real browser (Debian Chromium): sign up, log in, create a token and see
it exactly once, rename and revoke it — in English and in Arabic — plus the theme and language
switches, framing refusal, and screenshots (EN/AR × light/dark) into $AUDOME_SHOTS_DIR."""
import io
import re

import pytest
from django.conf import settings
from PIL import Image

from accounts.models import ApiToken, User
from billing.services import credits_balance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-42"
TOKEN_RE = re.compile(r"^aud_[A-Za-z0-9]{40}$")
TEXT = {
    "en": {"overview": "Overview", "tokens": "API tokens", "created": "Token created.", "revoked": "Revoked",
           "active": "Active", "never": "Never", "copied": "Copied"},
    "ar": {"overview": "نظرة عامة", "tokens": "رموز API", "created": "تم إنشاء الرمز.", "revoked": "مُبطَل",
           "active": "نشط", "never": "لم يُستخدم بعد", "copied": "تم النسخ"},
}


def bearer_get(page, path, token):
    return page.request.get(page.base_url + path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("language", ["en", "ar"])
def test_sign_up_log_in_create_token_once_rename_revoke(open_page, language):
    t = TEXT[language]
    email = f"new-{language}@example.com"
    # Arabic is picked by the browser's Accept-Language (LocaleMiddleware), no cookie.
    page = open_page("/accounts/signup/", locale="ar-SA" if language == "ar" else "en-US")
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

    page.locator("#id_email").fill(email.upper())
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url("**/render")
    page.get_by_role("heading", name=t["overview"]).wait_for()
    assert page.get_by_test_id("account-email").inner_text() == email
    account = User.objects.get(email=email)
    assert credits_balance(account=account) == settings.FREE_PLAN_STARTING_CREDITS
    assert page.get_by_test_id("stat-credits").inner_text().count(str(settings.FREE_PLAN_STARTING_CREDITS)) == 1

    # Log out (a POST) and back in with the email as the login.
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(page.base_url + "/render/api-tokens")
    page.wait_for_url("**/accounts/login/?next=/render/api-tokens")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("wrong password")
    page.get_by_test_id("login-submit").click()
    page.locator(".alert.danger").wait_for()
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/render/api-tokens")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.get_by_role("heading", name=t["tokens"], exact=True).wait_for()
    page.get_by_test_id("tokens-empty").wait_for()

    # An empty name is refused on the page, nothing is created.
    page.get_by_test_id("token-create").click()
    page.locator("[data-role=create-error]").wait_for()
    assert not ApiToken.objects.filter(account=account).exists()

    # Create: the plain token is shown once, in a copyable box.
    page.get_by_test_id("token-name").fill("CI server")
    page.get_by_test_id("scope-read-only").check()
    page.get_by_test_id("token-create").click()
    value = page.get_by_test_id("new-token-value")
    value.wait_for()
    plain = value.inner_text().strip()
    assert TOKEN_RE.match(plain)
    page.get_by_text(t["created"]).wait_for()
    page.get_by_test_id("copy-token").click()
    page.get_by_test_id("copy-token").filter(has_text=t["copied"]).wait_for()
    row = page.get_by_test_id("token-row").first
    assert "CI server" in row.inner_text()
    assert f"aud_{plain[4:12]}" in row.inner_text()
    assert t["active"] in row.inner_text() and t["never"] in row.inner_text()
    token = ApiToken.objects.get(account=account)
    assert token.scope == "read-only" and token.prefix == plain[4:12] and plain not in token.token_hash

    # It works, and the page counts its use.
    response = bearer_get(page, "/api/account", plain)
    assert response.status == 200 and response.json()["token"]["scope"] == "read-only"

    # Reload: never shown again, and the use is listed.
    page.reload()
    assert page.get_by_test_id("new-token").is_hidden()
    assert plain not in page.content()
    row = page.get_by_test_id("token-row").first
    assert row.locator("[data-field=usage]").inner_text() == "1"
    assert t["never"] not in row.inner_text()

    # Rename.
    row.get_by_test_id("rename-token").click()
    page.get_by_test_id("rename-input").fill("Build server")
    page.get_by_test_id("rename-input").press("Enter")
    page.get_by_test_id("token-row").first.locator("[data-field=name]").filter(has_text="Build server").wait_for()
    token.refresh_from_db()
    assert token.name == "Build server"

    # Revoke: cancel first (nothing changes), then confirm.
    page.get_by_test_id("revoke-token").click()
    page.locator("#confirm-dialog [data-role=cancel]").click()
    token.refresh_from_db()
    assert token.revoked_at is None
    page.get_by_test_id("revoke-token").click()
    page.locator("#confirm-dialog [data-role=ok]").click()
    page.get_by_test_id("token-row").first.get_by_text(t["revoked"], exact=True).wait_for()
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = bearer_get(page, "/api/account", plain)
    assert response.status == 401 and response.json()["code"] == "UNAUTHORIZED"
    page.reload()
    assert t["revoked"] in page.get_by_test_id("token-row").first.inner_text()
    assert page.get_by_test_id("revoke-token").count() == 0

    assert page.errors == []


def test_token_limit_is_explained_on_the_page(open_page, owner):
    from accounts.services import token_create

    for i in range(settings.MAX_ACTIVE_TOKENS):
        token_create(account=owner, name=f"t{i}", scope="read-only")
    page = open_page("/render/api-tokens", account=owner, language="ar")
    page.get_by_test_id("token-name").fill("one too many")
    page.get_by_test_id("token-create").click()
    page.get_by_text("وصلت إلى الحد الأقصى").wait_for()
    assert page.get_by_test_id("new-token").is_hidden()
    assert ApiToken.objects.filter(account=owner).count() == settings.MAX_ACTIVE_TOKENS


def test_theme_switch_to_dark_is_remembered(open_page, owner):
    page = open_page("/render", account=owner, theme="light")
    assert page.locator("html").get_attribute("data-theme") == "light"
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_test_id("theme-dark").click()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg and _luma(dark_bg) < 40 < 200 < _luma(light_bg)
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.get_by_test_id("theme-dark").get_attribute("aria-pressed") == "true"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["audome_theme"] == "dark"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_auto_theme_follows_the_system(open_page, owner, scheme):
    page = open_page("/render", account=owner, color_scheme=scheme)
    assert page.locator("html").get_attribute("data-theme") == "auto"
    luma = _luma(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert luma > 200 if scheme == "light" else luma < 40


def test_language_switch_turns_the_page_rtl_and_back(open_page, owner):
    page = open_page("/render/api-tokens", account=owner)
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_test_id("lang-ar").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.url.endswith("/render/api-tokens")
    assert page.locator("html").get_attribute("lang") == "ar"
    page.get_by_role("heading", name="رموز API", exact=True).wait_for()
    # The sidebar sits on the right in RTL.
    box = page.locator("#sidebar").bounding_box()
    assert box["x"] > 700
    page.get_by_test_id("lang-en").click()
    page.wait_for_function("document.documentElement.dir === 'ltr'")
    page.get_by_role("heading", name="API tokens", exact=True).wait_for()
    assert page.locator("#sidebar").bounding_box()["x"] == 0


@pytest.mark.parametrize("path", ["/render", "/render/api-tokens", "/accounts/login/", "/accounts/signup/"])
def test_pages_refuse_to_be_framed(open_page, owner, path):
    page = open_page(None, account=owner if path.startswith("/render") else None)
    response = page.goto(page.base_url + path)
    assert response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp
    # And a page of another origin really can't show it in an iframe.
    host = open_page(None)
    host.set_content(f'<iframe id="f" src="{page.base_url}{path}"></iframe>')
    host.wait_for_timeout(1000)
    frame = host.frame_locator("#f")
    assert frame.locator("main, .auth").count() == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_screenshots(open_page, shot, owner, language, theme):
    from accounts.services import token_create, token_revoke

    token_create(account=owner, name="Production server", scope="render-only")
    old, _ = token_create(account=owner, name="Old laptop" if language == "en" else "الحاسوب القديم", scope="read-only")
    token_revoke(account=owner, token_id=old.id)
    _some_renders(owner, language)
    page = open_page("/render", account=owner, language=language, theme=theme)
    _check_look(page, shot(page, f"home-{language}-{theme}"), language, theme)
    page.goto(page.base_url + "/render/api-tokens")
    page.get_by_test_id("token-name").fill("Staging")
    page.get_by_test_id("token-create").click()
    page.get_by_test_id("new-token-value").wait_for()
    page.evaluate("document.getElementById('toasts').replaceChildren()")  # a transient toast would sit mid-shot
    _check_look(page, shot(page, f"tokens-{language}-{theme}"), language, theme)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url},
                              {"name": "audome_theme", "value": theme, "url": page.base_url}])
    page.goto(page.base_url + "/accounts/login/")
    _check_look(page, shot(page, f"login-{language}-{theme}"), language, theme)
    assert page.errors == []


def _some_renders(owner, language):
    from projects.models import Project
    from rendering.models import Generation

    name = "Summer sale card" if language == "en" else "بطاقة تخفيضات الصيف"
    project = Project.objects.create(account=owner, name=name, width=1080, height=1080,
                                     document={"version": 1, "elements": []})
    for status in ["failed", "completed", "pending"]:
        Generation.objects.create(account=owner, project=project, project_ref=str(project.pk), status=status,
                                  options={"width": 1080, "height": 1080, "format": "png"},
                                  output="renders/example.png" if status == "completed" else "")


def _check_look(page, path, language, theme):
    assert page.locator("html").get_attribute("data-theme") == theme
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    image = Image.open(io.BytesIO(path.read_bytes())).convert("L")
    # The page background (a corner far from the sidebar) follows the theme.
    x = 4 if language == "ar" else image.width - 5
    corner = image.getpixel((x, image.height - 5))
    assert corner > 200 if theme == "light" else corner < 40


def _luma(css_rgb: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css_rgb)[:3])
    return 0.299 * r + 0.587 * g + 0.114 * b
