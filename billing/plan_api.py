"""GET /api/account/plan: the account's plan, its billing cycle, the monthly allowance and what
is used of it, and when it resets — what a client shows before it spends credits."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors import billing_cycle, credits_used_between, plan_of
from billing.services import credits_balance
from core.timefmt import iso


def plan_info(*, account) -> dict:
    plan = plan_of(account=account)
    start, end = billing_cycle(account=account)
    used = credits_used_between(account=account, start=start, end=end)
    allowance = plan["monthlyCredits"]
    return {
        "plan": {key: plan[key] for key in ("code", "name", "price", "currency", "interval", "monthlyCredits", "limits")},
        "subscription": {"status": plan["status"], "cancelAtPeriodEnd": plan["cancelAtPeriodEnd"],
                         "currentPeriodEnd": iso(plan["currentPeriodEnd"])},
        "cycle": {"start": iso(start), "end": iso(end)},
        "allowance": {"monthly": allowance, "used": used, "remaining": max(0, allowance - used)},
        "creditsBalance": credits_balance(account=account),
        "nextResetAt": iso(end),
    }


_INT, _STR = serializers.IntegerField, serializers.CharField
PlanInfoOut = inline_serializer("PlanInfo", {
    "success": serializers.BooleanField(),
    "plan": inline_serializer("PlanInfoPlan", {
        "code": _STR(), "name": _STR(), "price": _INT(help_text="Cents per interval."), "currency": _STR(),
        "interval": _STR(), "monthlyCredits": _INT(), "limits": serializers.DictField(),
    }),
    "subscription": inline_serializer("PlanInfoSubscription", {
        "status": _STR(), "cancelAtPeriodEnd": serializers.BooleanField(),
        "currentPeriodEnd": serializers.DateTimeField(allow_null=True),
    }),
    "cycle": inline_serializer("PlanInfoCycle", {"start": serializers.DateTimeField(), "end": serializers.DateTimeField()}),
    "allowance": inline_serializer("PlanInfoAllowance", {"monthly": _INT(), "used": _INT(), "remaining": _INT()}),
    "creditsBalance": _INT(),
    "nextResetAt": serializers.DateTimeField(),
})


class AccountPlanApi(APIView):
    required_scope = "read-only"
    embed_allowed = False  # billing: an embed session token never sees it (contract §6)

    @extend_schema(
        operation_id="account_plan", summary="The account's plan, billing cycle, allowance and next reset",
        tags=["Account"],
        description="`allowance.used` counts the credits the cycle's renders took (refunds given back); "
                    "`creditsBalance` is the whole ledger balance, packs included. The allowance resets at "
                    "`nextResetAt`, the end of the current cycle.",
        responses={200: PlanInfoOut, 401: OpenApiResponse(description="UNAUTHORIZED")},
    )
    def get(self, request):
        return Response({"success": True, **plan_info(account=request.user)})
