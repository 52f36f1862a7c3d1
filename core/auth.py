"""API authentication and the credential every request carries.

`Authorization: Bearer <token>` (API tokens `aud_…`, embed session tokens `aud_es_…`): a request
that sends a Bearer header is judged by it alone and never falls back to the session cookie; a
request without one may use the dashboard's session (with CSRF). Which token a Bearer value
names is the accounts app's business: core asks the function named by the
AUDOME_CREDENTIAL_LOOKUP setting (core imports no app; config wires them).

`request.auth` is then a `Credential`: what the caller may do — its `scope` (core.permissions)
and which templates it may touch. Sessions, API tokens and signed URLs may touch every template
of their account (`AccountWide`); an embed session only the category or template it was made
for (accounts.models.EmbedSession)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework import authentication, exceptions

CredentialKind = Literal["session", "api", "embed", "signed-url"]


class Credential(Protocol):
    """What a request may do, whoever authenticated it."""

    @property
    def kind(self) -> CredentialKind: ...

    @property
    def scope(self) -> str: ...  # read-only | render-only | full-access

    def allows_project(self, project: Any) -> bool: ...

    def allows_category(self, category_id: Any) -> bool: ...

    def restrict_projects(self, queryset: Any) -> Any: ...  # the templates of `queryset` it may touch


class AccountWide:
    """A credential that may touch every template of its account."""

    def allows_project(self, project: Any) -> bool:
        return True

    def allows_category(self, category_id: Any) -> bool:
        return True

    def restrict_projects(self, queryset: Any) -> Any:
        return queryset


@dataclass(frozen=True)
class AccountCredential(AccountWide):
    kind: CredentialKind
    scope: str


SESSION = AccountCredential(kind="session", scope="full-access")  # the dashboard's logged-in user
SIGNED_URL = AccountCredential(kind="signed-url", scope="render-only")  # a verified signed render URL


@lru_cache(maxsize=1)
def _lookup() -> Callable[[str], Any]:
    return import_string(settings.AUDOME_CREDENTIAL_LOOKUP)


def credential_for_token(plain: str) -> Any:
    """The live credential (with `.account`) a Bearer value names, or None."""
    return _lookup()(plain)


class BearerOrSessionAuthentication(authentication.SessionAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is not None:
            return self.authenticate_bearer(header)
        result = super().authenticate(request)
        if result is None:
            return None
        return result[0], SESSION

    def authenticate_bearer(self, header: str):
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        credential = credential_for_token(parts[1])
        if credential is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired token.")
        return credential.account, credential

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
