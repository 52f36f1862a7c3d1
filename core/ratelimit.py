"""Account-wide API rate limit (contract §4): N requests in any 60 s, counted atomically in
Redis (a sliding log in one Lua script) so every web process shares it.

When Redis is down (docs: errors → "When a part is down"): reads (GET, HEAD, OPTIONS) go through
unlimited, with a warning logged at most once a minute per process; writes answer 503
SERVICE_UNAVAILABLE with Retry-After before the view runs — renders, previews and most writes
queue work in Redis after their commit, so letting them in would charge or create and then fail.
After a failure the limiter doesn't ask Redis again for REDIS_RETRY_SECONDS, so an outage costs
each request nothing, not a connect timeout."""
import logging
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.errors import ServiceUnavailable, outage_error

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDIS_TIMEOUT = 1.0  # seconds: the script takes microseconds; a Redis this slow counts as down
REDIS_RETRY_SECONDS = 5.0  # after a failure, Redis counts as down this long without asking it
WARN_EVERY_SECONDS = 60.0
_down: dict[str, Any] = {"until": 0.0, "warned": 0.0, "error": None}


@lru_cache(maxsize=1)
def get_limiter_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)

# KEYS[1] = log key; ARGV = now_ms, window_ms, limit, member
_SLIDING_LOG = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local oldest_ms = now
if oldest[2] then oldest_ms = tonumber(oldest[2]) end
return {allowed, count, oldest_ms}
"""


@dataclass
class LimitState:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix seconds when a slot frees up
    retry_after: int  # seconds


def sliding_window_hit(key: str, *, limit: int, window_seconds: int) -> LimitState:
    now_ms = int(time.time() * 1000)
    script = get_limiter_redis().register_script(_SLIDING_LOG)
    allowed, count, oldest_ms = script(
        keys=[key], args=[now_ms, window_seconds * 1000, limit, f"{now_ms}-{uuid.uuid4().hex[:8]}"]
    )
    reset_ms = int(oldest_ms) + window_seconds * 1000
    retry_after = max(1, -(-(reset_ms - now_ms) // 1000))
    return LimitState(
        allowed=bool(allowed),
        limit=limit,
        remaining=max(0, limit - int(count)),
        reset=-(-reset_ms // 1000),
        retry_after=retry_after,
    )


class AccountRateThrottle(BaseThrottle):
    """DRF throttle for every authenticated /api/* call; the headers go on by middleware."""

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        try:
            state = self.hit(user)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            return self.redis_down(request, exc)
        request._request.audome_ratelimit = state
        self.state = state
        return state.allowed

    @staticmethod
    def hit(user) -> LimitState:
        now = time.monotonic()
        if now < _down["until"]:
            raise redis.ConnectionError(f"Redis failed less than {REDIS_RETRY_SECONDS:g} s ago: {_down['error']}")
        try:
            return sliding_window_hit(
                f"audome:rl:api:{user.pk}", limit=settings.API_RATE_LIMIT_PER_MINUTE, window_seconds=60
            )
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            _down.update(until=now + REDIS_RETRY_SECONDS, error=f"{exc.__class__.__name__}: {exc}")
            raise

    @staticmethod
    def redis_down(request, exc) -> bool:
        if request.method not in SAFE_METHODS:
            # A Redis error always maps to an outage: outage_error gives ServiceUnavailable, not None.
            raise cast(ServiceUnavailable, outage_error(exc))
        now = time.monotonic()
        if now - _down["warned"] >= WARN_EVERY_SECONDS:
            _down["warned"] = now
            log.warning("Redis is down (%s: %s): API rate limits are not enforced for reads; writes answer 503",
                        exc.__class__.__name__, exc)
        return True

    def wait(self):
        return self.state.retry_after
