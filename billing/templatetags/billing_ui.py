"""`{% out_of_credits_banner %}`: on every dashboard page (dashboard/base.html), a banner while the
signed-in account has no credits left, linking to the Billing page. Renders cost one credit
each and are refused (402) at zero; previews stay free."""
from django import template

from billing.services import credits_balance

register = template.Library()


@register.inclusion_tag("billing/_out_of_credits.html", takes_context=True)
def out_of_credits_banner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": credits_balance(account=user) <= 0,
            "on_billing": request.path.rstrip("/") == "/render/billing"}
