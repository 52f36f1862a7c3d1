"""/ws/renders: the dashboard's Renders page hears about the account's renders as they change.
Like the Studio's socket (embed.consumers) it only authenticates, joins a group and pushes:
the dashboard session (cookie) is the only credential; the router checks the Origin.
Frames to the client: {"type": "ready"} then {"type": "generation.updated"|"generation.deleted",
"payload": {…}} — the payload is rendering.serializers.generation_to_dict's shape — and
"batch.updated" (batches.serializers.batch_to_dict's shape) for the Batch page."""
import json

from channels.generic.websocket import AsyncWebsocketConsumer

from core.live import account_group

FORWARDED = ("generation.updated", "generation.deleted", "batch.updated")
UNAUTHORIZED_CLOSE = 4401


class RendersConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = None
        user = self.scope.get("user")
        await self.accept()
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            await self.send(json.dumps({"type": "error", "code": "UNAUTHORIZED", "message": "Not authenticated."}))
            await self.close(code=UNAUTHORIZED_CLOSE)
            return
        self.group = account_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send(json.dumps({"type": "ready"}))

    async def receive(self, text_data=None, bytes_data=None):
        if text_data and '"ping"' in text_data:
            await self.send(json.dumps({"type": "pong"}))

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def live_event(self, message):
        if message.get("event") in FORWARDED:
            await self.send(json.dumps({"type": message["event"], "payload": message.get("payload") or {}}))
