"""OpenAPI (drf-spectacular) pieces that belong to core: how our API authentication looks in the
schema. Imported by CoreConfig.ready() so the extension is registered before any schema is built."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerOrSessionScheme(OpenApiAuthenticationExtension):
    """core.auth.BearerOrSessionAuthentication as the schema shows it: a Bearer token (`aud_…` API
    tokens, `aud_es_…` embed session tokens). The dashboard's session cookie is its own business and
    not part of the public API."""

    target_class = "core.auth.BearerOrSessionAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`aud_…`) or an embed session token (`aud_es_…`).",
        }
