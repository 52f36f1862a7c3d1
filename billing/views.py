"""Pages and Stripe's incoming webhook.

- `POST /billing/stripe/webhook` (not under /api, CSRF-exempt: Stripe signs it instead):
  verify → store → 200; the effect is applied by a Celery task.
- `/render/billing`: balance, plan, cycle, credits used per day (an SVG drawn here), the ledger
  with pagination, buy buttons (through /api/billing/checkout with the session cookie)."""
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import formats, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.models import LedgerKind
from billing.plans import packs, paid_plans, payments_enabled, plan_display_name
from billing.selectors import daily_usage, ledger_list, plan_of, subscription_get, usage_summary
from billing.stripe_events import WebhookRejected, stripe_event_receive


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event, created = stripe_event_receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except WebhookRejected as exc:
        return JsonResponse({"success": False, "error": str(exc)}, status=400)
    return JsonResponse({"success": True, "received": True, "duplicate": not created, "id": event.stripe_id})


def _kind_label(kind: str) -> str:
    labels = cast(dict[str, str], {
        LedgerKind.GRANT: gettext("Grant"), LedgerKind.ALLOWANCE: gettext("Monthly allowance"),
        LedgerKind.PURCHASE: gettext("Purchase"), LedgerKind.CHARGE: gettext("Render"),
        LedgerKind.REFUND: gettext("Refund"), LedgerKind.ADJUSTMENT: gettext("Adjustment"),
        LedgerKind.EXPIRY: gettext("Expired allowance"),
    })
    return labels.get(kind, kind)


def _description(text: str) -> str:
    """The ledger's descriptions are stored in English (they are also the API's); the page shows
    the ones the code writes in the reader's language. An administrator's own words stay as typed."""
    fixed = {
        "Render": gettext("Render"),
        "Free plan starting credits": gettext("Free plan starting credits"),
        "Unused monthly allowance expired": gettext("Unused monthly allowance expired"),
        "Granted by create_token": gettext("Granted by an administrator"),
        "Demo top-up": gettext("Demo top-up"),
        "Refund: render failed": gettext("Refund: the render failed"),
        "Refund: render canceled": gettext("Refund: the render was canceled"),
    }
    if text in fixed:
        return fixed[text]
    if text.startswith("Credit pack: "):
        return gettext("Credit pack: %(name)s") % {"name": text.removeprefix("Credit pack: ")}
    if text.endswith(" plan monthly allowance"):
        name = plan_display_name(text.removesuffix(" plan monthly allowance"))
        return gettext("%(plan)s plan monthly allowance") % {"plan": name}
    return text


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _chart(days: list, *, rtl: bool = False) -> dict:
    """Bars for an inline SVG (viewBox 0 0 W H): one per day, scaled to the busiest day; in a
    right-to-left language time runs from right to left."""
    width, height, pad_top, pad_bottom = 1000, 170, 8, 26
    peak = max((n for _d, n in days), default=0)
    scale_max = max(peak, 1)
    slot = width / len(days)
    bar_w = max(2.0, slot * 0.66)
    plot_h = height - pad_top - pad_bottom
    bars = []
    for i, (day, used) in enumerate(days):
        h = 0 if used == 0 else max(2.0, plot_h * used / scale_max)
        x = i * slot + (slot - bar_w) / 2
        cx = i * slot + slot / 2 if 0 < i < len(days) - 1 else (0 if i == 0 else width)
        if rtl:
            x, cx = width - x - bar_w, width - cx
        bars.append({
            # Strings, so that no locale turns 12.5 into "12,5" inside SVG attributes.
            "x": _num(x), "y": _num(pad_top + plot_h - (h or 2)), "w": _num(bar_w), "h": _num(h or 2),
            "day": day, "used": used,
            "label": i in (0, len(days) // 2, len(days) - 1),
            # The first and last labels hug the chart's edges instead of spilling over them.
            "anchor": "middle" if 0 < i < len(days) - 1 else ("start" if (i == 0) != rtl else "end"),
            "cx": _num(cx),
        })
    return {"width": str(width), "height": str(height), "bars": bars, "peak": peak, "total": sum(n for _d, n in days),
            "baseline": str(height - pad_bottom), "label_y": str(height - 6), "rtl": rtl}


def _money(cents: int, currency: str) -> str:
    amount = formats.number_format(cents / 100, decimal_pos=2 if cents % 100 else 0, use_l10n=True, force_grouping=True)
    return f"{amount} {currency.upper()}" if currency.lower() != "usd" else f"${amount}"


@login_required
def billing_page(request):
    from django.conf import settings

    account = request.user
    usage = usage_summary(account=account)
    plan = plan_of(account=account)
    sub = subscription_get(account=account)
    paginator = Paginator(ledger_list(account=account), 20)
    page = paginator.get_page(request.GET.get("page"))
    entries = [{"entry": e, "label": _kind_label(e.kind), "description": _description(e.description),
                # A render's charge or refund names its generation: the Renders page shows it.
                "render_id": e.reference if e.reference.startswith("gen_") else None}
               for e in page.object_list]
    limit = usage["monthlyLimit"] or 0
    context = {
        "usage": usage,
        "usage_percent": min(100, round(100 * usage["monthlyUsed"] / limit)) if limit else 0,
        "plan": plan,
        "subscription": sub,
        "chart": _chart(daily_usage(account=account, days=30), rtl=translation.get_language_bidi()),
        "page": page,
        "entries": entries,
        "payments_enabled": payments_enabled(),
        "plan_name": plan_display_name(plan["name"]),
        "plans": [{"plan": p, "name": plan_display_name(p.name), "price": _money(p.price_cents, settings.BILLING_CURRENCY), "current": p.code == plan["code"]}
                  for p in paid_plans()],
        "packs": [{"pack": p, "price": _money(p.price_cents, settings.BILLING_CURRENCY)} for p in packs()],
        "is_paid": plan["code"] != "free",
        "has_customer": bool(sub and sub.stripe_customer_id),
        "checkout_state": request.GET.get("checkout") if request.GET.get("checkout") in ("success", "canceled") else None,
    }
    return render(request, "billing/billing.html", context)
