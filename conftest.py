"""Fixtures every test may use: an owner and an outsider account, each with a token,
and API clients that speak JSON with a Bearer token."""
import json

import pytest
from rest_framework.test import APIClient

from core.redis import get_redis

pytest_plugins = ["core.testing.worker", "core.testing.flush"]


@pytest.fixture(autouse=True)
def _clean_redis_rate_limits():
    """Rate-limit state is per account id; accounts are new UUIDs every test, so nothing to
    clean between tests, but make sure Redis answers before a test relies on it."""
    get_redis().ping()
    yield


class JsonClient(APIClient):
    """APIClient that sends JSON bodies by default and keeps the Bearer header."""

    def _json(self, method, path, data=None, **extra):
        if data is not None and "content_type" not in extra and not isinstance(data, (bytes, str)):
            data = json.dumps(data)
            extra["content_type"] = "application/json"
        return getattr(super(), method)(path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._json("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._json("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._json("put", path, data, **extra)


def make_account(email: str, credits: int = 100):
    from accounts.services import user_create

    return user_create(email=email, password="correct horse battery staple", starting_credits=credits)


def client_for(account, scope: str = "full-access") -> JsonClient:
    from accounts.services import token_create

    _token, plain = token_create(account=account, name=f"test {scope}", scope=scope)
    client = JsonClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    client.plain_token = plain
    return client


@pytest.fixture
def owner(db):
    return make_account("owner@example.com")


@pytest.fixture
def outsider(db):
    return make_account("outsider@example.com")


@pytest.fixture
def api(owner):
    """A full-access client of the owner."""
    return client_for(owner)


@pytest.fixture
def outsider_api(outsider):
    return client_for(outsider)


@pytest.fixture
def anon():
    return JsonClient()
