"""/ws/studio/<projectId>: authenticated by session or embed token, origin-checked, forwards only
this project's events, and never another account's."""
import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from accounts.models import EmbedSession
from config.asgi import application
from core.live import account_group, live_send, project_group

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def session_cookie(account) -> bytes:
    client = Client()
    client.force_login(account)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def run(coro_fn, *args):
    """Run an async scenario on its own event loop in a worker thread: the main thread may already
    hold a loop (Playwright's sync API in the browser tests of the same session)."""
    async def scenario():
        try:
            return await coro_fn(*args)
        finally:
            # The executor thread that ran the ORM keeps its connection: close it, or the test
            # database can't be dropped at the end of the session.
            await sync_to_async(connections.close_all)()

    def run_in_own_loop():
        # Like asyncio.run, but the clean-up gives tasks channels' internals leave behind
        # (a blocking channel-layer receive) 5 s to finish instead of waiting forever.
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(scenario())
        finally:
            leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.wait(leftovers, timeout=5))
            loop.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_in_own_loop).result(timeout=120)


async def receive(comm, timeout=3):
    return json.loads(await comm.receive_from(timeout=timeout))


def mint(api, **body):
    r = api.post("/api/embed/sessions", body)
    assert r.status_code == 201, r.content
    return r.json()["token"]


def test_session_socket_gets_its_project_events_only(owner, outsider, project, other_project, outsider_project):
    cookie = session_cookie(owner)

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN, (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert connected
        assert (await receive(comm)) == {"type": "ready", "projectId": str(project.pk)}
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        send = lambda group, event, payload: layer.group_send(group, {"type": "live.event", "event": event, "payload": payload})  # noqa: E731
        # Another account's render and project: nothing arrives.
        await send(account_group(outsider.pk), "generation.updated", {"generationId": "gen_x", "projectId": str(outsider_project.pk), "status": "completed"})
        await send(project_group(outsider_project.pk), "project.updated", {"id": str(outsider_project.pk)})
        # Our account's render of another project: not this Studio's business.
        await send(account_group(owner.pk), "generation.updated", {"generationId": "gen_o", "projectId": str(other_project.pk), "status": "completed"})
        # Something that isn't forwarded at all.
        await send(account_group(owner.pk), "credits.changed", {"balance": 1})
        assert await comm.receive_nothing(timeout=0.5)
        await send(account_group(owner.pk), "generation.updated", {"generationId": "gen_1", "projectId": str(project.pk), "status": "processing"})
        assert (await receive(comm)) == {"type": "generation.updated", "payload": {"generationId": "gen_1", "projectId": str(project.pk), "status": "processing"}}
        await send(project_group(project.pk), "project.updated", {"id": str(project.pk), "updatedAt": "2026-01-01T00:00:00.000Z"})
        assert (await receive(comm))["type"] == "project.updated"
        await comm.disconnect()

    run(scenario)


def test_live_send_helper_reaches_the_socket(owner, project):
    cookie = session_cookie(owner)

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN, (b"cookie", cookie)])
        await comm.connect()
        await receive(comm)
        from channels.db import database_sync_to_async as sync_to_async

        await sync_to_async(live_send)(project_group(project.pk), "project.updated", {"id": str(project.pk), "name": "New"})
        msg = await receive(comm)
        assert msg == {"type": "project.updated", "payload": {"id": str(project.pk), "name": "New"}}
        await comm.disconnect()

    run(scenario)


def test_embed_token_in_first_message(api, project):
    token = mint(api, projectId=str(project.pk))

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN])
        connected, _ = await comm.connect()
        assert connected
        assert await comm.receive_nothing(timeout=0.3)  # nothing before auth
        await comm.send_to(text_data=json.dumps({"type": "auth", "token": token}))
        assert (await receive(comm))["type"] == "ready"
        await comm.disconnect()

    run(scenario)


def test_embed_token_restricted_to_another_project_is_refused(api, project, other_project):
    token = mint(api, projectId=str(other_project.pk))

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN])
        await comm.connect()
        await comm.send_to(text_data=json.dumps({"type": "auth", "token": token}))
        msg = await receive(comm)
        assert msg["type"] == "error" and msg["code"] == "PROJECT_NOT_FOUND"
        assert (await comm.receive_output(timeout=2))["type"] == "websocket.close"

    run(scenario)


@pytest.mark.parametrize("kind", ["expired", "api-token", "garbage", "outsider-session"])
def test_bad_credentials_are_refused(api, owner, outsider, project, kind):
    async def scenario(first_message, headers):
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN, *headers])
        await comm.connect()
        if first_message:
            await comm.send_to(text_data=json.dumps(first_message))
        msg = await receive(comm)
        assert msg["type"] == "error"
        assert (await comm.receive_output(timeout=2))["type"] == "websocket.close"

    if kind == "expired":
        token = mint(api, projectId=str(project.pk))
        EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        run(scenario, {"type": "auth", "token": token}, [])
    elif kind == "api-token":
        run(scenario, {"type": "auth", "token": api.plain_token}, [])
    elif kind == "garbage":
        run(scenario, {"type": "auth", "token": "aud_es_nope"}, [])
    else:
        run(scenario, None, [(b"cookie", session_cookie(outsider))])


def test_foreign_origin_is_refused(owner, project):
    cookie = session_cookie(owner)

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert not connected

    run(scenario)


def test_embed_socket_closes_when_the_session_expires(api, project):
    token = mint(api, projectId=str(project.pk))

    async def scenario():
        comm = WebsocketCommunicator(application, f"/ws/studio/{project.pk}", headers=[ORIGIN])
        await comm.connect()
        await comm.send_to(text_data=json.dumps({"type": "auth", "token": token}))
        assert (await receive(comm))["type"] == "ready"
        from channels.db import database_sync_to_async as sync_to_async

        await sync_to_async(lambda: EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1)))()
        await sync_to_async(live_send)(project_group(project.pk), "project.updated", {"id": str(project.pk)})
        msg = await receive(comm)
        assert msg == {"type": "error", "code": "TOKEN_EXPIRED", "message": "The embed session expired."}
        assert (await comm.receive_output(timeout=2))["type"] == "websocket.close"

    run(scenario)
