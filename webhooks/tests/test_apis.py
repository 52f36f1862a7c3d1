"""/api/webhooks (contract §5): shapes, validation, SSRF at save, the cap, scopes, tenants."""
import socket

import pytest

from conftest import client_for
from webhooks.models import Delivery, DeliveryStatus, Event, WebhookEndpoint

pytestmark = pytest.mark.django_db

GOOD_URL = "https://8.8.8.8/hooks/audome"  # a public literal: no DNS needed


@pytest.fixture(autouse=True)
def _strict(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = []


def create(api, url=GOOD_URL, events=("render.completed",)):
    return api.post("/api/webhooks", {"url": url, "events": list(events)})


def test_create_returns_201_with_secret_once_and_list_shows_it_without(api, owner):
    r = create(api, events=["render.completed", "render.failed"])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["success"] is True
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    hook = body["webhook"]
    assert hook["id"] == body["id"] and hook["url"] == GOOD_URL
    assert hook["events"] == ["render.completed", "render.failed"]
    assert hook["status"] == "active" and hook["failureCount"] == 0
    assert hook["lastTriggeredAt"] is None and hook["lastSuccessAt"] is None
    assert hook["createdAt"].endswith("Z")

    listing = api.get("/api/webhooks")
    assert listing.status_code == 200
    hooks = listing.json()["webhooks"]
    assert [h["id"] for h in hooks] == [hook["id"]]
    assert set(hooks[0]) == {"id", "url", "events", "status", "createdAt", "lastTriggeredAt", "lastSuccessAt",
                             "failureCount"}
    assert body["secret"] not in listing.content.decode()
    assert WebhookEndpoint.objects.get(pk=hook["id"]).account == owner


@pytest.mark.parametrize("url", [
    "http://8.8.8.8/hook", "ftp://8.8.8.8/", "https://127.0.0.1/hook", "https://localhost/hook",
    "https://[::1]/hook", "https://10.0.0.8/hook", "https://192.168.0.1/", "https://172.20.1.1/",
    "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/", "https://100.100.100.200/",
    "https://2130706433/", "https://0x7f000001/", "https://0x7f.1/", "https://0177.0.0.1/", "https://127.1/",
    "https://[::ffff:127.0.0.1]/", "https://user:pw@8.8.8.8/", "not a url", "",
])
def test_unsafe_urls_are_refused_at_save_and_nothing_is_created(api, url):
    r = create(api, url=url)
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == "VALIDATION_FAILED"
    assert "url" in r.json()["details"]
    assert WebhookEndpoint.objects.count() == 0


def test_name_that_resolves_to_loopback_is_refused(api, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "sneaky.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    r = create(api, url="https://sneaky.example.test/hook")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert "loopback" in r.json()["details"]["url"][0]
    assert WebhookEndpoint.objects.count() == 0


def test_private_urls_setting_allows_http_loopback_but_not_metadata(api, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    assert create(api, url="http://127.0.0.1:9/hook").status_code == 201
    r = create(api, url="http://169.254.169.254/")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"


@pytest.mark.parametrize("events", [[], ["render.done"], "render.completed", [1], ["render.completed", "nope"]])
def test_events_must_be_known_types(api, events):
    r = api.post("/api/webhooks", {"url": GOOD_URL, "events": events})
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert "events" in r.json()["details"]
    assert WebhookEndpoint.objects.count() == 0


def test_every_contract_event_type_can_be_subscribed(api):
    types = ["render.completed", "render.failed", "token.created", "token.revoked", "credits.exhausted",
             "video.completed", "video.failed", "webhook.test"]
    r = create(api, events=types)
    assert r.status_code == 201 and r.json()["webhook"]["events"] == types


def test_at_most_five_per_account(api, outsider_api):
    for i in range(5):
        assert create(api, url=f"https://8.8.8.{i + 1}/h").status_code == 201
    r = create(api, url="https://8.8.4.4/h")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert WebhookEndpoint.objects.filter(account__email="owner@example.com").count() == 5
    # The cap is per account.
    assert create(outsider_api).status_code == 201
    # Deleting one makes room again.
    first = api.get("/api/webhooks").json()["webhooks"][0]["id"]
    assert api.delete(f"/api/webhooks/{first}").status_code == 200
    assert create(api, url="https://8.8.4.4/h").status_code == 201


def test_delete(api):
    hook = create(api).json()["webhook"]
    r = api.delete(f"/api/webhooks/{hook['id']}")
    assert r.status_code == 200 and r.json()["success"] is True
    assert api.get("/api/webhooks").json()["webhooks"] == []
    assert api.delete(f"/api/webhooks/{hook['id']}").json()["code"] == "NOT_FOUND"


def test_test_event_creates_one_delivery_to_this_destination_only(api):
    a = create(api, events=["render.completed"]).json()["webhook"]
    create(api, url="https://8.8.4.4/other", events=["webhook.test"])
    r = api.post(f"/api/webhooks/{a['id']}/test")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["eventId"].startswith("evt_")
    assert body["delivery"]["eventType"] == "webhook.test" and body["delivery"]["status"] == "pending"
    deliveries = Delivery.objects.filter(event_id=body["eventId"])
    assert [d.endpoint_id for d in deliveries] == [a["id"]]
    assert Event.objects.get(pk=body["eventId"]).type == "webhook.test"


def test_rotate_secret_returns_a_new_one_and_keeps_the_old_for_24h(api):
    created = create(api).json()
    r = api.post(f"/api/webhooks/{created['id']}/rotate-secret")
    assert r.status_code == 200, r.json()
    new = r.json()["secret"]
    assert new.startswith("whsec_") and new != created["secret"]
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.secret == new and endpoint.previous_secret == created["secret"]
    hours = (endpoint.previous_secret_expires_at - endpoint.updated_at).total_seconds() / 3600
    assert 23.9 < hours < 24.1


def test_deliveries_are_listed_with_pagination_and_resend_makes_a_new_delivery(api):
    hook = create(api).json()["webhook"]
    for _ in range(3):
        api.post(f"/api/webhooks/{hook['id']}/test")
    r = api.get(f"/api/webhooks/{hook['id']}/deliveries?limit=2")
    assert r.status_code == 200
    body = r.json()
    assert body["pagination"] == {"page": 1, "limit": 2, "totalCount": 3, "totalPages": 2, "hasNext": True}
    first = body["deliveries"][0]
    assert first["status"] == "pending" and first["attempts"] == [] and first["attemptCount"] == 0
    assert first["nextRetryAt"] is not None
    page2 = api.get(f"/api/webhooks/{hook['id']}/deliveries?page=2&limit=2").json()
    assert len(page2["deliveries"]) == 1 and page2["pagination"]["hasNext"] is False
    assert api.get(f"/api/webhooks/{hook['id']}/deliveries?limit=500").json()["code"] == "VALIDATION_FAILED"

    r = api.post(f"/api/webhooks/{hook['id']}/deliveries/{first['id']}/resend")
    assert r.status_code == 200, r.json()
    again = r.json()["delivery"]
    assert again["id"] != first["id"] and again["eventId"] == first["eventId"]
    assert again["redeliveryOf"] == first["id"]
    assert Delivery.objects.filter(event_id=first["eventId"]).count() == 2


def test_outsider_gets_404_everywhere_and_nothing_changes(api, outsider_api):
    created = create(api).json()
    hook_id = created["id"]
    api.post(f"/api/webhooks/{hook_id}/test")
    delivery_id = Delivery.objects.get(endpoint_id=hook_id).id
    before = (WebhookEndpoint.objects.get(pk=hook_id).secret, Delivery.objects.count(), Event.objects.count())

    calls = [
        ("get", f"/api/webhooks/{hook_id}"),
        ("delete", f"/api/webhooks/{hook_id}"),
        ("post", f"/api/webhooks/{hook_id}/test"),
        ("post", f"/api/webhooks/{hook_id}/rotate-secret"),
        ("get", f"/api/webhooks/{hook_id}/deliveries"),
        ("post", f"/api/webhooks/{hook_id}/deliveries/{delivery_id}/resend"),
    ]
    for method, path in calls:
        r = getattr(outsider_api, method)(path)
        assert r.status_code == 404, (path, r.status_code)
        assert r.json()["code"] == "NOT_FOUND"
    assert outsider_api.get("/api/webhooks").json()["webhooks"] == []
    after = (WebhookEndpoint.objects.get(pk=hook_id).secret, Delivery.objects.count(), Event.objects.count())
    assert before == after
    # And the owner's delivery can't be resent through another endpoint id of the owner either.
    other = create(api, url="https://8.8.4.4/x").json()["id"]
    r = api.post(f"/api/webhooks/{other}/deliveries/{delivery_id}/resend")
    assert r.status_code == 404


def test_unknown_ids_are_404(api):
    for path in ("/api/webhooks/wh_nope", "/api/webhooks/" + "x" * 300 + "/deliveries"):
        assert api.get(path).json()["code"] == "NOT_FOUND"


def test_scopes_and_embed_tokens(owner, api):
    hook = create(api).json()["webhook"]
    reader = client_for(owner, "read-only")
    renderer = client_for(owner, "render-only")
    assert reader.get("/api/webhooks").status_code == 200
    assert reader.get(f"/api/webhooks/{hook['id']}/deliveries").status_code == 200
    for client in (reader, renderer):
        assert create(client).json()["code"] == "FORBIDDEN"
        assert client.delete(f"/api/webhooks/{hook['id']}").json()["code"] == "FORBIDDEN"
        assert client.post(f"/api/webhooks/{hook['id']}/rotate-secret").json()["code"] == "FORBIDDEN"
        assert client.post(f"/api/webhooks/{hook['id']}/test").json()["code"] == "FORBIDDEN"
    assert WebhookEndpoint.objects.count() == 1

    # An embed session token (aud_es_…) can't touch webhooks at all.
    r = api.post("/api/embed/sessions", {})
    assert r.status_code == 201, r.json()
    from conftest import JsonClient

    embed = JsonClient()
    embed.credentials(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    assert embed.get("/api/webhooks").json()["code"] == "FORBIDDEN"
    assert embed.post("/api/webhooks", {"url": GOOD_URL, "events": ["render.completed"]}).json()["code"] == "FORBIDDEN"
    assert WebhookEndpoint.objects.count() == 1


def test_anonymous_is_401_and_bad_json_is_400(anon, api):
    assert anon.get("/api/webhooks").json()["code"] == "UNAUTHORIZED"
    r = api.post("/api/webhooks", "{not json", content_type="application/json")
    assert r.status_code == 400
    r = api.post("/api/webhooks", "[1,2]", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    r = api.post("/api/webhooks", "url=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_delivery_rows_are_created_in_the_same_transaction_as_the_event(api, owner):
    """Outbox: event_emit fans out to subscribed active endpoints; a rollback leaves nothing."""
    from django.db import transaction

    from webhooks.services import event_emit

    wanted = create(api, events=["token.created"]).json()["id"]
    create(api, url="https://8.8.4.4/x", events=["render.completed"])
    try:
        with transaction.atomic():
            event_emit(account=owner, type="token.created", data={"x": 1})
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not Event.objects.filter(type="token.created", data={"x": 1}).exists()
    event = event_emit(account=owner, type="token.created", data={"x": 2})
    assert [d.endpoint_id for d in event.deliveries.all()] == [wanted]
    assert event.deliveries.get().status == DeliveryStatus.PENDING
    # Creating a token through the API emits token.created to the subscribed destination.
    api.post("/api/tokens", {"name": "ci"})
    assert Delivery.objects.filter(endpoint_id=wanted, event__type="token.created").count() == 2


def test_patch_changes_events_status_and_url_with_the_same_checks(api, outsider_api, owner):
    from webhooks.services import event_emit

    hook = create(api).json()["webhook"]
    r = api.patch(f"/api/webhooks/{hook['id']}", {"status": "disabled", "events": ["render.failed"]})
    assert r.status_code == 200, r.json()
    assert r.json()["webhook"]["status"] == "disabled" and r.json()["webhook"]["events"] == ["render.failed"]
    assert event_emit(account=owner, type="render.failed", data={}).deliveries.count() == 0  # disabled: no events
    api.patch(f"/api/webhooks/{hook['id']}", {"status": "active"})
    assert event_emit(account=owner, type="render.failed", data={}).deliveries.count() == 1
    for bad in ({"url": "https://127.0.0.1/"}, {"events": []}, {"status": "paused"}, {"url": "http://8.8.8.8/"}):
        r = api.patch(f"/api/webhooks/{hook['id']}", bad)
        assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED", bad
    r = outsider_api.patch(f"/api/webhooks/{hook['id']}", {"status": "disabled"})
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert api.get(f"/api/webhooks/{hook['id']}").json()["webhook"] == {**hook, "events": ["render.failed"],
                                                                         "lastTriggeredAt": None}


def test_openapi_schema_describes_every_webhook_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    expected = {
        ("/api/webhooks", "get"), ("/api/webhooks", "post"), ("/api/webhooks/{webhook_id}", "get"),
        ("/api/webhooks/{webhook_id}", "patch"), ("/api/webhooks/{webhook_id}", "delete"),
        ("/api/webhooks/{webhook_id}/test", "post"), ("/api/webhooks/{webhook_id}/rotate-secret", "post"),
        ("/api/webhooks/{webhook_id}/deliveries", "get"),
        ("/api/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", "post"),
    }
    for path, method in expected:
        op = paths[path][method]
        assert op["summary"] and op["tags"] == ["Webhooks"], (path, method)
    assert "secret" in schema["components"]["schemas"]["WebhookCreated"]["properties"]


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_at_each_delivery(api, monkeypatch, no_broker):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "hooks.not-yet.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    r = create(api, url="https://hooks.not-yet.test/in")
    assert r.status_code == 201, r.json()
    from webhooks.services import delivery_attempt

    delivery_id = api.post(f"/api/webhooks/{r.json()['id']}/test").json()["delivery"]["id"]
    assert delivery_attempt(delivery_id=delivery_id) == "retrying"
    attempt = Delivery.objects.get(pk=delivery_id).attempts.get()
    assert "does not resolve" in attempt.error


@pytest.mark.parametrize("url", ["https://127.0.0.1.nip.io/hook", "https://app.localtest.me/", "https://10-1-2-3.sslip.io/",
                                 "https://metadata.google.internal/computeMetadata/v1/"])
def test_unresolved_names_that_say_internal_are_refused(api, url, monkeypatch):
    real = socket.getaddrinfo

    def offline(host, *args, **kwargs):
        if host.startswith(("127", "app.", "10-", "metadata")):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    r = create(api, url=url)
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert WebhookEndpoint.objects.count() == 0
