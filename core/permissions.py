"""Token scopes (contract §2): read-only < render-only < full-access.

A view says what it needs with `required_scope` (one value, or a dict by HTTP method);
without it, safe methods need read-only and the rest full-access."""
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from core.auth import Credential

SCOPES = ("read-only", "render-only", "full-access")
_RANK = {name: rank for rank, name in enumerate(SCOPES)}


def scope_allows(have: str, need: str) -> bool:
    return _RANK.get(have, -1) >= _RANK[need]


def required_scope_of(view, method: str) -> str:
    declared = getattr(view, "required_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(method)
    if declared:
        return declared
    return "read-only" if method in ("GET", "HEAD", "OPTIONS") else "full-access"


class HasScope(BasePermission):
    message = "This token's scope does not allow this call."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated("Missing bearer token.")
        credential: Credential | None = request.auth
        if credential is None:
            return False
        if credential.kind == "embed" and getattr(view, "embed_allowed", True) is False:
            return False
        return scope_allows(credential.scope, required_scope_of(view, request.method))
