"""API authentication: `Authorization: Bearer <token>` (API tokens `aud_…`, embed session
tokens `aud_es_…`). A request that sends a Bearer header is judged by it alone and never falls
back to the session cookie; a request without one may use the dashboard's session (with CSRF)."""
from dataclasses import dataclass

from rest_framework import authentication, exceptions


@dataclass(frozen=True)
class SessionCredential:
    """The dashboard's own logged-in user: everything its account may do."""

    scope: str = "full-access"
    kind: str = "session"

    def allows_project(self, project) -> bool:
        return True

    def allows_category(self, category_id) -> bool:
        return True

    def restrict_projects(self, queryset):
        return queryset


class BearerOrSessionAuthentication(authentication.SessionAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is not None:
            return self.authenticate_bearer(header)
        result = super().authenticate(request)
        if result is None:
            return None
        return result[0], SessionCredential()

    def authenticate_bearer(self, header: str):
        from accounts.services import credential_authenticate

        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        credential = credential_authenticate(parts[1])
        if credential is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired token.")
        return credential.account, credential

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
