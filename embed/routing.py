from channels.auth import AuthMiddlewareStack
from django.urls import path

from embed.consumers import StudioConsumer

websocket_urlpatterns = [
    path("ws/studio/<str:project_id>", AuthMiddlewareStack(StudioConsumer.as_asgi())),
]
