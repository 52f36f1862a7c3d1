"""Every account made through the sign-up page starts with one template, so the Studio, the
Templates page and the getting-started guide have something to open and render from the first
minute: a 1200 × 630 link-preview card with two dynamic texts, `title` and `subtitle`, and no
image (it renders with no network). Hooked on `accounts.signals.user_signed_up` (projects/apps.py)."""
from django.utils.translation import gettext as _

from projects.models import Project
from projects.services import project_create

STARTER_WIDTH, STARTER_HEIGHT = 1200, 630


def starter_document(*, title: str, subtitle: str) -> dict:
    return {
        "version": 1,
        "background": {"color": "#111827"},
        "elements": [
            {"id": "glow", "type": "shape", "shape": "ellipse", "x": 760, "y": -260, "width": 700, "height": 700,
             "fill": "rgba(99, 102, 241, 0.45)"},
            {"id": "accent", "type": "shape", "shape": "rect", "x": 80, "y": 150, "width": 96, "height": 10,
             "fill": "#f59e0b", "borderRadius": 5},
            {"id": "title", "type": "text", "x": 80, "y": 190, "width": 1040, "height": 220, "dynamicKey": "title",
             "placeholder": _("Title"), "text": title,
             "style": {"fontFamily": "Noto Sans", "fontSize": 84, "fontWeight": 800, "color": "#ffffff",
                       "textAlign": "start", "verticalAlign": "middle", "lineHeight": 1.1, "autoFit": True}},
            {"id": "subtitle", "type": "text", "x": 80, "y": 430, "width": 1040, "height": 90,
             "dynamicKey": "subtitle", "placeholder": _("Subtitle"), "text": subtitle,
             "style": {"fontFamily": "Noto Sans", "fontSize": 38, "fontWeight": 400, "color": "#cbd5e1",
                       "textAlign": "start", "verticalAlign": "top", "lineHeight": 1.3, "autoFit": True}},
            {"id": "brand", "type": "text", "x": 80, "y": 548, "width": 400, "height": 40, "text": "audome",
             "style": {"fontFamily": "Noto Sans", "fontSize": 26, "fontWeight": 700, "color": "#818cf8",
                       "textAlign": "start", "verticalAlign": "middle", "lineHeight": 1, "letterSpacing": 1}},
        ],
    }


def starter_template_create(*, account) -> Project:
    """The starter template, named and worded in the language active at sign-up."""
    document = starter_document(title=_("Hello from Audome"), subtitle=_("Change these words with the API's data"))
    return project_create(account=account, credential=None, name=_("My first template"),
                          width=STARTER_WIDTH, height=STARTER_HEIGHT, document=document)


def on_user_signed_up(sender, *, user, **kwargs) -> None:
    if not Project.objects.filter(account=user).exists():
        starter_template_create(account=user)
