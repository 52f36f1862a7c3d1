"""/api/tokens (contract §2). /api/account and its usage are the dashboard app's (they read billing and rendering)."""
from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import TokenScope
from accounts.selectors import token_list
from accounts.serializers import token_to_dict
from accounts.services import token_create, token_rename, token_revoke

TOKEN_SCHEMA = inline_serializer(
    "Token",
    {
        "id": serializers.CharField(), "name": serializers.CharField(), "prefix": serializers.CharField(),
        "scope": serializers.ChoiceField(TokenScope.values), "createdAt": serializers.DateTimeField(),
        "lastUsedAt": serializers.DateTimeField(allow_null=True), "usageCount": serializers.IntegerField(),
        "isActive": serializers.BooleanField(),
    },
)


def validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TokenListCreateApi(APIView):
    required_scope = {"GET": "read-only", "POST": "full-access"}
    embed_allowed = False

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scope = serializers.ChoiceField(choices=TokenScope.values, default=TokenScope.FULL_ACCESS)

    @extend_schema(
        summary="List API tokens", tags=["Tokens"],
        responses=inline_serializer("TokenList", {"success": serializers.BooleanField(), "tokens": serializers.ListField(child=serializers.DictField()), "maxTokens": serializers.IntegerField()}),
    )
    def get(self, request):
        tokens = [token_to_dict(t) for t in token_list(account=request.user)]
        return Response({"success": True, "tokens": tokens, "maxTokens": settings.MAX_ACTIVE_TOKENS})

    @extend_schema(
        summary="Create an API token (the plain token is shown once)", tags=["Tokens"], request=InputSerializer,
        responses={201: inline_serializer("TokenCreated", {"success": serializers.BooleanField(), "token": serializers.CharField(), "tokenData": TOKEN_SCHEMA, "warning": serializers.CharField()})},
    )
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        token, plain = token_create(account=request.user, name=data["name"], scope=data["scope"])
        return Response(
            {
                "success": True,
                "token": plain,
                "tokenData": token_to_dict(token),
                "warning": "Store this token now: it will not be shown again.",
            },
            status=201,
        )


class TokenDetailApi(APIView):
    required_scope = {"PATCH": "full-access", "DELETE": "full-access"}
    embed_allowed = False

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(summary="Rename an API token", tags=["Tokens"], request=InputSerializer,
                   responses=inline_serializer("TokenRenamed", {"success": serializers.BooleanField(), "tokenData": TOKEN_SCHEMA}))
    def patch(self, request, token_id: str):
        data = validated(self.InputSerializer, request.data)
        token = token_rename(account=request.user, token_id=token_id, name=data["name"])
        return Response({"success": True, "tokenData": token_to_dict(token)})

    @extend_schema(summary="Revoke an API token (stops working at once)", tags=["Tokens"], request=None,
                   responses=inline_serializer("TokenRevoked", {"success": serializers.BooleanField(), "tokenData": TOKEN_SCHEMA}))
    def delete(self, request, token_id: str):
        token = token_revoke(account=request.user, token_id=token_id)
        return Response({"success": True, "tokenData": token_to_dict(token)})
