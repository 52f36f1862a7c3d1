"""Dashboard template helpers.

    {% load ui %}
    {% include_if_exists "webhooks/_tokens_panel.html" %}   renders the template with the current
        context when it exists, nothing otherwise: another app adds a panel to a page without
        editing the page.
    {% icon "key" %}   an inline SVG icon (stroke = currentColor), see ICONS.
"""
from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


class IncludeIfExistsNode(template.Node):
    def __init__(self, name_expr):
        self.name_expr = name_expr

    def render(self, context):
        name = self.name_expr.resolve(context)
        try:
            tpl = get_template(name)
        except TemplateDoesNotExist:
            return ""
        # Render with the surrounding context (request, csrf_token, user, …), like {% include %}.
        return tpl.template.render(context)


@register.tag("include_if_exists")
def include_if_exists(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('usage: {% include_if_exists "app/_panel.html" %}')
    return IncludeIfExistsNode(parser.compile_filter(bits[1]))


_P = {
    "home": '<path d="M3 10.5 12 3l9 7.5"/><path d="M5 9.5V20a1 1 0 0 0 1 1h4v-6h4v6h4a1 1 0 0 0 1-1V9.5"/>',
    "projects": '<rect x="3" y="3" width="7" height="7" rx="1.5"/><rect x="14" y="3" width="7" height="7" rx="1.5"/>'
                '<rect x="3" y="14" width="7" height="7" rx="1.5"/><rect x="14" y="14" width="7" height="7" rx="1.5"/>',
    "key": '<circle cx="7.5" cy="15.5" r="4.5"/><path d="m10.7 12.3 9.8-9.8"/><path d="m17 6 3 3"/><path d="m14.5 8.5 2 2"/>',
    "webhooks": '<path d="M18 16.98h-5.99c-1.1 0-1.95.94-2.48 1.9A4 4 0 0 1 2 17c.01-.7.2-1.4.57-2"/>'
                '<path d="m6 17 3.13-5.78c.53-.97.1-2.18-.5-3.1a4 4 0 1 1 6.89-4.06"/>'
                '<path d="m12 6 3.13 5.73C15.66 12.7 16.9 13 18 13a4 4 0 0 1 0 8"/>',
    "billing": '<rect x="2.5" y="5" width="19" height="14" rx="2"/><path d="M2.5 10h19"/><path d="M6.5 15h4"/>',
    "docs": '<path d="M4 19.5V5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2Z"/><path d="M4 19.5A2 2 0 0 0 6 21.5h13"/><path d="M8 7h7"/>',
    "external": '<path d="M14 4h6v6"/><path d="M20 4 10 14"/><path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>',
    "logout": '<path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3"/><path d="M10 17l-5-5 5-5"/><path d="M5 12h11"/>',
    "sun": '<circle cx="12" cy="12" r="4"/><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>',
    "moon": '<path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5Z"/>',
    "auto": '<rect x="3" y="4" width="18" height="13" rx="2"/><path d="M8 21h8M12 17v4"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/><path d="M12 3a14 14 0 0 1 0 18a14 14 0 0 1 0-18"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "copy": '<rect x="8" y="8" width="12" height="12" rx="2"/><path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2"/>',
    "check": '<path d="M20 6 9 17l-5-5"/>',
    "alert": '<path d="M12 3 2 20h20L12 3Z"/><path d="M12 10v4"/><path d="M12 17h.01"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5"/><path d="M12 8h.01"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "credits": '<ellipse cx="12" cy="6" rx="8" ry="3"/><path d="M4 6v6c0 1.7 3.6 3 8 3s8-1.3 8-3V6"/><path d="M4 12v6c0 1.7 3.6 3 8 3s8-1.3 8-3v-6"/>',
    "image": '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/><path d="m21 15-4.5-4.5L6 21"/>',
    "arrow": '<path d="M5 12h14"/><path d="m13 6 6 6-6 6"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "trash": '<path d="M4 7h16"/><path d="M10 11v6M14 11v6"/><path d="M6 7l1 13h10l1-13"/><path d="M9 7V4h6v3"/>',
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16v4Z"/><path d="m13.5 6.5 4 4"/>',
}
ICONS = {name: mark_safe(body) for name, body in _P.items()}


@register.simple_tag
def icon(name, css_class=""):
    body = ICONS.get(name)
    if body is None:
        return ""
    cls = f"icon {css_class}".strip()
    return format_html(
        '<svg class="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        cls, body,
    )


@register.filter
def ago(value):
    """ "just now" under a minute, else "5 minutes ago" (translated)."""
    from django.utils import timezone
    from django.utils.timesince import timesince
    from django.utils.translation import gettext

    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(when)s ago") % {"when": timesince(value, depth=1)}


def _date_text(value, with_time: bool) -> str:
    from django.utils import dateformat, timezone
    from django.utils.translation import get_language_bidi

    if not value:
        return ""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value) or value
        if isinstance(value, str):
            return value
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = dateformat.format(value, "j M Y")
    if with_time:
        text += ("، " if get_language_bidi() else ", ") + dateformat.format(value, "H:i")
    return text


@register.filter
def day(value) -> str:
    """The dashboard's one date format: "24 Nov 2026" (English), "24 نوفمبر 2026" (Arabic), the
    same text as formatDate() in static/dashboard/ui.ts."""
    return _date_text(value, with_time=False)


@register.filter
def moment(value) -> str:
    """A date with its time (UTC): "24 Nov 2026, 14:05" / "24 نوفمبر 2026، 14:05"."""
    return _date_text(value, with_time=True)
