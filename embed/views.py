"""Pages: the SDK script, the embedded Studio (iframe) and the dashboard's Studio."""
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from core.auth import SESSION
from core.timefmt import iso
from embed.selectors import studio_project_get
from embed.services import embed_session_lookup, origin_normalize

SDK_PATH = Path(settings.BASE_DIR) / "static" / "dist" / "embed" / "audome-embed.js"


@lru_cache(maxsize=4)
def _sdk_read(mtime_ns: int) -> tuple[bytes, str]:
    content = SDK_PATH.read_bytes()
    return content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


@require_safe
def sdk_script(request):
    """/embed/audome-embed.js — the built SDK. The URL is stable, so it's cached briefly and
    revalidated by ETag. Any site may load it (it is public code and holds no secret)."""
    try:
        content, etag = _sdk_read(SDK_PATH.stat().st_mtime_ns)
    except FileNotFoundError:
        raise Http404("The embed SDK is not built; run `npm run build:sdk`.") from None
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300, stale-while-revalidate=86400"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _choice(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _ui_locale(request, asked: str | None) -> str:
    if asked in ("ar", "en"):
        return asked
    return "ar" if (translation.get_language() or "").startswith("ar") else "en"


def _studio_page(request, *, config: dict, csp_frame_ancestors: str, status: int = 200):
    locale = config["locale"]
    with translation.override(locale):
        response = render(
            request,
            "embed/studio.html",
            {"config": config, "lang": locale, "dir": "rtl" if locale == "ar" else "ltr", "theme": config["theme"]},
            status=status,
        )
    response["Content-Security-Policy"] = f"frame-ancestors {csp_frame_ancestors}"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def embed_studio(request):
    """/embed/studio?token=aud_es_…&origin=<host origin>&theme&locale&projectId&categoryId&readOnly.
    Framable only by the session's allowedOrigins (any site when it has none). A missing, unknown
    or expired token gets a page that tells the host through postMessage (→ onError)."""
    query = request.GET
    locale = _ui_locale(request, query.get("locale"))
    theme = _choice(query.get("theme"), ("dark", "light"), "dark")
    try:
        host_origin = origin_normalize(query.get("origin", ""))
    except ValueError:
        host_origin = ""
    session, problem = embed_session_lookup(query.get("token", ""))
    config: dict[str, Any] = {"mode": "embed", "locale": locale, "theme": theme, "hostOrigin": host_origin,
                              "apiBase": ""}
    if problem:
        messages = {
            "TOKEN_EXPIRED": "This embed session has expired. Mint a new token on your server.",
            "TOKEN_INVALID": "Missing or invalid embed token.",
        }
        config["error"] = {"code": problem, "message": messages[problem]}
        return _studio_page(request, config=config, csp_frame_ancestors="*", status=401)
    assert session is not None, "embed_session_lookup names a problem whenever it finds no session"
    origins = list(session.allowed_origins or [])
    if origins and host_origin not in origins:
        host_origin = ""
    config.update(
        {
            "hostOrigin": host_origin,
            "token": query.get("token"),
            "expiresAt": iso(session.expires_at),
            "readOnly": session.read_only or query.get("readOnly") in ("1", "true"),
            "projectId": session.project_id or query.get("projectId") or None,
            "categoryId": session.category_id or query.get("categoryId") or None,
            "lockedProject": bool(session.project_id),
            "lockedCategory": bool(session.category_id),
            "allowedOrigins": origins,
        }
    )
    if not origins:
        ancestors = "*"
    else:
        ancestors = " ".join(origins)
    return _studio_page(request, config=config, csp_frame_ancestors=ancestors)


@login_required
@require_safe
def dashboard_studio(request, project_id: str | None = None):
    """/render/studio[/<projectId>] — the Studio for the logged-in account."""
    if project_id and studio_project_get(account=request.user, credential=SESSION, project_id=project_id) is None:
        raise Http404("Project not found")
    theme = request.COOKIES.get("audome_theme", "")
    config = {
        "mode": "dashboard",
        "locale": _ui_locale(request, None),
        "theme": theme if theme in ("light", "dark") else "auto",
        "projectId": project_id,
        "csrfToken": get_token(request),
        "apiBase": "",
        "readOnly": False,
        "email": request.user.email,
    }
    return _studio_page(request, config=config, csp_frame_ancestors="'none'")
