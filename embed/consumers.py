"""/ws/studio/<projectId>: one socket per open Studio. It only authenticates, joins groups and
pushes; every write goes through the REST API.

Auth: the dashboard's session cookie, or — inside the embed — the `aud_es_…` token sent in the
first message `{"type": "auth", "token": "…"}` (never in the URL). Until then nothing is sent.
The Origin header is checked by the ASGI router (AllowedHostsOriginValidator) and again here.
Frames to the client: {"type": "ready", "projectId"} then {"type": <event>, "payload": {…}}
for `project.updated` (this project) and `generation.updated` (this project's renders only)."""
import json
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from accounts.models import EmbedSession
from accounts.services import credential_authenticate
from core.auth import SESSION, Credential
from core.live import account_group, project_group
from embed.selectors import studio_project_get

AUTH_TIMEOUT_CLOSE = 4401
NOT_FOUND_CLOSE = 4404
FORWARDED = ("project.updated", "generation.updated")


def _origin_ok(scope) -> bool:
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin:
        return False
    host = (urlsplit(origin).hostname or "").lower()
    allowed = [h.lower() for h in settings.ALLOWED_HOSTS]
    public = (urlsplit(settings.PUBLIC_BASE_URL).hostname or "").lower()
    return "*" in allowed or host == public or any(
        host == h or (h.startswith(".") and (host.endswith(h) or host == h[1:])) for h in allowed
    )


@database_sync_to_async
def _authorize(user, token: str | None, project_id: str):
    """(account, credential, project id) for a session user or an embed token, or None."""
    credential: Credential | None
    if token is not None:
        credential = credential_authenticate(token)
        # Only embed sessions may authenticate a socket with a token; API tokens belong on servers.
        if not isinstance(credential, EmbedSession):
            return None
        account = credential.account
    elif user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        credential, account = SESSION, user
    else:
        return None
    project = studio_project_get(account=account, credential=credential, project_id=project_id)
    if project is None:
        return "not-found"
    return account, credential, str(project.pk)


@database_sync_to_async
def _embed_still_valid(session_id: str) -> bool:
    """Re-read on every event: an embed session that expired (or was cut short) stops pushing."""
    return EmbedSession.objects.filter(pk=session_id, expires_at__gt=timezone.now()).exists()


class StudioConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []

    async def connect(self):
        self.project_id = self.scope["url_route"]["kwargs"]["project_id"]
        self.joined: list[str] = []
        self.credential = None
        if not _origin_ok(self.scope):
            await self.close(code=4403)
            return
        await self.accept()
        user = self.scope.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            await self._authenticate(user=user, token=None)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "{}")
        except ValueError:
            message = {}
        if not isinstance(message, dict):
            message = {}
        kind = message.get("type")
        if kind == "auth" and self.credential is None:
            token = message.get("token")
            await self._authenticate(user=None, token=token if isinstance(token, str) else "")
        elif kind == "ping":
            await self.send(json.dumps({"type": "pong"}))

    async def _authenticate(self, *, user, token):
        result = await _authorize(user, token, self.project_id)
        if result is None:
            await self.send(json.dumps({"type": "error", "code": "UNAUTHORIZED", "message": "Not authenticated."}))
            await self.close(code=AUTH_TIMEOUT_CLOSE)
            return
        if result == "not-found":
            await self.send(json.dumps({"type": "error", "code": "PROJECT_NOT_FOUND", "message": "Project not found."}))
            await self.close(code=NOT_FOUND_CLOSE)
            return
        account, self.credential, self.project_id = result
        self.account_id = str(account.pk)
        for group in (project_group(self.project_id), account_group(self.account_id)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.send(json.dumps({"type": "ready", "projectId": self.project_id}))

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def live_event(self, message):
        event = message.get("event")
        payload = message.get("payload") or {}
        if event not in FORWARDED or self.credential is None:
            return
        if self.credential.kind == "embed" and not await _embed_still_valid(self.credential.pk):
            await self.send(json.dumps({"type": "error", "code": "TOKEN_EXPIRED", "message": "The embed session expired."}))
            await self.close(code=AUTH_TIMEOUT_CLOSE)
            return
        # The project group carries only this project; the account group carries every render
        # of the account, of which this Studio sees only its own project's.
        if event == "generation.updated" and str(payload.get("projectId") or "") != self.project_id:
            return
        await self.send(json.dumps({"type": event, "payload": payload}))
