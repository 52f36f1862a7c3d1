"""POST /api/auth/device/code and /api/auth/device/token: the app's half of the device-code login
(accounts/device.py). Both are called before the app has a token, so they take none."""
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import TOKEN_SCHEMA
from accounts.device import EXPIRES_IN, device_code_request, device_token_poll
from accounts.serializers import token_to_dict

TAGS = ["Device login"]

DEVICE_ERROR = inline_serializer(
    "DeviceTokenError",
    {
        "success": serializers.BooleanField(),
        "error": serializers.ChoiceField(["authorization_pending", "slow_down", "access_denied", "expired_token",
                                          "invalid_grant"]),
        "code": serializers.CharField(), "message": serializers.CharField(), "requestId": serializers.CharField(),
        "interval": serializers.IntegerField(required=False, help_text="Seconds to wait before the next poll."),
    },
)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class DeviceCodeApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    class DeviceCodeInputSerializer(serializers.Serializer):
        appName = serializers.CharField(max_length=100)
        appType = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        appVersion = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="device_code_create", summary="Start a device-code login (no token needed)", tags=TAGS,
        auth=[], request=DeviceCodeInputSerializer,
        description="Show `userCode` to the person and open `verificationUrl` in their browser; then poll "
                    "`POST /api/auth/device/token` every `interval` seconds. Limited to 10 requests an hour per IP.",
        responses={
            200: inline_serializer("DeviceCode", {
                "success": serializers.BooleanField(), "deviceCode": serializers.CharField(),
                "userCode": serializers.CharField(help_text="8 letters with a hyphen, e.g. BCDF-GHJK."),
                "verificationUrl": serializers.URLField(help_text="The approval page with the code filled in."),
                "expiresIn": serializers.IntegerField(), "interval": serializers.IntegerField(),
            }),
            400: OpenApiResponse(description="VALIDATION_FAILED"),
            429: OpenApiResponse(description="RATE_LIMITED (10 an hour per IP)"),
        },
        examples=[OpenApiExample("Request", request_only=True,
                                 value={"appName": "Audome CLI", "appType": "cli", "appVersion": "0.1.0"})],
    )
    def post(self, request):
        serializer = self.DeviceCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = device_code_request(app_name=data["appName"], app_type=data["appType"],
                                   app_version=data["appVersion"], ip=client_ip(request))
        return Response({
            "success": True, "deviceCode": pair.device_code, "userCode": pair.user_code,
            "verificationUrl": pair.verification_url, "expiresIn": EXPIRES_IN,
            "interval": pair.authorization.interval,
        })


class DeviceTokenApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    class DeviceTokenInputSerializer(serializers.Serializer):
        deviceCode = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="device_token_create", summary="Poll for the token of a device-code login", tags=TAGS,
        auth=[], request=DeviceTokenInputSerializer,
        description="Until the person decides: 400 `authorization_pending` (or `slow_down` when polled sooner "
                    "than `interval`, which then grows by 5 s). Denied: `access_denied`; after 10 minutes: "
                    "`expired_token`. Approved: a new API token named after the app, with the scope the person "
                    "chose — returned once; the device code is then used up (`invalid_grant`).",
        responses={
            200: inline_serializer("DeviceToken", {
                "success": serializers.BooleanField(), "token": serializers.CharField(),
                "tokenData": TOKEN_SCHEMA,
            }),
            400: DEVICE_ERROR,
        },
    )
    def post(self, request):
        serializer = self.DeviceTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        authorization, plain = device_token_poll(device_code=serializer.validated_data["deviceCode"])
        return Response({"success": True, "token": plain, "tokenData": token_to_dict(authorization.token)})
