"""Pages of accounts: sign up, log in/out, passwords, API tokens and the theme switch (the
/render home is the dashboard app's). Token actions on the page go through the REST API (/api/tokens) with the
session cookie + CSRF, so the page and API clients share one code path."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import EmailAuthenticationForm, SignupForm
from accounts.models import TokenScope
from accounts.selectors import token_list
from accounts.services import user_create
from accounts.signals import user_signed_up
from core.errors import Conflict

THEMES = ("light", "dark", "auto")
THEME_COOKIE = "audome_theme"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(email=form.cleaned_data["email"], password=form.cleaned_data["password1"])
        except Conflict:  # lost a race with another sign-up of the same email
            form.add_error("email", _("An account with this email already exists. Log in instead."))
        else:
            user_signed_up.send(sender=signup, user=user)  # e.g. projects' starter template
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Audome! Your account is ready."))
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    return render(request, "registration/signup.html", {"form": form, "starting_credits": settings.FREE_PLAN_STARTING_CREDITS})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")


def theme_set(request):
    """POST theme=light|dark|auto: remembered in a cookie that every page reads (the page's
    script switches at once; this is the no-JS path)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    theme = request.POST.get("theme", "")
    response = HttpResponseRedirect(_safe_next(request, "/render"))
    if theme in THEMES:
        response.set_cookie(THEME_COOKIE, theme, max_age=365 * 86400, samesite="Lax", secure=request.is_secure())
    return response


@login_required
def api_tokens(request):
    tokens = list(token_list(account=request.user))
    context = {
        "tokens": tokens,
        "active_count": sum(1 for t in tokens if t.is_active),
        "max_tokens": settings.MAX_ACTIVE_TOKENS,
        "scopes": [
            (TokenScope.READ_ONLY, _("Read only"), _("Read templates, renders, account and usage.")),
            (TokenScope.RENDER_ONLY, _("Render only"), _("Read, plus render, preview, uploads and template edits.")),
            (TokenScope.FULL_ACCESS, _("Full access"), _("Everything, including tokens and webhooks.")),
        ],
        "api_base": settings.PUBLIC_BASE_URL,
        # Blank row the page's script clones for a token created without a reload.
        "row_template": {"id": "", "name": "", "prefix": "", "scope": "", "created_at": None, "last_used_at": None,
                         "usage_count": 0, "is_active": True},
    }
    return render(request, "dashboard/api_tokens.html", context)
