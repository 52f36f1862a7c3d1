"""WebSocket routes of every app, gathered in one list."""
from embed.routing import websocket_urlpatterns as embed_websockets
from rendering.routing import websocket_urlpatterns as rendering_websockets

websocket_urlpatterns: list = [*embed_websockets, *rendering_websockets]
