from channels.auth import AuthMiddlewareStack
from django.urls import path

from rendering.consumers import RendersConsumer

websocket_urlpatterns = [
    path("ws/renders", AuthMiddlewareStack(RendersConsumer.as_asgi())),
]
