"""The account's URL-signing secret: read it, roll it (contract §4). Full-access tokens only."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from rendering.signed import services

SECRET_SCHEMA = inline_serializer("UrlSigningSecret", {
    "success": serializers.BooleanField(),
    "secret": serializers.CharField(help_text="HMAC-SHA256 key for signed render URLs."),
})


class UrlSecretApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(summary="Read the account's URL-signing secret", tags=["Signed render URLs"],
                   responses={200: SECRET_SCHEMA, 401: OpenApiResponse(description="Unauthorized"),
                              403: OpenApiResponse(description="Scope too small")})
    def get(self, request):
        return Response({"success": True, "secret": request.user.url_signing_secret})


class UrlSecretRollApi(APIView):
    required_scope = "full-access"
    embed_allowed = False

    @extend_schema(summary="Replace the URL-signing secret (URLs signed with the old one stop working)",
                   tags=["Signed render URLs"], request=None,
                   responses={200: SECRET_SCHEMA, 401: OpenApiResponse(description="Unauthorized"),
                              403: OpenApiResponse(description="Scope too small")})
    def post(self, request):
        return Response({"success": True, "secret": services.secret_roll(account=request.user)})
