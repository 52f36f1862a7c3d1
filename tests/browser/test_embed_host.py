"""The Embed SDK on a customer page served from another origin (embed.demo_host on localhost:<port>
while Audome is 127.0.0.1:<port>): events reach the host with the right payloads and origin,
the handle drives the Studio, readOnly hides save/export, an expired token reaches onError,
and frame-ancestors keeps the Studio out of sites the session doesn't name."""
from datetime import timedelta

import pytest
from django.utils import timezone

from embed.testing import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOC = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "title", "type": "text", "x": 40, "y": 40, "width": 520, "height": 120, "dynamicKey": "title",
         "text": "Hello", "style": {"fontFamily": "Noto Sans", "fontSize": 48, "color": "#ffffff"}},
    ],
}


@pytest.fixture
def card(owner):
    from projects.models import Project

    return Project.objects.create(account=owner, name="Card", width=600, height=300, document=DOC)


@pytest.fixture
def host(demo_host, owner):
    """The demo host's server mints sessions with a render-only API token of the owner."""
    from accounts.services import token_create

    url, token_file = demo_host
    _token, plain = token_create(account=owner, name="demo host", scope="render-only")
    token_file.write_text(plain)
    return url


@pytest.fixture
def host_page(chromium):
    contexts = []

    def open_page(url):
        context = chromium.new_context(viewport={"width": 1600, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log(page) -> list[dict]:
    return page.evaluate("window.__audomeLog || []")


def wait_event(page, via: str, type_: str, timeout: float = 30_000) -> dict:
    page.wait_for_function(
        "([via, type]) => (window.__audomeLog || []).some(e => e.via === via && e.type === type)",
        arg=[via, type_], timeout=timeout,
    )
    return [e for e in log(page) if e["via"] == via and e["type"] == type_][-1]


def studio_frame(page):
    return page.frame_locator("iframe[data-audome-studio]")


def test_ready_and_save_events_reach_the_host_with_origin_and_payload(host, card, host_page, asgi_live_server):
    page = host_page(f"{host}/?projectId={card.pk}")
    assert page.url.startswith("http://localhost:")
    ready = wait_event(page, "message", "studio:ready")
    assert ready["origin"] == asgi_live_server  # the Studio's origin, not the host's
    assert ready["payload"]["projectId"] == str(card.pk) and ready["payload"]["readOnly"] is False
    wait_event(page, "callback", "onReady")

    frame = studio_frame(page)
    frame.get_by_test_id("live").filter(has_text="Live").wait_for()  # WebSocket authenticated by the embed token
    frame.get_by_test_id("add-text").click()
    frame.get_by_test_id("save").click()
    saved = wait_event(page, "message", "project:save")
    assert saved["origin"] == asgi_live_server
    assert saved["payload"] == {"id": str(card.pk), "name": "Card"}
    assert wait_event(page, "callback", "onProjectSave")["payload"] == {"id": str(card.pk), "name": "Card"}
    card.refresh_from_db()
    assert len(card.document["elements"]) == 2

    # The handle drives the Studio through postMessage.
    page.evaluate("window.__audomeHandle.setLocale('ar')")
    frame.locator("html[dir=rtl][lang=ar]").wait_for()
    page.evaluate("window.__audomeHandle.setTheme('light')")
    frame.locator("html[data-theme=light]").wait_for()
    # Only Audome's messages were logged, and nothing claimed to come from elsewhere.
    assert {e["origin"] for e in log(page) if e["via"] == "message"} == {asgi_live_server}
    # A project the session doesn't cover is refused (the session is locked to `card`).
    assert not any(e["type"] == "onError" for e in log(page))


def test_render_complete_and_export_image(host, card, host_page, asgi_live_server, render_worker):
    page = host_page(f"{host}/?projectId={card.pk}")
    wait_event(page, "message", "studio:ready")
    frame = studio_frame(page)
    frame.get_by_test_id("live").filter(has_text="Live").wait_for()
    frame.get_by_test_id("tab-data").click()
    frame.get_by_test_id("data-title").fill("From the embed")
    frame.get_by_test_id("render").click()
    done = wait_event(page, "message", "render:complete", timeout=90_000)
    assert done["origin"] == asgi_live_server
    payload = done["payload"]
    assert payload["imageUrl"].startswith(asgi_live_server + "/") and payload["projectId"] == str(card.pk)
    assert (payload["width"], payload["height"], payload["format"]) == (600, 300, "png")
    assert wait_event(page, "callback", "onRender")["payload"] == payload["imageUrl"]
    frame.get_by_test_id("render-image").wait_for()

    url = page.evaluate("window.__audomeHandle.exportImage({ format: 'jpeg' })")
    assert url.startswith(asgi_live_server + "/") and url.endswith((".jpg", ".jpeg"))


def test_read_only_hides_save_and_export(host, card, host_page):
    page = host_page(f"{host}/?projectId={card.pk}&readOnly=1")
    ready = wait_event(page, "message", "studio:ready")
    assert ready["payload"]["readOnly"] is True
    frame = studio_frame(page)
    frame.get_by_test_id("studio").wait_for()
    assert frame.get_by_test_id("save").count() == 0
    assert frame.get_by_test_id("render").count() == 0
    frame.locator(".chip", has_text="View only").wait_for()
    with pytest.raises(Exception, match="FORBIDDEN|view-only"):
        page.evaluate("window.__audomeHandle.exportImage().catch(e => { throw new Error(e.code + ': ' + e.message) })")


def test_an_expired_token_reaches_on_error(api, card, host, host_page):
    from accounts.models import EmbedSession

    token = api.post("/api/embed/sessions", {"projectId": str(card.pk)}).json()["token"]
    EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = host_page(f"{host}/?token={token}")
    error = wait_event(page, "callback", "onError")
    assert error["payload"]["code"] == "TOKEN_EXPIRED"
    assert "expired" in error["payload"]["message"]
    assert not any(e["type"] == "studio:ready" for e in log(page))
    studio_frame(page).get_by_test_id("fatal").wait_for()


def test_frame_ancestors_keeps_the_studio_off_other_sites(api, card, host, host_page):
    token = api.post("/api/embed/sessions", {"projectId": str(card.pk), "allowedOrigins": ["https://shop.example"]}).json()["token"]
    page = host_page(f"{host}/?token={token}")
    frame = page.frame_locator("iframe[data-audome-studio]")
    # Chromium refuses to show the page: the frame never holds the Studio and no event arrives.
    page.wait_for_timeout(2500)
    assert frame.locator("[data-testid=studio]").count() == 0
    assert log(page) == []


def test_a_category_session_creates_projects_in_its_category(owner, host, host_page, card):
    from projects.models import Category, Project

    category = Category.objects.create(account=owner, name="Campaign")
    inside = Project.objects.create(account=owner, name="Inside", width=400, height=400, category=category,
                                    document={"version": 1, "elements": []})
    page = host_page(f"{host}/?categoryId={category.pk}")
    wait_event(page, "message", "studio:ready")
    frame = studio_frame(page)
    picker = frame.get_by_test_id("picker")
    picker.locator(f"[data-project-id='{inside.pk}']").wait_for()
    assert picker.locator(f"[data-project-id='{card.pk}']").count() == 0  # outside the category
    frame.get_by_test_id("new-project").click()
    frame.get_by_test_id("new-name").fill("Made in the embed")
    frame.get_by_test_id("create-project").click()
    created = wait_event(page, "message", "project:create")
    project = Project.objects.get(account=owner, name="Made in the embed")
    assert created["payload"] == {"id": str(project.pk), "name": "Made in the embed"}
    assert project.category_id == category.pk
    assert wait_event(page, "callback", "onProjectCreate")["payload"] == created["payload"]
    frame.get_by_test_id("add-text").wait_for()


def test_the_sdk_ignores_look_alike_messages_from_other_origins(host, card, host_page):
    page = host_page(f"{host}/?projectId={card.pk}")
    wait_event(page, "message", "studio:ready")
    # The host page itself (another origin than Audome) forges Studio events: nothing reacts.
    page.evaluate("""() => {
        window.postMessage({ source: 'audome', type: 'render:complete', payload: { imageUrl: 'https://evil.example/x.png' } }, '*');
        window.postMessage({ source: 'audome', type: 'studio:error', payload: { code: 'FAKE', message: 'forged' } }, '*');
    }""")
    page.wait_for_timeout(500)
    assert not any(e["type"] in ("onRender", "onError", "render:complete", "studio:error") for e in log(page))
    # A handle call still works: the real channel is intact.
    page.evaluate("window.__audomeHandle.setTheme('light')")
    studio_frame(page).locator("html[data-theme=light]").wait_for()


def test_the_sdk_throws_on_a_missing_container_or_token(host, card, host_page):
    page = host_page(f"{host}/?projectId={card.pk}")
    wait_event(page, "message", "studio:ready")
    message = page.evaluate("""() => { try { AudomeEmbed.studio({ container: '#nope', token: 'x' }); } catch (e) { return e.message; } }""")
    assert "container" in message
    message = page.evaluate("""() => { try { AudomeEmbed.studio({ container: document.body, token: '' }); } catch (e) { return e.message; } }""")
    assert "token" in message
