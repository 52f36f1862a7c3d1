"""The suite runs in its own Redis database and test database, never `make run`'s (issue #15)."""
import os
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connection


def test_suite_uses_a_claimed_redis_database_not_the_dev_stacks():
    slot = int(os.environ["AUDOME_TEST_SLOT"])
    assert urlsplit(settings.REDIS_URL).path == f"/{slot}"
    assert slot != 0
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    db0 = redis.Redis.from_url(settings.REDIS_URL.rsplit("/", 1)[0] + "/0")
    assert db0.get(f"audome:test-slot:{slot}") is not None


def test_a_task_queued_by_the_dev_stack_is_not_visible_to_the_suite(db):
    dev = redis.Redis.from_url(settings.REDIS_URL.rsplit("/", 1)[0] + "/0")
    dev.lpush("audome-isolation-probe", b"x")
    try:
        from core.redis import get_redis

        assert get_redis().llen("audome-isolation-probe") == 0
    finally:
        dev.delete("audome-isolation-probe")


def test_test_database_name_carries_the_slot(db):
    name = str(connection.settings_dict["NAME"]).removesuffix(".sqlite3")
    assert name.endswith(f"_{os.environ['AUDOME_TEST_SLOT']}") or name.endswith(f"-{os.environ['AUDOME_TEST_SLOT']}")
