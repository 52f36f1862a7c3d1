"""Dashboard pages: /render/webhooks (destinations and their delivery logs) and the form
actions behind them. The same services as the API do the work; a new secret is shown once.

These pages are plain forms posted to the server (they work without JavaScript), while the
tokens and projects pages call the REST API from the browser: the webhooks pages' actions are
one click each with the answer on the next page, where the others update cards in place."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApiError
from webhooks.selectors import delivery_list, endpoint_get, endpoint_list
from webhooks.services import (
    SUBSCRIBABLE,
    delivery_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_send_test,
    endpoint_update,
)

SECRET_SESSION_KEY = "webhooks_new_secret"


def panel_context(request) -> dict:
    """What the webhooks panel (`{% webhooks_panel %}` on /render/webhooks) needs."""
    from django.conf import settings

    endpoints = list(endpoint_list(account=request.user))
    for e in endpoints:
        e.recent = list(delivery_list(account=request.user, endpoint_id=e.id)[:5])
    return {
        "webhook_endpoints": endpoints,
        "webhook_event_types": [t for t in SUBSCRIBABLE if t != "webhook.test"],
        "webhook_max": settings.WEBHOOK_MAX_PER_ACCOUNT,
        # What the server accepts (core.netguard): https:// only, unless this is a development server.
        "webhook_allow_http": bool(settings.AUDOME_ALLOW_PRIVATE_URLS),
        "webhook_new_secret": request.session.pop(SECRET_SESSION_KEY, None),
    }


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def base_template() -> str:
    """The dashboard's base page when it exists, else a plain stand-in (the pages keep working)."""
    return select_template(["dashboard/base.html", "webhooks/_standalone_base.html"]).template.name


@login_required
@require_GET
def webhooks_page(request):
    # The panel ({% webhooks_panel %}) loads its own data: it is the same one the tokens page shows.
    return render(request, "webhooks/webhooks.html", {"base_template": base_template()})


@login_required
@require_GET
def webhook_page(request, webhook_id: str):
    try:
        endpoint = endpoint_get(account=request.user, endpoint_id=webhook_id)
    except ApiError:
        return render(request, "webhooks/not_found.html", {"base_template": base_template()}, status=404)
    paginator = Paginator(delivery_list(account=request.user, endpoint_id=endpoint.id), 20)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "webhooks/webhook_detail.html", {
        "base_template": base_template(), "endpoint": endpoint, "page": page, "deliveries": page.object_list,
        "webhook_new_secret": request.session.pop(SECRET_SESSION_KEY, None),
    })


@login_required
@require_POST
def webhook_create_action(request):
    events = request.POST.getlist("events")
    try:
        endpoint, secret = endpoint_create(account=request.user, url=request.POST.get("url", ""),
                                           events=events or [])
    except ApiError as exc:
        problems = [m for msgs in (exc.details or {}).values() for m in msgs] or [exc.message]
        for problem in problems:
            messages.error(request, _("Could not add the destination: %(reason)s") % {"reason": problem})
        return _back(request, "webhooks")
    request.session[SECRET_SESSION_KEY] = {"id": endpoint.id, "url": endpoint.url, "secret": secret}
    messages.success(request, _("Destination added. Copy its signing secret now: it will not be shown again."))
    return _back(request, "webhooks")


def _act(request, work, *, done: str, missing: str):
    """One form action: do it, say how it went, go back (an unknown or foreign id: `missing`)."""
    try:
        work()
    except ApiError:
        messages.error(request, missing)
    else:
        messages.success(request, done)
    return _back(request, "webhooks")


@login_required
@require_POST
def webhook_delete_action(request, webhook_id: str):
    return _act(request, lambda: endpoint_delete(account=request.user, endpoint_id=webhook_id),
                done=_("Destination deleted."), missing=_("That destination does not exist."))


@login_required
@require_POST
def webhook_test_action(request, webhook_id: str):
    return _act(request, lambda: endpoint_send_test(account=request.user, endpoint_id=webhook_id),
                done=_("Test event queued. Its delivery appears in the log below."),
                missing=_("That destination does not exist."))


@login_required
@require_POST
def webhook_rotate_action(request, webhook_id: str):
    try:
        endpoint, secret = endpoint_rotate_secret(account=request.user, endpoint_id=webhook_id)
    except ApiError:
        messages.error(request, _("That destination does not exist."))
        return _back(request, "webhooks")
    request.session[SECRET_SESSION_KEY] = {"id": endpoint.id, "url": endpoint.url, "secret": secret, "rotated": True}
    messages.success(request, _("New secret created. The old one keeps signing for 24 hours."))
    return _back(request, "webhooks")


@login_required
@require_POST
def webhook_status_action(request, webhook_id: str):
    status = request.POST.get("status", "")
    return _act(request, lambda: endpoint_update(account=request.user, endpoint_id=webhook_id, status=status),
                done=_("Destination enabled.") if status == "active" else _("Destination disabled."),
                missing=_("That destination does not exist."))


@login_required
@require_POST
def delivery_resend_action(request, webhook_id: str, delivery_id: str):
    return _act(request, lambda: delivery_resend(account=request.user, endpoint_id=webhook_id, delivery_id=delivery_id),
                done=_("Event queued to be sent again."), missing=_("That delivery does not exist."))
