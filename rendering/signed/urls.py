from django.urls import path, re_path

from rendering.signed import apis, views

api_urlpatterns = [
    path("render/url-secret", apis.UrlSecretApi.as_view(), name="render-url-secret"),
    path("render/url-secret/roll", apis.UrlSecretRollApi.as_view(), name="render-url-secret-roll"),
]

urlpatterns = [
    re_path(r"^r/(?P<project_id>[^/.]+)\.(?P<ext>png|jpg|webp)$", views.signed_render, name="signed-render"),
]
