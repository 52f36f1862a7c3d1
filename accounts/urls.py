from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import apis, device_apis, device_views, views

api_urlpatterns = [
    path("tokens", apis.TokenListCreateApi.as_view()),
    path("tokens/<str:token_id>", apis.TokenDetailApi.as_view()),
    path("auth/device/code", device_apis.DeviceCodeApi.as_view()),
    path("auth/device/token", device_apis.DeviceTokenApi.as_view()),
]

# Pages (mounted at the root).
urlpatterns = [
    path("render/api-tokens", views.api_tokens, name="api_tokens"),
    path("render/device", device_views.device_page, name="device_login"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/theme", views.theme_set, name="theme_set"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
