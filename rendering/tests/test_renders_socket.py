"""/ws/renders (the dashboard's Renders page): the session's own account's render events only;
no session, no events; a cross-site Origin is refused by the router."""
import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.live import account_group
from embed.tests.test_consumers import ORIGIN, receive, run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _send(group, event, payload):
    return get_channel_layer().group_send(group, {"type": "live.event", "event": event, "payload": payload})


def test_own_render_events_only(owner, outsider):
    cookie = session_cookie(owner)

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/renders", headers=[ORIGIN, (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert connected and (await receive(comm)) == {"type": "ready"}
        await _send(account_group(outsider.pk), "generation.updated", {"generationId": "gen_theirs", "status": "completed"})
        await _send(account_group(owner.pk), "project.updated", {"id": "p"})  # not a render event
        assert await comm.receive_nothing(timeout=0.5)
        await _send(account_group(owner.pk), "generation.updated", {"generationId": "gen_mine", "status": "completed"})
        assert (await receive(comm)) == {"type": "generation.updated",
                                         "payload": {"generationId": "gen_mine", "status": "completed"}}
        await _send(account_group(owner.pk), "generation.deleted", {"generationId": "gen_mine"})
        assert (await receive(comm))["type"] == "generation.deleted"
        await comm.disconnect()

    run(scenario)


def test_no_session_no_events(owner):
    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/renders", headers=[ORIGIN])
        connected, _ = await comm.connect()
        assert connected
        assert (await receive(comm))["code"] == "UNAUTHORIZED"
        assert (await comm.receive_output(timeout=3))["code"] == 4401
        await comm.disconnect()

    run(scenario)


def test_another_origin_is_refused(owner):
    cookie = session_cookie(owner)

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/renders",
                                     headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert not connected

    run(scenario)
