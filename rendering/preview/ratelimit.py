"""Preview rate limits (contract §4): per account, 30 per minute and 200 per hour, as two token
buckets that are checked and drawn from together in ONE Redis Lua script — no read-modify-write
from Python, so any number of web processes share them exactly.

Each bucket is refilled in whole at the end of its window (an "interval" refill, as the docs'
`rateLimit.resetAt` describes): a bucket starts its window when its first token is taken after
it was full, and every token comes back at `resetAt`. A request takes one token from each bucket,
or — when either is empty — none, and `Retry-After` is the seconds until every empty bucket refills
(rounded up, so retrying after that many seconds is never early)."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings

from core.redis import get_redis
from rendering.preview.cache import script

KEY = "audome:pv:rl:{}"

# KEYS[1] = the account's bucket hash
# ARGV: now_ms, minute_capacity, minute_window_ms, hour_capacity, hour_window_ms
# Hash fields: mt/mr = minute tokens / refill time (ms), ht/hr = the same for the hour.
# Returns {allowed, minute_tokens, minute_reset_ms, hour_tokens, hour_reset_ms} after the call.
_TAKE = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local function bucket(prefix, cap, window)
  local t = tonumber(redis.call('HGET', key, prefix .. 't'))
  local r = tonumber(redis.call('HGET', key, prefix .. 'r'))
  if t == nil or r == nil or now >= r then
    -- full again (or never used): the window starts with the token taken now
    return cap, now + window
  end
  if t > cap then t = cap end
  return t, r
end
local mcap, mwin = tonumber(ARGV[2]), tonumber(ARGV[3])
local hcap, hwin = tonumber(ARGV[4]), tonumber(ARGV[5])
local mt, mr = bucket('m', mcap, mwin)
local ht, hr = bucket('h', hcap, hwin)
if mt >= 1 and ht >= 1 then
  mt = mt - 1
  ht = ht - 1
  redis.call('HSET', key, 'mt', mt, 'mr', mr, 'ht', ht, 'hr', hr)
  redis.call('PEXPIREAT', key, math.max(mr, hr))
  return {1, mt, mr, ht, hr}
end
return {0, mt, mr, ht, hr}
"""


@dataclass(frozen=True)
class PreviewLimit:
    allowed: bool
    remaining: int  # calls left now (the minute bucket, or the hour bucket when that is lower)
    reset_at: int  # unix ms: when `remaining` goes back up (on a refusal: when a retry succeeds)
    retry_after: int  # seconds (0 when allowed)
    minute_limit: int
    hour_limit: int

    def as_body(self) -> dict:
        return {"remaining": self.remaining, "resetAt": self.reset_at}

    def headers(self) -> dict:
        headers = {
            "X-RateLimit-Limit-Minute": str(self.minute_limit),
            "X-RateLimit-Limit-Hour": str(self.hour_limit),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def now_ms() -> int:
    """The buckets' clock (tests move it to cross an hour without waiting)."""
    return int(time.time() * 1000)


def preview_limit_take(*, account_id, client=None):
    """Take one preview from the account's buckets (or refuse, taking nothing).

    With `client` a Redis pipeline, the call is only queued there: the function returns a callable
    that turns the pipeline's answer for it into the PreviewLimit (one round trip for several calls)."""
    per_minute = settings.PREVIEW_RATE_PER_MINUTE
    per_hour = settings.PREVIEW_RATE_PER_HOUR
    now = now_ms()
    answer = script(_TAKE)(keys=[KEY.format(account_id)], args=[now, per_minute, 60_000, per_hour, 3_600_000],
                           client=client)

    def interpret(raw) -> PreviewLimit:
        allowed, mt, mr, ht, hr = (int(x) for x in raw)
        if allowed:
            if ht < mt or (ht == 0 and hr > mr):
                remaining, reset_at = ht, hr
            else:
                remaining, reset_at = mt, mr
            return PreviewLimit(True, remaining, reset_at, 0, per_minute, per_hour)
        # Refused: a retry works once every empty bucket has refilled.
        ready_at = max([r for t, r in ((mt, mr), (ht, hr)) if t < 1] or [now + 1000])
        retry_after = max(1, math.ceil((ready_at - now) / 1000))
        return PreviewLimit(False, 0, ready_at, retry_after, per_minute, per_hour)

    return interpret if client is not None else interpret(answer)


def preview_limit_reset(*, account_id) -> None:
    get_redis().delete(KEY.format(account_id))
