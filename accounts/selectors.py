"""Reads of accounts and tokens, limited to what the acting account may see."""
from accounts.models import ApiToken


def token_list(*, account):
    return ApiToken.objects.filter(account=account).order_by("-created_at")
