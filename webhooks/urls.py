from django.urls import path

from webhooks import apis, views

api_urlpatterns = [
    path("webhooks", apis.WebhookListCreateApi.as_view()),
    path("webhooks/<str:webhook_id>", apis.WebhookDetailApi.as_view()),
    path("webhooks/<str:webhook_id>/test", apis.WebhookTestApi.as_view()),
    path("webhooks/<str:webhook_id>/rotate-secret", apis.WebhookRotateSecretApi.as_view()),
    path("webhooks/<str:webhook_id>/deliveries", apis.WebhookDeliveryListApi.as_view()),
    path("webhooks/<str:webhook_id>/deliveries/<str:delivery_id>/resend", apis.WebhookDeliveryResendApi.as_view()),
]

urlpatterns = [
    path("render/webhooks", views.webhooks_page, name="webhooks"),
    path("render/webhooks/<str:webhook_id>", views.webhook_page, name="webhook-detail"),
    path("render/webhooks/actions/create", views.webhook_create_action, name="webhook-create"),
    path("render/webhooks/<str:webhook_id>/delete", views.webhook_delete_action, name="webhook-delete"),
    path("render/webhooks/<str:webhook_id>/test", views.webhook_test_action, name="webhook-test"),
    path("render/webhooks/<str:webhook_id>/status", views.webhook_status_action, name="webhook-status"),
    path("render/webhooks/<str:webhook_id>/rotate", views.webhook_rotate_action, name="webhook-rotate"),
    path("render/webhooks/<str:webhook_id>/deliveries/<str:delivery_id>/resend", views.delivery_resend_action,
         name="webhook-resend"),
]
