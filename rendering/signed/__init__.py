"""Signed render URLs (paid renders): GET /r/<projectId>.<png|jpg|webp>?<data>&w=&h=&q=&exp=&s=,
and the account's URL-signing secret (GET /api/render/url-secret, POST …/roll).

- `signing`  — the canonical string and HMAC of a signed URL (contract §4).
- `services` — check a signed request, look its output up, or render it once as a generation.
- `apis` / `views` / `urls` — the HTTP doors."""
