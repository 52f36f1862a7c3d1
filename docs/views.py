"""/docs, /docs/<slug>, /docs/raw/<slug>.md, /llms.txt, /llms-full.txt, /sitemap.xml, and the API
reference page /api/docs (routed in config/urls next to the schema it draws)."""
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from docs.pages import all_pages, page_get


def _base() -> str:
    return settings.PUBLIC_BASE_URL


def docs_index(request):
    return render(request, "docs/index.html", {"pages": all_pages()})


def docs_page(request, slug: str):
    page = page_get(slug.strip("/"))
    if page is None:
        raise Http404("No such page")
    return render(request, "docs/page.html", {"page": page, "pages": all_pages()})


def docs_raw(request, slug: str):
    page = page_get(slug)
    if page is None:
        raise Http404("No such page")
    return HttpResponse(page.markdown, content_type="text/markdown; charset=utf-8")


def llms_txt(request):
    base = _base()
    lines = [
        "# Audome",
        "",
        "> Programmatic image rendering: design a template once, render thousands of personalised "
        "images through a REST API, free cached previews, signed URLs, or an embeddable Studio.",
        "",
        "## Docs",
        "",
    ]
    lines += [f"- [{p.title}]({base}/docs/raw/{p.slug}.md): {p.summary}" for p in all_pages()]
    lines += ["", "## API reference", "", f"- [OpenAPI schema]({base}/api/schema): every endpoint, machine-readable", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def llms_full_txt(request):
    body = "\n\n---\n\n".join(f"<!-- {_base()}/docs/{p.slug} -->\n{p.markdown.strip()}" for p in all_pages())
    return HttpResponse(body + "\n", content_type="text/plain; charset=utf-8")


def sitemap_xml(request):
    base = _base()
    urls = [f"{base}/docs"] + [f"{base}/docs/{p.slug}" for p in all_pages()]
    entries = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
    return HttpResponse(xml, content_type="application/xml")


class ApiReferenceView(SpectacularRedocView):
    """/api/docs: Redoc from our own static files. Its "powered by" link carries a logo from
    Redocly's CDN; images from anywhere but this server are refused (CSP), so the page asks
    nothing of the internet (it is the only image that isn't ours)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = "img-src 'self' data: blob:"
        return response
