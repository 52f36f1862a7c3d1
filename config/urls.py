"""Every route. Each app exposes `api_urlpatterns` (mounted under /api/) and, where it has
pages, `urlpatterns` (mounted at the root)."""
from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView

from core import views as core_views
from docs.views import ApiReferenceView

ROUTE_MODULES = ("accounts", "projects", "rendering", "rendering.preview", "rendering.signed", "billing", "webhooks",
                 "embed", "docs", "batches", "dashboard")

api_urlpatterns: list[URLPattern | URLResolver] = []
page_urlpatterns: list[URLPattern | URLResolver] = []
for module_name in ROUTE_MODULES:
    module = import_module(f"{module_name}.urls")
    api_urlpatterns += getattr(module, "api_urlpatterns", [])
    page_urlpatterns += getattr(module, "urlpatterns", [])

urlpatterns = [
    path("", RedirectView.as_view(url="/render", permanent=False), name="root"),
    # Browsers ask for /favicon.ico on every page that names none (docs, API reference, errors).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("core/favicon.svg"))),
    path("healthz", core_views.healthz),
    path("readyz", core_views.readyz),
    # JSON like the rest of the API (YAML with ?format=yaml or an Accept of application/yaml).
    path("api/schema", SpectacularAPIView.as_view(renderer_classes=[
        OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2]), name="schema"),
    path("api/docs", ApiReferenceView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include(api_urlpatterns)),
    re_path(r"^api(/.*)?$", core_views.api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *page_urlpatterns,
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
