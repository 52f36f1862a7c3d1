"""Free previews (POST /api/render/preview) and signed render URLs (GET /r/<projectId>.<ext>).

- `signing`   — canonical string and HMAC of signed render URLs.
- `ratelimit` — the preview rate limits: two token buckets per account in one Redis Lua script.
- `cache`     — the preview cache: Redis entries with a TTL, an LRU cap, and the files they own.
- `services`  — what the web process does: look up, single-flight, queue, wait; signed-URL renders.
- `tasks`     — the Celery side: the preview render (queue `preview`) and the cleanup beat task.
- `apis` / `views` / `urls` — the HTTP doors."""
