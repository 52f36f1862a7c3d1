from django.urls import path

from batches import apis, views

api_urlpatterns = [
    path("render/batches", apis.BatchListCreateApi.as_view(), name="render-batches"),
    path("render/batches/<str:batch_id>", apis.BatchDetailApi.as_view(), name="render-batch"),
    path("render/batches/<str:batch_id>/cancel", apis.BatchCancelApi.as_view(), name="render-batch-cancel"),
    path("render/batches/<str:batch_id>/retry", apis.BatchRetryApi.as_view(), name="render-batch-retry"),
    path("render/batches/<str:batch_id>/download", apis.BatchDownloadApi.as_view(), name="render-batch-download"),
]

urlpatterns = [
    path("render/projects/<uuid:project_id>/batch", views.batch_page, name="batch-page"),
]
