"""Dashboard pages: /render/webhooks (+ the panel the tokens page includes) and the delivery
log of one destination, in English and Arabic; form actions; secret shown once; tenants."""
import re

import pytest
from django.template import RequestContext, Template
from django.test import Client, RequestFactory

from webhooks.models import Delivery, WebhookEndpoint
from webhooks.services import delivery_attempt, endpoint_create, event_emit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = []


@pytest.fixture
def browser_client(owner):
    c = Client()
    c.force_login(owner)
    return c


def test_pages_need_login():
    r = Client().get("/render/webhooks")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert Client().post("/render/webhooks/actions/create", {"url": "https://8.8.8.8/"}).status_code == 302
    assert WebhookEndpoint.objects.count() == 0


def test_add_destination_shows_the_secret_once(browser_client, owner):
    r = browser_client.post("/render/webhooks/actions/create",
                            {"url": "https://8.8.8.8/in", "events": ["render.completed", "render.failed"]})
    assert r.status_code == 302 and r["Location"] == "/render/webhooks"
    endpoint = WebhookEndpoint.objects.get(account=owner)
    assert endpoint.events == ["render.completed", "render.failed"]
    page = browser_client.get("/render/webhooks").content.decode()
    assert endpoint.secret in page and "https://8.8.8.8/in" in page
    again = browser_client.get("/render/webhooks").content.decode()
    assert endpoint.secret not in again and "https://8.8.8.8/in" in again


def test_unsafe_destination_is_refused_with_a_message(browser_client):
    r = browser_client.post("/render/webhooks/actions/create", {"url": "https://127.0.0.1/x",
                                                                "events": ["render.completed"]}, follow=True)
    assert WebhookEndpoint.objects.count() == 0
    assert "loopback" in r.content.decode()


def test_test_delete_resend_and_rotate_from_the_page(browser_client, owner):
    endpoint, _ = endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    assert browser_client.post(f"/render/webhooks/{endpoint.id}/test").status_code == 302
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event.type == "webhook.test"
    r = browser_client.post(f"/render/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend",
                            {"next": f"/render/webhooks/{endpoint.id}"})
    assert r["Location"] == f"/render/webhooks/{endpoint.id}"
    assert Delivery.objects.filter(endpoint=endpoint).count() == 2
    old = endpoint.secret
    browser_client.post(f"/render/webhooks/{endpoint.id}/rotate", {"next": f"/render/webhooks/{endpoint.id}"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in browser_client.get(f"/render/webhooks/{endpoint.id}").content.decode()
    # An off-site `next` is ignored.
    r = browser_client.post(f"/render/webhooks/{endpoint.id}/test", {"next": "https://evil.example/"})
    assert r["Location"] == "/render/webhooks"
    browser_client.post(f"/render/webhooks/{endpoint.id}/status", {"status": "disabled"})
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    assert "Enable" in browser_client.get("/render/webhooks").content.decode()
    browser_client.post(f"/render/webhooks/{endpoint.id}/status", {"status": "active"})
    endpoint.refresh_from_db()
    assert endpoint.status == "active"
    browser_client.post(f"/render/webhooks/{endpoint.id}/delete")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_delivery_log_shows_every_attempt(browser_client, owner, settings, monkeypatch):
    from webhooks import tasks

    monkeypatch.setattr(tasks.deliver, "apply_async", lambda *a, **k: None)
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0]
    from core.tests.tlsserver import LocalServer

    with LocalServer(handler=lambda r, i: (500 if i == 0 else 200, {}, "خطأ مؤقت" if i == 0 else "ok")) as srv:
        endpoint, _ = endpoint_create(account=owner, url=srv.url("/in"), events=["render.completed"])
        event = event_emit(account=owner, type="render.completed", data={"generationId": "gen_1"})
        delivery = event.deliveries.get()
        delivery_attempt(delivery_id=delivery.id)
        delivery_attempt(delivery_id=delivery.id)
    html = browser_client.get(f"/render/webhooks/{endpoint.id}").content.decode()
    assert event.id in html and "render.completed" in html
    assert ">500<" in html and ">200<" in html and "خطأ مؤقت" in html
    assert re.search(r"\d+ ms", html)


def test_outsider_cannot_see_or_touch_a_destination(owner, outsider):
    endpoint, _ = endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    event_emit(account=owner, type="render.completed", data={})
    delivery = Delivery.objects.get(endpoint=endpoint)
    c = Client()
    c.force_login(outsider)
    assert c.get(f"/render/webhooks/{endpoint.id}").status_code == 404
    assert "8.8.8.8" not in c.get("/render/webhooks").content.decode()
    c.post(f"/render/webhooks/{endpoint.id}/status", {"status": "disabled"})
    for path in (f"/render/webhooks/{endpoint.id}/test", f"/render/webhooks/{endpoint.id}/rotate",
                 f"/render/webhooks/{endpoint.id}/delete",
                 f"/render/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend"):
        c.post(path)
    endpoint.refresh_from_db()
    assert Delivery.objects.filter(endpoint=endpoint).count() == 1 and endpoint.previous_secret == ""
    assert endpoint.status == "active"


def test_arabic_page(browser_client, owner):
    endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    browser_client.cookies["django_language"] = "ar"
    html = browser_client.get("/render/webhooks", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "إرسال حدث تجريبي" in html and "سجل التسليم" in html
    assert 'dir="rtl"' in html or "rtl" in html


def test_the_panel_tag_renders_the_section(owner):
    endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    request = RequestFactory().get("/render/webhooks")
    request.user = owner
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    html = Template("{% load webhooks_ui %}{% webhooks_panel %}").render(RequestContext(request, {}))
    assert 'id="webhooks"' in html and "https://8.8.8.8/in" in html and "/render/webhooks/actions/create" in html
    assert 'name="next" value="/render/webhooks"' in html


def test_the_webhooks_list_exists_once(browser_client, owner):
    """#15: the API tokens page repeated the whole webhooks list; it lives on /render/webhooks only."""
    endpoint_create(account=owner, url="https://8.8.8.8/in", events=["render.completed"])
    tokens_page = browser_client.get("/render/api-tokens").content.decode()
    assert 'data-testid="webhooks-panel"' not in tokens_page and "https://8.8.8.8/in" not in tokens_page
    webhooks_page = browser_client.get("/render/webhooks").content.decode()
    assert webhooks_page.count('data-testid="webhooks-panel"') == 1 and "https://8.8.8.8/in" in webhooks_page


def test_the_form_says_what_the_server_accepts(browser_client, owner, settings):
    """#15: the form said "https only"; it now refuses http:// in the browser too, and on a
    development server that accepts http:// (AUDOME_ALLOW_PRIVATE_URLS) the label says so."""
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    html = browser_client.get("/render/webhooks").content.decode()
    assert "Destination URL (https only)" in html and 'pattern="[Hh][Tt][Tt][Pp][Ss]://.+"' in html
    r = browser_client.post("/render/webhooks/actions/create", {"url": "http://example.com/hook",
                                                                 "events": ["render.completed"]}, follow=True)
    assert "https://" in r.content.decode() and not WebhookEndpoint.objects.filter(account=owner).exists()
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    html = browser_client.get("/render/webhooks").content.decode()
    assert "(https only)" not in html and "also accepts http://" in html
