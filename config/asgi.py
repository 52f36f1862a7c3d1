"""ASGI entry point: HTTP through Django, WebSocket through Channels."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from core.middleware import AsgiBodyLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": AsgiBodyLimit(django_asgi_app),  # 413 before a too-large body is spooled to disk
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
