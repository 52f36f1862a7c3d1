"""The Renders page of the dashboard: /render/renders (the account's render history: thumbnails,
filters by template, status, source and date, pages of RENDERS_PAGE_SIZE, live updates over
/ws/renders) and /render/renders/<generationId> (one render: its image, data, options, timings,
warnings; re-run and download). Reads go through rendering.selectors, so another account's
render is not found; re-runs go through the REST API from the browser (POST /api/render/generate)."""
import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core.errors import NotFound
from rendering.models import GenerationSource, GenerationStatus
from rendering.selectors import generation_get, generation_list
from rendering.serializers import TIMING_PHASES, image_url_of

RENDERS_PAGE_SIZE = 24


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _filters(request, templates: dict[str, str]) -> tuple[dict, list[str]]:
    """The filters the query string asks for, each checked; (applied filters, problems)."""
    q = request.GET
    applied, problems = {}, []
    if q.get("template") in templates:
        applied["template"] = q["template"]
    if q.get("status") in GenerationStatus.values:
        applied["status"] = q["status"]
    if q.get("source") in GenerationSource.values:
        applied["source"] = q["source"]
    for key in ("from", "to"):
        if q.get(key):
            day = _date(q[key])
            if day is None:
                problems.append(_("Dates are written YYYY-MM-DD; “%(value)s” is not a date.") % {"value": q[key]})
            else:
                applied[key] = day
    if "from" in applied and "to" in applied and applied["from"] > applied["to"]:
        problems.append(_("The “from” date is after the “to” date."))
        del applied["from"], applied["to"]
    return applied, problems


def _templates_of(account) -> dict[str, str]:
    from projects.models import Project

    return {str(pk): name for pk, name in Project.objects.filter(account=account).order_by("name").values_list("pk", "name")}


def _row(generation, templates: dict[str, str]) -> dict:
    return {
        "g": generation,
        "image_url": image_url_of(generation),
        "template_name": templates.get(generation.project_ref),
    }


# A number in each CLDR plural category (Intl.PluralRules' names) of the languages we speak; the
# Renders page picks its live count's words by the category of the new count.
PLURAL_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}


def _count_forms() -> str:
    """"N renders" in each plural form of the active language, N left as %(n)s (JSON)."""
    return json.dumps({category: ngettext("%(n)s render", "%(n)s renders", n)
                       for category, n in PLURAL_SAMPLES.items()}, ensure_ascii=False)


@login_required
@require_safe
def renders_page(request):
    account = request.user
    templates = _templates_of(account)
    applied, problems = _filters(request, templates)
    rows = generation_list(account=account, status=applied.get("status"), project_id=applied.get("template"))
    if "source" in applied:
        rows = rows.filter(source=applied["source"])
    if "from" in applied:
        rows = rows.filter(created_at__date__gte=applied["from"])
    if "to" in applied:
        rows = rows.filter(created_at__date__lte=applied["to"])
    page = Paginator(rows, RENDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in applied.items()})
    return render(request, "rendering/renders.html", {
        "page": page,
        "rows": [_row(g, templates) for g in page.object_list],
        "templates": templates,
        "filters": applied,
        "filter_query": query,
        "problems": problems,
        "statuses": GenerationStatus.choices,
        "sources": GenerationSource.choices,
        # The live script adds new renders at the top only where they belong: the first page, unfiltered.
        "live_prepend": page.number == 1 and not applied,
        "count_forms": _count_forms(),
        "has_any": page.paginator.count > 0 or generation_list(account=account).exists(),
    })


@login_required
@require_safe
def render_detail_page(request, generation_id: str):
    try:
        generation = generation_get(account=request.user, generation_id=generation_id)
    except NotFound:
        raise Http404("No such render") from None
    templates = _templates_of(request.user)
    options = generation.options or {}
    rerun = {"data": generation.data or {}}
    if generation.project_id:
        rerun["projectId"] = str(generation.project_id)
    elif options.get("html"):
        rerun["html"] = options["html"]
    for key in ("width", "height", "format", "quality", "backgroundColor"):
        if options.get(key) is not None:
            rerun[key] = options[key]
    timings = generation.timings or {}
    return render(request, "rendering/render_detail.html", {
        **_row(generation, templates),
        "data_json": json.dumps(generation.data or {}, ensure_ascii=False, indent=2),
        "metadata_json": json.dumps(generation.metadata or {}, ensure_ascii=False, indent=2) if generation.metadata else "",
        "timings": [(phase, timings[phase]) for phase in TIMING_PHASES if isinstance(timings.get(phase), (int, float))],
        "rerun": rerun if ("projectId" in rerun or "html" in rerun) else None,
        "download_name": f"{generation.id}.{'jpg' if generation.format == 'jpeg' else generation.format}",
    })
