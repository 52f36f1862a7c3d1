from django.urls import path, re_path

from projects import apis, views

api_urlpatterns = [
    path("render/projects", apis.ProjectListCreateApi.as_view(), name="projects"),
    path("render/projects/<str:project_id>", apis.ProjectDetailApi.as_view(), name="project"),
    path("render/projects/<str:project_id>/duplicate", apis.ProjectDuplicateApi.as_view(), name="project-duplicate"),
    path("render/categories", apis.CategoryListCreateApi.as_view(), name="categories"),
    path("render/categories/<str:category_id>", apis.CategoryDetailApi.as_view(), name="category"),
    path("render/assets", apis.AssetListCreateApi.as_view(), name="assets"),
    path("render/assets/<str:asset_id>", apis.AssetDetailApi.as_view(), name="asset"),
    path("render/fonts", apis.FontListCreateApi.as_view(), name="fonts"),
    path("render/fonts/<str:font_id>", apis.FontDetailApi.as_view(), name="font"),
]

urlpatterns = [
    path("render/projects", views.projects_page, name="projects-page"),
    re_path(r"^media/(?P<name>(?:assets|fonts)/[0-9a-f]{2}/[0-9a-f]{32}\.[a-z0-9]{2,5})$", views.media_file,
            name="projects-media"),
]
