from django.urls import path, re_path

from docs import views

urlpatterns = [
    path("docs", views.docs_index, name="docs-index"),
    re_path(r"^docs/raw/(?P<slug>[a-z0-9/-]+)\.md$", views.docs_raw, name="docs-raw"),
    re_path(r"^docs/(?P<slug>[a-z0-9][a-z0-9/-]*)$", views.docs_page, name="docs-page"),
    path("llms.txt", views.llms_txt),
    path("llms-full.txt", views.llms_full_txt),
    path("sitemap.xml", views.sitemap_xml),
]
