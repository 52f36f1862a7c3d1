from django.urls import path

from dashboard import apis, views

api_urlpatterns = [
    path("account", apis.AccountApi.as_view()),
    path("account/usage", apis.AccountUsageApi.as_view()),
]

# Pages (mounted at the root).
urlpatterns = [
    path("render", views.home, name="dashboard_home"),
]
