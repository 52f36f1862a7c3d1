"""The approval page of the device-code login (accounts/device.py): the signed-in person enters
or checks the code their app shows, sees which app asks, picks the token's scope and approves or
denies. A plain form (no script): the decision is one POST."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.device import device_approve, device_deny, device_lookup, format_user_code, normalize_user_code
from accounts.models import TokenScope
from core.errors import RateLimited, ValidationFailed


def _scopes():
    return [
        (TokenScope.READ_ONLY, _("Read only"), _("Read templates, renders, account and usage.")),
        (TokenScope.RENDER_ONLY, _("Render only"), _("Read, plus render, preview, uploads and template edits.")),
        (TokenScope.FULL_ACCESS, _("Full access"), _("Everything, including tokens and webhooks.")),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def device_page(request):
    raw = (request.POST.get("code") or request.GET.get("code") or "").strip()
    code = normalize_user_code(raw)
    context = {"state": "enter", "code": format_user_code(code) if len(code) == 8 else raw[:20],
               "scopes": _scopes(), "scope": request.POST.get("scope") or TokenScope.RENDER_ONLY, "error": ""}
    authorization = None
    if raw:
        try:
            authorization = device_lookup(account=request.user, user_code=raw)
        except RateLimited:
            context.update(state="enter", error=_("Too many codes tried. Wait an hour, then start again from your app."))
            return render(request, "accounts/device.html", context, status=429)
        if authorization is None:
            context["error"] = _("This code is not valid or has expired. Check it, or start the login again in your app.")
        else:
            context.update(state="confirm", authorization=authorization)
    if request.method == "POST" and authorization is not None:
        action = request.POST.get("action")
        if action == "deny":
            decided = device_deny(account=request.user, authorization=authorization)
            context["state"] = "denied" if decided else "enter"
        elif action == "approve":
            try:
                decided = device_approve(account=request.user, authorization=authorization, scope=context["scope"])
            except ValidationFailed as exc:
                decided = None
                context["error"] = (_("You already have the maximum number of active tokens. Revoke one on the API "
                                      "tokens page, then approve again.") if "tokens" in (exc.details or {})
                                    else _("Choose a scope."))
            if decided is not None:
                context["state"] = "approved" if decided else "enter"
        if context["state"] == "enter" and not context["error"]:
            context["error"] = _("This code is not valid or has expired. Check it, or start the login again in your app.")
    status = 400 if context["error"] and context["state"] != "confirm" and raw else 200
    return render(request, "accounts/device.html", context, status=status)
