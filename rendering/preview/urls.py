from django.urls import path, re_path

from rendering.preview import apis, views

api_urlpatterns = [
    path("render/preview", apis.PreviewApi.as_view(), name="render-preview"),
]

urlpatterns = [
    re_path(r"^media/(?P<name>previews/.+)$", views.preview_file, name="preview-file"),
]
