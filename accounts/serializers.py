"""Shapes of accounts and tokens as they leave the process."""
from core.timefmt import iso


def token_to_dict(token) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "createdAt": iso(token.created_at),
        "lastUsedAt": iso(token.last_used_at),
        "usageCount": token.usage_count,
        "isActive": token.is_active,
    }
