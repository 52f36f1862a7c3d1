"""/api/billing/* (contract §7): checkout, customer portal, ledger, plans."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.plans import pack_get, packs, paid_plans, payments_enabled, plan_get, plans
from billing.selectors import ledger_list, plan_of, subscription_get
from billing.serializers import ledger_entry_to_dict
from billing.services import credits_balance
from billing.stripe_api import checkout_session_create, portal_session_create
from core.errors import Conflict, ValidationFailed
from core.pagination import paginated_response
from core.timefmt import iso

LEDGER_ENTRY = inline_serializer("LedgerEntry", many=True, fields={
    "id": serializers.CharField(), "kind": serializers.ChoiceField(["grant", "allowance", "purchase", "charge", "refund", "adjustment", "expiry"]),
    "amount": serializers.IntegerField(), "balanceAfter": serializers.IntegerField(),
    "description": serializers.CharField(), "reference": serializers.CharField(allow_null=True),
    "createdAt": serializers.DateTimeField(),
})
PAGINATION = inline_serializer("BillingPagination", {
    "page": serializers.IntegerField(), "limit": serializers.IntegerField(), "totalCount": serializers.IntegerField(),
    "totalPages": serializers.IntegerField(), "hasNext": serializers.BooleanField(),
})


class BillingCheckoutApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    class CheckoutInputSerializer(serializers.Serializer):
        pack = serializers.CharField(required=False, max_length=60)
        plan = serializers.CharField(required=False, max_length=60)

    @extend_schema(
        summary="Start a Stripe Checkout for a credit pack or a plan", tags=["Billing"], request=CheckoutInputSerializer,
        description="Give exactly one of `pack` (a one-off purchase; its credits never expire) or `plan` (a monthly "
                    "subscription). Answers the Checkout URL to send the customer to; the credits or the plan arrive "
                    "when Stripe reports the payment. 503 `PAYMENTS_NOT_CONFIGURED` when the server has no Stripe key.",
        responses=inline_serializer("CheckoutCreated", {"success": serializers.BooleanField(), "checkoutUrl": serializers.URLField()}),
    )
    def post(self, request):
        serializer = self.CheckoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if ("pack" in data) == ("plan" in data):
            raise ValidationFailed("Give either pack or plan.", details={"pack": ["Give either pack or plan."]})
        pack = plan = None
        if "pack" in data:
            pack = pack_get(data["pack"])
            if pack is None:
                raise ValidationFailed("Unknown pack.", details={"pack": [f"Must be one of: {', '.join(p.code for p in packs())}."]})
        else:
            plan = plan_get(data["plan"])
            if plan is None or plan.is_free:
                raise ValidationFailed("Unknown plan.", details={"plan": [f"Must be one of: {', '.join(p.code for p in paid_plans())}."]})
            if plan_of(account=request.user)["code"] != "free":
                raise Conflict("You already have a subscription: change or cancel it in the billing portal.")
        url = checkout_session_create(account=request.user, pack=pack, plan=plan)
        return Response({"success": True, "checkoutUrl": url})


class BillingPortalApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(
        summary="Open Stripe's customer portal (cards, invoices, plan changes, cancellation)", tags=["Billing"],
        request=None, responses=inline_serializer("PortalSession", {"success": serializers.BooleanField(), "url": serializers.URLField()}),
    )
    def post(self, request):
        return Response({"success": True, "url": portal_session_create(account=request.user)})


class BillingLedgerApi(APIView):
    required_scope = "read-only"
    embed_allowed = False

    @extend_schema(
        summary="The credit ledger, newest first", tags=["Billing"],
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int, description="≤ 100, default 50")],
        description="Every change to the balance: `grant`, `allowance`, `purchase`, `charge`, `refund`, `adjustment`, "
                    "`expiry` (unused monthly allowance at the end of a cycle). "
                    "`amount` is signed; `balanceAfter` is the balance right after the entry.",
        responses=inline_serializer("LedgerPage", {
            "success": serializers.BooleanField(), "entries": LEDGER_ENTRY, "pagination": PAGINATION,
            "balance": serializers.IntegerField(),
        }),
    )
    def get(self, request):
        return paginated_response(request, ledger_list(account=request.user), key="entries", serialize=ledger_entry_to_dict,
                                  extra={"balance": credits_balance(account=request.user)})


class BillingPlansApi(APIView):
    required_scope = "read-only"
    embed_allowed = False

    @extend_schema(
        summary="Plans, credit packs and the account's subscription", tags=["Billing"],
        responses=inline_serializer("BillingPlans", {
            "success": serializers.BooleanField(), "paymentsEnabled": serializers.BooleanField(),
            "plans": serializers.ListField(child=serializers.DictField()), "packs": serializers.ListField(child=serializers.DictField()),
            "subscription": serializers.DictField(),
        }),
    )
    def get(self, request):
        current = plan_of(account=request.user)
        sub = subscription_get(account=request.user)
        return Response({
            "success": True,
            "paymentsEnabled": payments_enabled(),
            "plans": [p.to_dict() for p in plans()],
            "packs": [p.to_dict() for p in packs()],
            "subscription": {
                "plan": current["code"], "status": current["status"], "cancelAtPeriodEnd": current["cancelAtPeriodEnd"],
                "currentPeriodEnd": iso(current["currentPeriodEnd"]) if current["currentPeriodEnd"] else None,
                "hasBillingAccount": bool(sub and sub.stripe_customer_id),
            },
        })
