"""The preview cache, in Redis so every web process shares it.

- `audome:pv:e:<hash>`  the entry (JSON: file name, URL, createdAt, expiresAt, generationTime),
                         with a TTL of PREVIEW_CACHE_TTL (fixed from creation: `expiresAt`).
- `audome:pv:lru`        sorted set hash → last use (ms): the LRU order.
- `audome:pv:exp`        sorted set hash → expiry (ms): expired members leave the LRU set.
- `audome:pv:files`      sorted set file name → when the file may be deleted (ms). An entry's
                         file is due at its expiry; an evicted entry's file at once. The cleanup
                         beat task deletes due files whose entry is gone.

Inserting (with the LRU trim) and reading (with the touch) are single Lua scripts, so the cap
holds however many processes insert at once. The key of an entry is
sha256(projectId + canonical(data) + project.updated_at + WxH), canonical(data) being JSON
with object keys sorted at every depth."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import cast

from django.conf import settings

from core.redis import get_redis

log = logging.getLogger(__name__)

PREFIX = "audome:pv:"
LRU = PREFIX + "lru"
EXP = PREFIX + "exp"
FILES = PREFIX + "files"
LOCK = PREFIX + "lock:{}"


def entry_key(digest: str) -> str:
    return f"{PREFIX}e:{digest}"


def canonical(data) -> str:
    """JSON with keys sorted recursively: {a:1,b:2} and {b:2,a:1} give the same string."""
    return json.dumps(data if data is not None else {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(*, project_id, data, updated_at, width: int, height: int, frame_ms: float | None = None) -> str:
    """A video frame preview (frame_ms, the frame's time) is another entry than the still."""
    stamp = updated_at.isoformat() if hasattr(updated_at, "isoformat") else str(updated_at)
    material = f"{project_id}{canonical(data)}{stamp}{int(width)}x{int(height)}"
    if frame_ms is not None:
        material += f"@{frame_ms!r}ms"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def file_name(*, account_id, digest: str, ext: str = "webp") -> str:
    """WebP for previews; PNG for video frame previews (the frame's exact pixels)."""
    return f"previews/{account_id}/preview-{digest}.{ext}"


def digest_of_file(name: str) -> str | None:
    stem = name.rsplit("/", 1)[-1]
    for ext in (".webp", ".png"):
        if stem.startswith("preview-") and stem.endswith(ext):
            return stem[len("preview-"):-len(ext)]
    return None


def now_ms() -> int:
    return int(time.time() * 1000)


_scripts: dict = {}


def script(source: str):
    """A registered Lua script (EVALSHA, loaded once per process)."""
    found = _scripts.get(source)
    if found is None:
        found = _scripts[source] = get_redis().register_script(source)
    return found


# KEYS: entry, lru, exp, files. ARGV: digest, json, now_ms, ttl_ms, cap, file name, entry key prefix
_PUT = """
local digest, now, ttl, cap = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
redis.call('ZADD', KEYS[2], now, digest)
redis.call('ZADD', KEYS[3], now + ttl, digest)
redis.call('ZADD', KEYS[4], now + ttl, ARGV[6])
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, d in ipairs(dead) do
  redis.call('ZREM', KEYS[2], d)
  redis.call('ZREM', KEYS[3], d)
end
local evicted = {}
local n = redis.call('ZCARD', KEYS[2])
if n > cap then
  local victims = redis.call('ZRANGE', KEYS[2], 0, n - cap - 1)
  for _, v in ipairs(victims) do
    local ekey = ARGV[7] .. v
    local raw = redis.call('GET', ekey)
    if raw then
      local ok, entry = pcall(cjson.decode, raw)
      if ok and entry['name'] then redis.call('ZADD', KEYS[4], 0, entry['name']) end
    end
    redis.call('DEL', ekey)
    redis.call('ZREM', KEYS[2], v)
    redis.call('ZREM', KEYS[3], v)
    table.insert(evicted, v)
  end
end
return evicted
"""

# KEYS: entry, lru. ARGV: digest, now_ms
_GET = """
local raw = redis.call('GET', KEYS[1])
if raw then redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[1]) end
return raw
"""


def cache_get(digest: str, *, client=None) -> dict | None:
    """The live entry (and mark it used now), or None. With `client` a pipeline: only queued."""
    raw = script(_GET)(keys=[entry_key(digest), LRU], args=[digest, now_ms()], client=client)
    if client is not None:
        return None
    return json.loads(raw) if raw else None


def cache_put(*, digest: str, name: str, url: str, generation_time: int, ttl_ms: int | None = None,
              cap: int | None = None) -> dict:
    """Record a rendered preview; evicts the least recently used entries past the cap. The web
    process that queued the render passes its TTL and cap (so its settings are the policy)."""
    ttl_ms = int(ttl_ms or settings.PREVIEW_CACHE_TTL * 1000)
    cap = int(cap or settings.PREVIEW_CACHE_MAX_ENTRIES)
    created = now_ms()
    entry = {"name": name, "url": url, "createdAt": created, "expiresAt": created + ttl_ms,
             "generationTime": generation_time}
    evicted = script(_PUT)(
        keys=[entry_key(digest), LRU, EXP, FILES],
        args=[digest, json.dumps(entry), created, ttl_ms, max(1, cap), name,
              f"{PREFIX}e:"],
    )
    if evicted:
        log.info("preview cache: evicted %d entr%s", len(evicted), "y" if len(evicted) == 1 else "ies")
    return entry


def cache_size() -> int:
    """Live entries (expired ones dropped first)."""
    redis = get_redis()
    now = now_ms()
    dead = redis.zrangebyscore(EXP, "-inf", now)
    if dead:
        pipe = redis.pipeline()
        pipe.zrem(LRU, *dead)
        pipe.zrem(EXP, *dead)
        pipe.execute()
    return int(redis.zcard(LRU))


# KEYS: lock. ARGV: expected value
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lock_acquire(digest: str, owner: str, ttl_ms: int) -> bool:
    return bool(get_redis().set(LOCK.format(digest), owner, nx=True, px=ttl_ms))


def lock_owner(digest: str) -> str | None:
    value = cast("bytes | None", get_redis().get(LOCK.format(digest)))  # the client answers bytes
    return value.decode() if value else None


def lock_release(digest: str, owner: str) -> bool:
    return bool(script(_RELEASE)(keys=[LOCK.format(digest)], args=[owner]))


def files_cleanup(*, now: int | None = None, batch: int = 500) -> dict:
    """Delete the files of expired or evicted entries (the beat task's body).

    A due name is deleted only while holding its entry's single-flight lock and after checking
    the entry is still gone, so a preview being rendered again under the same name at that moment
    keeps its file (its new entry pushes the name's due time forward instead)."""
    from django.core.files.storage import default_storage

    redis = get_redis()
    now = now if now is not None else now_ms()
    counts = {"deleted": 0, "kept": 0, "busy": 0}
    for raw in redis.zrangebyscore(FILES, "-inf", now, start=0, num=batch):
        name = cast(bytes, raw).decode()  # the client answers bytes
        digest = digest_of_file(name)
        if digest is None:
            redis.zrem(FILES, name)
            continue
        owner = f"cleanup:{now}"
        if not lock_acquire(digest, owner, 30_000):
            counts["busy"] += 1  # being rendered right now: look again next time
            continue
        try:
            entry_raw = redis.get(entry_key(digest))
            entry = json.loads(entry_raw) if entry_raw else None
            if entry and entry.get("name") == name:
                redis.zadd(FILES, {name: entry["expiresAt"]})
                counts["kept"] += 1
                continue
            try:
                default_storage.delete(name)
            except Exception:  # storage hiccup: try again on the next run
                log.warning("could not delete preview file %s", name, exc_info=True)
                continue
            redis.zrem(FILES, name)
            counts["deleted"] += 1
        finally:
            lock_release(digest, owner)
    cache_size()  # drop expired members from the LRU set too
    return counts
