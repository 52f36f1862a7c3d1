"""`{% webhooks_panel %}`: the Webhooks section of /render/webhooks (destinations, their recent
deliveries, the add form), and small display helpers."""
from django import template

register = template.Library()


@register.inclusion_tag("webhooks/_panel.html", takes_context=True)
def webhooks_panel(context):
    from webhooks.views import panel_context

    request = context.get("request")
    if request is None or not getattr(request.user, "is_authenticated", False):
        return {"webhooks_unavailable": True}
    return {**panel_context(request), "request": request, "csrf_token": context.get("csrf_token"),
            "here": request.get_full_path()}


@register.filter
def status_tone(status) -> str:
    """The dashboard's badge class for a status."""
    return {"succeeded": "success", "active": "success", "failed": "danger", "disabled": "neutral",
            "retrying": "warning", "pending": "info", "in_progress": "info", "interrupted": "warning"}.get(
        str(status), "neutral")


@register.filter
def http_tone(code) -> str:
    if code is None:
        return "wh-code-bad"
    return "wh-code-ok" if 200 <= int(code) < 300 else "wh-code-bad"
