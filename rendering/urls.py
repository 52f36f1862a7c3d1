from django.urls import path, re_path

from rendering import apis, options_api, pages, views

api_urlpatterns = [
    path("render/generate", apis.GenerateApi.as_view(), name="render-generate"),
    path("render/options", options_api.RenderOptionsApi.as_view(), name="render-options"),
    path("render/video-options", apis.VideoOptionsApi.as_view(), name="render-video-options"),
    path("render/generations", apis.GenerationListApi.as_view(), name="render-generations"),
    path("render/generations/<str:generation_id>", apis.GenerationDetailApi.as_view(), name="render-generation"),
    path("render/generations/<str:generation_id>/cancel", apis.GenerationCancelApi.as_view(),
         name="render-generation-cancel"),
]

urlpatterns = [
    re_path(r"^media/(?P<name>renders/.+)$", views.render_output, name="render-output"),
    path("render/renders", pages.renders_page, name="renders"),
    path("render/renders/<str:generation_id>", pages.render_detail_page, name="render-detail"),
]
