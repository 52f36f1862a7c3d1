from django.urls import path

from embed import apis, views

api_urlpatterns = [
    path("embed/sessions", apis.EmbedSessionCreateApi.as_view()),
]

urlpatterns = [
    path("embed/audome-embed.js", views.sdk_script, name="embed-sdk"),
    path("embed/studio", views.embed_studio, name="embed-studio"),
    path("render/studio", views.dashboard_studio, name="studio-home"),
    path("render/studio/<str:project_id>", views.dashboard_studio, name="studio"),
]
