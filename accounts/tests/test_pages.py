"""Account pages through Django's test client: sign up, log in/out, password change and the
full reset flow, the theme cookie, the /render home and tokens page (real data, login needed),
Arabic pages, and include_if_exists."""
import html
import re

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client

from accounts.models import ApiToken, User
from accounts.services import token_create, token_revoke
from billing.models import LedgerEntry
from billing.services import credits_balance

PASSWORD = "a-long-Passphrase-42"
pytestmark = pytest.mark.django_db


def signup(client, email="new@example.com", password=PASSWORD, password2=None):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password2 or password})


def test_signup_creates_the_account_with_starting_credits_and_logs_in():
    client = Client()
    response = signup(client, email="  New@Example.COM ")
    assert response.status_code == 302 and response["Location"] == "/render"
    user = User.objects.get(email="new@example.com")
    assert user.check_password(PASSWORD)
    assert credits_balance(account=user) == settings.FREE_PLAN_STARTING_CREDITS
    assert LedgerEntry.objects.filter(account=user).count() == 1
    page = client.get("/render")
    assert page.status_code == 200 and b"new@example.com" in page.content


@pytest.mark.parametrize(
    "email,password,password2,field",
    [
        ("owner@example.com", PASSWORD, None, "email"),  # taken (any case)
        ("OWNER@example.com", PASSWORD, None, "email"),
        ("not-an-email", PASSWORD, None, "email"),
        ("x@example.com", PASSWORD, "something-else-42", "password2"),
        ("x@example.com", "12345678", None, "password1"),  # numeric + common
        ("x@example.com", "short", None, "password1"),
    ],
)
def test_signup_refuses_bad_input_and_creates_nothing(owner, email, password, password2, field):
    before = User.objects.count()
    response = signup(Client(), email=email, password=password, password2=password2)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == before
    assert b'class="field has-error"' in response.content


def test_login_with_email_any_case_redirects_to_render(owner):
    client = Client()
    response = client.post("/accounts/login/", {"username": "OWNER@example.com", "password": "correct horse battery staple"})
    assert response.status_code == 302 and response["Location"] == "/render"
    assert client.get("/render").status_code == 200


def test_login_wrong_password_says_so(owner):
    response = Client().post("/accounts/login/", {"username": "owner@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "don't match an account" in html.unescape(response.content.decode())


def test_login_keeps_a_safe_next_only(owner):
    creds = {"username": "owner@example.com", "password": "correct horse battery staple"}
    assert Client().post("/accounts/login/?next=/render/api-tokens", creds)["Location"] == "/render/api-tokens"
    assert Client().post("/accounts/login/?next=https://evil.example/x", creds)["Location"] == "/render"


def test_logout_is_post_only(owner):
    client = Client()
    client.force_login(owner)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/render").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == settings.LOGOUT_REDIRECT_URL
    assert client.get("/render").status_code == 302


@pytest.mark.parametrize("path", ["/render", "/render/api-tokens", "/accounts/password/change/"])
def test_pages_need_login(path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_password_change(owner):
    client = Client()
    client.force_login(owner)
    bad = client.post("/accounts/password/change/", {"old_password": "wrong", "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert bad.status_code == 200 and bad.context["form"].errors.get("old_password")
    response = client.post("/accounts/password/change/", {
        "old_password": "correct horse battery staple", "new_password1": PASSWORD, "new_password2": PASSWORD,
    })
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert client.get("/render").status_code == 200  # still logged in
    assert client.get("/accounts/password/change/done/").status_code == 200


def test_password_reset_full_flow(owner):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "OWNER@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"] and "Reset your Audome password" in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body).group(1)
    # Unknown email: same answer, no mail (nothing reveals which emails have accounts).
    assert client.post("/accounts/password/reset/", {"email": "nobody@example.com"}).status_code == 302
    assert len(mail.outbox) == 1

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    # The link works once.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    assert "no longer works" in again.content.decode()
    assert Client().login(username="owner@example.com", password=PASSWORD)


def test_password_reset_mail_in_arabic(owner):
    Client(HTTP_ACCEPT_LANGUAGE="ar").post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert "إعادة تعيين كلمة مرور Audome" in mail.outbox[0].subject
    assert "اختر كلمة مرور جديدة من هنا" in mail.outbox[0].body


def test_theme_cookie():
    client = Client()
    response = client.post("/accounts/theme", {"theme": "dark", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["audome_theme"].value == "dark"
    page = client.get("/accounts/login/")
    assert b'data-theme="dark"' in page.content
    # Unknown themes change nothing; foreign next URLs are not followed.
    response = client.post("/accounts/theme", {"theme": "neon", "next": "https://evil.example/"})
    assert response["Location"] == "/render" and "audome_theme" not in response.cookies
    assert client.get("/accounts/theme").status_code == 405


def test_home_shows_real_figures(owner):
    token_create(account=owner, name="Zapier", scope="render-only")
    gone, _ = token_create(account=owner, name="Old", scope="read-only")
    token_revoke(account=owner, token_id=gone.id)
    client = Client()
    client.force_login(owner)
    response = client.get("/render")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["usage"]["creditsBalance"] == credits_balance(account=owner) == 100
    assert response.context["active_tokens"] == 1
    assert "Zapier" in page and "Old" in page
    assert 'data-testid="stat-credits"' in page
    assert "No renders yet" in page


def test_home_lists_recent_renders_of_the_account_only(owner, outsider):
    from projects.models import Project
    from rendering.models import Generation

    project = Project.objects.create(account=owner, name="Summer card", width=1080, height=1080, document={"version": 1, "elements": []})
    Generation.objects.create(account=owner, project=project, project_ref=str(project.pk), status="completed",
                              options={"width": 1080, "height": 1080, "format": "png"}, output="renders/abc.png")
    Generation.objects.create(account=owner, status="failed", options={"width": 600, "height": 400, "format": "webp"})
    Generation.objects.create(account=outsider, status="completed", options={"width": 1, "height": 1, "format": "png"},
                              output="renders/zzz.png")
    client = Client()
    client.force_login(owner)
    page = client.get("/render").content.decode()
    assert "Summer card" in page and "renders/abc.png" in page and "Inline HTML" in page
    assert "Failed" in page and "renders/zzz.png" not in page


def test_tokens_page_lists_only_own_tokens_and_never_a_secret(owner, outsider):
    mine, plain = token_create(account=owner, name="Mine", scope="full-access")
    token_create(account=outsider, name="Theirs secret name", scope="full-access")
    client = Client()
    client.force_login(owner)
    page = client.get("/render/api-tokens").content.decode()
    assert "Mine" in page and "Theirs secret name" not in page
    assert plain not in page and mine.token_hash not in page
    assert f"aud_{mine.prefix}" in page
    # Other apps' panels come in through include_if_exists.
    assert 'id="url-signing"' in page and "Webhooks" in page


def test_tokens_page_actions_go_through_the_api_with_the_session(owner, outsider):
    """What the page's script does: POST/PATCH/DELETE /api/tokens with the session cookie + CSRF."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/render/api-tokens")
    csrf = client.cookies["csrftoken"].value
    no_csrf = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert no_csrf.status_code == 403 and not ApiToken.objects.filter(account=owner).exists()
    created = client.post("/api/tokens", {"name": "From page", "scope": "read-only"}, content_type="application/json",
                          HTTP_X_CSRFTOKEN=csrf)
    assert created.status_code == 201
    token_id = created.json()["tokenData"]["id"]
    # Another account's session can't touch it.
    other = Client(enforce_csrf_checks=True)
    other.force_login(outsider)
    other.get("/render/api-tokens")
    r = other.delete(f"/api/tokens/{token_id}", HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value)
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert client.delete(f"/api/tokens/{token_id}", HTTP_X_CSRFTOKEN=csrf).status_code == 200
    assert ApiToken.objects.get(pk=token_id).revoked_at is not None


def test_arabic_pages_are_rtl_with_arabic_text(owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar-SA,ar;q=0.9")
    login = client.get("/accounts/login/").content.decode()
    assert 'lang="ar" dir="rtl"' in login and "تسجيل الدخول إلى Audome" in login
    client.force_login(owner)
    for path, text in [("/render", "نظرة عامة"), ("/render/api-tokens", "إنشاء رمز")]:
        page = client.get(path).content.decode()
        assert 'dir="rtl"' in page and text in page


def test_language_switch_sets_the_cookie_and_returns(owner):
    client = Client()
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/render/api-tokens"})
    assert response.status_code == 302 and response["Location"] == "/render/api-tokens"
    assert 'dir="rtl"' in client.get("/render/api-tokens").content.decode()


def test_pages_refuse_framing(owner):
    client = Client()
    client.force_login(owner)
    for path in ["/render", "/render/api-tokens", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        response = client.get(path)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path


def test_include_if_exists():
    tpl = Template('{% load ui %}[{% include_if_exists "nope/_missing.html" %}]'
                   '[{% include_if_exists "dashboard/_scope_badge.html" %}]')
    out = tpl.render(Context({"scope": "render-only"}))
    assert out.startswith("[][") and 'data-scope="render-only"' in out


def test_error_pages_are_ours_and_translated(owner):
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    arabic = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/no-such-page").content.decode()
    assert 'dir="rtl"' in arabic and "ربما نُقلت الصفحة" in arabic
    api = Client().get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["code"] == "NOT_FOUND"


def test_csrf_failure_page(owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "owner@example.com", "password": "x"})
    assert response.status_code == 403 and "Please try again" in response.content.decode()
