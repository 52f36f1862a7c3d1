from django.urls import path

from accounts import apis

api_urlpatterns = [
    path("tokens", apis.TokenListCreateApi.as_view()),
    path("tokens/<str:token_id>", apis.TokenDetailApi.as_view()),
    path("account", apis.AccountApi.as_view()),
    path("account/usage", apis.AccountUsageApi.as_view()),
]
