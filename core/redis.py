"""One Redis client per process, from REDIS_URL."""
from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)


# --- hints: expiring keys that say "something happened lately" --------------------------------
# A hint only steers a shortcut; the work it stands for is done by someone else if it is lost.

def hint_set(key: str, seconds: int) -> None:
    """Sets the hint for `seconds`; a Redis error is ignored (callers state what then happens)."""
    try:
        get_redis().set(key, 1, ex=seconds)
    except redis.RedisError:
        pass


def hint_present(key: str, *, if_unknown: bool) -> bool:
    """Whether the hint is set; `if_unknown` when Redis can't say."""
    try:
        return bool(get_redis().exists(key))
    except redis.RedisError:
        return if_unknown
