"""Pages of the projects app (/render/projects) and the server of uploaded files
(/media/assets/…, /media/fonts/…) when they live in local storage."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects.models import Category, Project
from projects.selectors import fonts_for
from projects.serializers import category_to_dict, font_to_dict, project_to_dict

MEDIA_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif", "svg": "image/svg+xml",
    "ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2",
}
# Uploaded names are random and never rewritten: cache them for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
CSP_FILE = "default-src 'none'; frame-ancestors 'none'"
# An SVG opened on its own can't run anything, load anything or reach the page's origin.
CSP_SVG = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"


def _is_local() -> bool:
    from django.core.files.storage import FileSystemStorage

    return isinstance(default_storage, FileSystemStorage)


@require_safe
def media_file(request, name: str):
    ext = name.rsplit(".", 1)[-1]
    kind = name.split("/", 1)[0]
    if ext not in MEDIA_TYPES or not _is_local() or (kind == "fonts") != MEDIA_TYPES[ext].startswith("font/"):
        raise Http404()
    etag = '"' + name.rsplit("/", 1)[1].split(".")[0] + '"'
    if request.headers.get("If-None-Match") == etag:
        from django.http import HttpResponseNotModified

        response = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404() from None
        response = FileResponse(handle, content_type=MEDIA_TYPES[ext])
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CSP_SVG if ext == "svg" else CSP_FILE
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


PRESETS = [
    ("square", 1080, 1080),
    ("portrait", 1080, 1350),
    ("story", 1080, 1920),
    ("og", 1200, 630),
    ("landscape", 1920, 1080),
]


PAGE_SIZE = 24


@login_required
@require_safe
def projects_page(request):
    """The account's templates as cards, newest edit first, PAGE_SIZE to a page, filtered by
    category and searched by name on the server (only the page's documents reach the
    browser); thumbnails are drawn there by the shared renderer."""
    account = request.user
    categories = list(Category.objects.filter(account=account).order_by("name"))
    active = request.GET.get("category", "")
    if active and not any(str(c.pk) == active for c in categories):
        active = ""
    query = " ".join(request.GET.get("q", "").split())[:200]
    rows = Project.objects.filter(account=account).select_related("category").order_by("-updated_at", "-pk")
    if active:
        rows = rows.filter(category_id=active)
    if query:
        rows = rows.filter(name__icontains=query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    projects = list(page.object_list)
    filters = urlencode({k: v for k, v in (("category", active), ("q", query)) if v})
    boot = {
        "csrfToken": get_token(request),
        "projects": [project_to_dict(p) for p in projects],
        "categories": [category_to_dict(c) for c in categories],
        "fonts": [font_to_dict(f) for f in fonts_for(account=account)],
    }
    strings = {
        "confirmDelete": _("Delete “%(name)s”? This can't be undone."),
        "delete": _("Delete"),
        "deleteFailed": _("The template could not be deleted."),
        "createFailed": _("The template could not be created."),
        "sizeInvalid": _("Width and height must be whole numbers from 1 to 4096."),
        "categoryFailed": _("The category could not be created."),
        "categoryExists": _("A category with that name already exists."),
        "openInStudio": _("Open %(name)s in the Studio"),
    }
    return render(request, "projects/projects.html", {
        "projects": projects,
        "page": page,
        "query": query,
        "filters": filters,
        "has_any": bool(projects) or Project.objects.filter(account=account).exists(),
        "categories": categories,
        "active_category": active,
        "presets": PRESETS,
        "boot": boot,
        "strings": strings,
    })
