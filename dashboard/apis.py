"""GET /api/account and GET /api/account/usage (contract §2): the account behind the credential,
with its credits and plan (billing) and this cycle's usage (billing and rendering)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, EmbedSession
from billing.selectors import plan_of
from billing.services import credits_balance
from dashboard.selectors import account_usage


class AccountApi(APIView):
    required_scope = "read-only"

    @extend_schema(summary="The account behind the token", tags=["Account"], responses=OpenApiResponse(description="Account, token, credits and plan."))
    def get(self, request):
        credential = request.auth
        plan = plan_of(account=request.user)
        return Response(
            {
                "success": True,
                "user": {"id": str(request.user.pk), "email": request.user.email},
                "token": {
                    "id": credential.pk if isinstance(credential, (ApiToken, EmbedSession)) else None,
                    "name": credential.name if isinstance(credential, ApiToken) else credential.kind,
                    "scope": credential.scope,
                },
                "credits": {"balance": credits_balance(account=request.user)},
                "plan": {"code": plan["code"], "name": plan["name"]},
            }
        )


class AccountUsageApi(APIView):
    required_scope = "read-only"

    @extend_schema(summary="Usage in the current billing cycle", tags=["Account"], responses=OpenApiResponse(description="Monthly usage figures."))
    def get(self, request):
        return Response({"success": True, **account_usage(account=request.user)})

