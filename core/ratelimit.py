"""Account-wide API rate limit (contract §4): N requests in any 60 s, counted atomically in
Redis (a sliding log in one Lua script) so every web process shares it."""
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.redis import get_redis

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
    redis = get_redis()
    now_ms = int(time.time() * 1000)
    script = redis.register_script(_SLIDING_LOG)
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
        state = sliding_window_hit(
            f"audome:rl:api:{user.pk}", limit=settings.API_RATE_LIMIT_PER_MINUTE, window_seconds=60
        )
        request._request.audome_ratelimit = state
        self.state = state
        return state.allowed

    def wait(self):
        return self.state.retry_after
