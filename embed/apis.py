"""POST /api/embed/sessions (contract §6)."""
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ValidationFailed
from core.timefmt import iso
from embed.services import embed_session_create


def embed_session_to_dict(session, plain: str) -> dict:
    return {
        "success": True,
        "token": plain,
        "expiresAt": iso(session.expires_at),
        "id": session.pk,
        "projectId": session.project_id,
        "categoryId": session.category_id,
        "readOnly": session.read_only,
        "allowedOrigins": list(session.allowed_origins or []),
    }


class EmbedSessionCreateInputSerializer(serializers.Serializer):
    categoryId = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    projectId = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    readOnly = serializers.BooleanField(required=False, default=False)
    ttlSeconds = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=86400)
    allowedOrigins = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, allow_null=True, max_length=20
    )


class EmbedSessionCreateApi(APIView):
    """Mint a short-lived embed token for the Studio iframe. Call it from your server with an
    API token (render-only or full-access) and hand only the `aud_es_…` token to the browser."""

    required_scope = "render-only"
    embed_allowed = False

    InputSerializer = EmbedSessionCreateInputSerializer

    @extend_schema(
        summary="Create an embed session token",
        description=(
            "Returns an `aud_es_…` token for `AudomeEmbed.studio({token})`. It lives `ttlSeconds` "
            "(default 900, max 86400), works only inside the embedded Studio, only on the project or "
            "category it names (give at most one), and can't mint tokens or touch webhooks or billing. "
            "`readOnly` hides save and export. `allowedOrigins` (`https://host[:port]`) become the "
            "iframe's `Content-Security-Policy: frame-ancestors`. A project or category of another "
            "account answers 404."
        ),
        tags=["Embed"],
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "EmbedSession",
                {
                    "success": serializers.BooleanField(),
                    "token": serializers.CharField(),
                    "expiresAt": serializers.DateTimeField(),
                    "id": serializers.CharField(),
                    "projectId": serializers.CharField(allow_null=True),
                    "categoryId": serializers.CharField(allow_null=True),
                    "readOnly": serializers.BooleanField(),
                    "allowedOrigins": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
        examples=[
            OpenApiExample(
                "One project, one host origin",
                value={"projectId": "8fce2c7e-7e6f-4d46-b5b1-2aaa5a44f1c9", "ttlSeconds": 900,
                       "allowedOrigins": ["https://app.example.com"]},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationFailed("Body must be a JSON object.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session, plain = embed_session_create(
            account=request.user,
            credential=request.auth,
            category_id=data.get("categoryId") or None,
            project_id=data.get("projectId") or None,
            read_only=data.get("readOnly", False),
            ttl_seconds=data.get("ttlSeconds"),
            allowed_origins=data.get("allowedOrigins"),
        )
        return Response(embed_session_to_dict(session, plain), status=201)
