"""Free previews (POST /api/render/preview). Signed render URLs live in rendering.signed.

- `ratelimit` — the preview rate limits: two token buckets per account in one Redis Lua script.
- `cache`     — the preview cache: Redis entries with a TTL, an LRU cap, and the files they own;
                also the single-flight lock that signed URLs use too.
- `services`  — what the web process does (look up, single-flight, queue, wait) and the worker's render.
- `tasks`     — the Celery side: the preview render (queue `preview`) and the cleanup beat task.
- `apis` / `views` / `urls` — the HTTP doors."""
