"""Contract §3: templates and categories through the REST API."""
import uuid

import pytest

from conftest import client_for
from projects.models import Category, Project
from projects.services import demo_project_ensure
from projects.tests.conftest import embed_client

pytestmark = pytest.mark.django_db

DOC = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "el1", "type": "text", "x": 80, "y": 120, "width": 920, "height": 200, "dynamicKey": "title",
         "placeholder": "Title", "text": "Summer sale",
         "style": {"fontFamily": "Noto Sans", "fontSize": 72, "fontWeight": 700, "color": "#ffffff"}},
        {"id": "el2", "type": "image", "x": 0, "y": 400, "width": 1080, "height": 680, "dynamicKey": "hero",
         "src": "https://example.com/hero.jpg", "fit": "cover", "borderRadius": 24},
        {"id": "el3", "type": "shape", "shape": "rect", "x": 40, "y": 40, "width": 200, "height": 8,
         "fill": "#f59e0b"},
    ],
}


def create(client, **body):
    payload = {"name": "Card", "width": 1080, "height": 1080, **body}
    return client.post("/api/render/projects", payload)


def snapshot(project_id):
    row = Project.objects.get(pk=project_id)
    return (row.name, row.width, row.height, row.category_id, row.document, row.updated_at)


# --- create / get --------------------------------------------------------------------------

def test_create_and_get_with_dynamic_elements(api, owner):
    r = create(api, document=DOC)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["success"] is True
    pid = body["id"]
    uuid.UUID(pid)
    assert body["width"] == 1080 and body["categoryId"] is None
    assert body["createdAt"].endswith("Z") and body["updatedAt"].endswith("Z")

    r = api.get(f"/api/render/projects/{pid}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"id", "name", "width", "height", "categoryId", "document", "createdAt", "updatedAt",
                         "dynamicElements"}
    assert body["dynamicElements"] == [
        {"type": "text", "dynamicKey": "title", "defaultValue": "Summer sale", "placeholder": "Title"},
        {"type": "image", "dynamicKey": "hero", "defaultValue": "https://example.com/hero.jpg", "placeholder": ""},
    ]
    assert body["document"]["elements"][2]["fill"] == "#f59e0b"
    assert Project.objects.get(pk=pid).account == owner


def test_create_without_document_gets_empty_canvas(api):
    r = create(api)
    assert r.status_code == 201
    assert r.json()["document"]["elements"] == []
    assert r.json()["dynamicElements"] == []


@pytest.mark.parametrize("body,field", [
    ({"width": 0}, "width"), ({"width": 4097}, "width"), ({"height": -1}, "height"), ({"width": "big"}, "width"),
    ({"width": True}, "width"), ({"name": ""}, "name"), ({"name": "x" * 201}, "name"),
    ({"document": {"version": 1, "elements": [{"id": "a", "type": "blink", "x": 0, "y": 0, "width": 1,
                                               "height": 1}]}}, "elements[0].type"),
    ({"document": {"version": 1, "elements": [{"id": "a", "type": "text", "x": 0, "y": 0, "width": 1,
                                               "height": 1, "style": {"color": "red;x:y"}}]}},
     "elements[0].style.color"),
    ({"surprise": 1}, "surprise"),
])
def test_create_validation(api, owner, body, field):
    r = create(api, **body)
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == "VALIDATION_FAILED"
    assert field in r.json()["details"]
    assert not Project.objects.filter(account=owner).exists()


def test_create_requires_fields_and_json(api, owner):
    r = api.post("/api/render/projects", {"name": "x", "width": 10})
    assert r.status_code == 400 and "height" in r.json()["details"]
    r = api.post("/api/render/projects", "name=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    r = api.post("/api/render/projects", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED"
    assert not Project.objects.filter(account=owner).exists()


def test_scopes(owner):
    reader = client_for(owner, "read-only")
    r = create(reader)
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    renderer = client_for(owner, "render-only")
    assert create(renderer).status_code == 201
    assert reader.get("/api/render/projects").status_code == 200


def test_unauthenticated(anon):
    assert anon.get("/api/render/projects").json()["code"] == "UNAUTHORIZED"


# --- list ----------------------------------------------------------------------------------

def test_list_search_filter_pagination(api, owner):
    cat = api.post("/api/render/categories", {"name": "Sales"}).json()["id"]
    for i in range(5):
        create(api, name=f"Promo {i}", categoryId=cat if i % 2 == 0 else None)
    create(api, name="Newsletter header")

    r = api.get("/api/render/projects")
    body = r.json()
    assert body["success"] is True and len(body["projects"]) == 6
    assert body["pagination"] == {"page": 1, "limit": 50, "totalCount": 6, "totalPages": 1, "hasNext": False}
    assert "dynamicElements" in body["projects"][0]

    r = api.get("/api/render/projects", {"search": "promo"})
    assert sorted(p["name"] for p in r.json()["projects"]) == [f"Promo {i}" for i in range(5)]

    r = api.get("/api/render/projects", {"categoryId": cat})
    assert sorted(p["name"] for p in r.json()["projects"]) == ["Promo 0", "Promo 2", "Promo 4"]

    r = api.get("/api/render/projects", {"categoryId": cat, "search": "2"})
    assert [p["name"] for p in r.json()["projects"]] == ["Promo 2"]

    r = api.get("/api/render/projects", {"limit": 4, "page": 2})
    assert len(r.json()["projects"]) == 2
    assert r.json()["pagination"] == {"page": 2, "limit": 4, "totalCount": 6, "totalPages": 2, "hasNext": False}
    r = api.get("/api/render/projects", {"limit": 4})
    assert r.json()["pagination"]["hasNext"] is True

    for bad in ({"limit": 101}, {"limit": 0}, {"page": "x"}, {"categoryId": "not-a-uuid"}):
        r = api.get("/api/render/projects", bad)
        assert r.status_code == 400 and r.json()["code"] == "VALIDATION_FAILED", bad


def test_list_shows_only_own_projects(api, outsider_api):
    create(api, name="Mine")
    create(outsider_api, name="Theirs")
    assert [p["name"] for p in api.get("/api/render/projects").json()["projects"]] == ["Mine"]


# --- patch ---------------------------------------------------------------------------------

def test_patch_partial(api):
    pid = create(api, document=DOC).json()["id"]
    cat = api.post("/api/render/categories", {"name": "Ads"}).json()["id"]
    before = api.get(f"/api/render/projects/{pid}").json()
    r = api.patch(f"/api/render/projects/{pid}", {"name": "Renamed", "width": 1200, "categoryId": cat})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["name"] == "Renamed" and body["width"] == 1200 and body["height"] == 1080
    assert body["categoryId"] == cat
    assert body["document"] == before["document"]
    assert body["updatedAt"] >= before["updatedAt"]
    r = api.patch(f"/api/render/projects/{pid}", {"categoryId": None})
    assert r.json()["categoryId"] is None

    new_doc = {"version": 1, "elements": [{"id": "x", "type": "text", "x": 0, "y": 0, "width": 10, "height": 10,
                                           "dynamicKey": "headline", "text": "Hey"}]}
    r = api.patch(f"/api/render/projects/{pid}", {"document": new_doc})
    assert [d["dynamicKey"] for d in r.json()["dynamicElements"]] == ["headline"]


def test_patch_validation_changes_nothing(api):
    pid = create(api, document=DOC).json()["id"]
    before = snapshot(pid)
    bad_doc = {**DOC, "elements": DOC["elements"] + [dict(DOC["elements"][0], id="dup-key")]}
    for body, field in [({"width": 5000}, "width"), ({"name": "  "}, "name"),
                        ({"document": bad_doc}, "elements[3].dynamicKey"), ({"document": None}, "document"),
                        ({"name": "ok", "document": {"elements": "x"}}, "elements"), ({"colour": 1}, "colour"),
                        ({"updatedAt": "yesterday"}, "updatedAt")]:
        r = api.patch(f"/api/render/projects/{pid}", body)
        assert r.status_code == 400, (body, r.json())
        assert field in r.json()["details"], (body, r.json())
    assert snapshot(pid) == before


def test_patch_unknown_category_is_not_found(api, outsider_api):
    pid = create(api).json()["id"]
    theirs = outsider_api.post("/api/render/categories", {"name": "Theirs"}).json()["id"]
    before = snapshot(pid)
    for cat in (theirs, str(uuid.uuid4())):
        r = api.patch(f"/api/render/projects/{pid}", {"categoryId": cat})
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert snapshot(pid) == before
    r = create(api, name="x", categoryId=theirs)
    assert r.status_code == 404


def test_patch_conflict_when_saved_elsewhere(api):
    pid = create(api, document=DOC).json()["id"]
    seen = api.get(f"/api/render/projects/{pid}").json()["updatedAt"]
    # A save with the current updatedAt goes through…
    r = api.patch(f"/api/render/projects/{pid}", {"name": "First", "updatedAt": seen})
    assert r.status_code == 200
    newer = r.json()["updatedAt"]
    assert newer > seen
    # …a second editor still holding the old updatedAt is refused, and nothing changes.
    before = snapshot(pid)
    r = api.patch(f"/api/render/projects/{pid}", {"name": "Stale", "updatedAt": seen})
    assert r.status_code == 409 and r.json()["code"] == "CONFLICT"
    assert r.json()["project"]["name"] == "First"
    assert snapshot(pid) == before
    # The header form works too (HTTP date, second precision).
    r = api.patch(f"/api/render/projects/{pid}", {"name": "Stale"},
                  HTTP_IF_UNMODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert r.status_code == 409
    assert snapshot(pid) == before
    r = api.patch(f"/api/render/projects/{pid}", {"name": "Fresh", "updatedAt": newer})
    assert r.status_code == 200 and r.json()["name"] == "Fresh"


def test_save_pushes_live_update(api, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    pid = create(api).json()["id"]
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"project-{pid}", channel)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.patch(f"/api/render/projects/{pid}", {"name": "Live"})
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "live.event" and message["event"] == "project.updated"
    assert message["payload"]["name"] == "Live"
    assert message["payload"]["updatedAt"] == r.json()["updatedAt"]
    assert "dynamicElements" in message["payload"]


# --- delete / duplicate --------------------------------------------------------------------

def test_delete(api, owner):
    pid = create(api).json()["id"]
    r = api.delete(f"/api/render/projects/{pid}")
    assert r.status_code == 200 and r.json()["success"] is True
    assert not Project.objects.filter(pk=pid).exists()
    r = api.get(f"/api/render/projects/{pid}")
    assert r.status_code == 404 and r.json()["code"] == "PROJECT_NOT_FOUND"


def test_duplicate(api):
    cat = api.post("/api/render/categories", {"name": "C"}).json()["id"]
    pid = create(api, name="Original", document=DOC, categoryId=cat).json()["id"]
    r = api.post(f"/api/render/projects/{pid}/duplicate")
    assert r.status_code == 201, r.json()
    copy = r.json()
    assert copy["id"] != pid and copy["name"] == "Original (copy)"
    assert copy["document"] == api.get(f"/api/render/projects/{pid}").json()["document"]
    assert copy["categoryId"] == cat
    r = api.post(f"/api/render/projects/{pid}/duplicate", {"name": "Named"})
    assert r.json()["name"] == "Named"
    assert Project.objects.count() == 3


# --- outsiders and embed restrictions ------------------------------------------------------

@pytest.mark.parametrize("pid", ["not-a-uuid", str(uuid.uuid4())])
def test_missing_project_404(api, pid):
    for method in ("get", "delete"):
        r = getattr(api, method)(f"/api/render/projects/{pid}")
        assert r.status_code == 404 and r.json()["code"] == "PROJECT_NOT_FOUND"


def test_outsider_gets_404_and_nothing_changes(api, outsider_api):
    pid = create(api, document=DOC).json()["id"]
    before = snapshot(pid)
    calls = [
        ("get", f"/api/render/projects/{pid}", None),
        ("patch", f"/api/render/projects/{pid}", {"name": "Hacked"}),
        ("delete", f"/api/render/projects/{pid}", None),
        ("post", f"/api/render/projects/{pid}/duplicate", None),
    ]
    for method, path, body in calls:
        r = getattr(outsider_api, method)(path, body) if body is not None else getattr(outsider_api, method)(path)
        assert r.status_code == 404, (method, r.json())
        assert r.json()["code"] == "PROJECT_NOT_FOUND"
    assert snapshot(pid) == before
    assert Project.objects.count() == 1
    assert outsider_api.get("/api/render/projects").json()["projects"] == []


def test_embed_restriction(owner, api):
    cat_a = api.post("/api/render/categories", {"name": "A"}).json()["id"]
    cat_b = api.post("/api/render/categories", {"name": "B"}).json()["id"]
    in_a = create(api, name="In A", categoryId=cat_a).json()["id"]
    in_b = create(api, name="In B", categoryId=cat_b).json()["id"]

    embed = embed_client(owner, category_id=cat_a)
    listed = embed.get("/api/render/projects").json()["projects"]
    assert [p["id"] for p in listed] == [in_a]
    assert embed.get(f"/api/render/projects/{in_a}").status_code == 200
    before = snapshot(in_b)
    for method, body in (("get", None), ("patch", {"name": "x"}), ("delete", None)):
        r = getattr(embed, method)(f"/api/render/projects/{in_b}", body) if body else \
            getattr(embed, method)(f"/api/render/projects/{in_b}")
        assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN", method
    assert embed.post(f"/api/render/projects/{in_b}/duplicate").status_code == 403
    assert snapshot(in_b) == before
    # Can't move its template out of its category, nor create elsewhere; creating lands in its category.
    r = embed.patch(f"/api/render/projects/{in_a}", {"categoryId": cat_b})
    assert r.status_code == 403
    assert str(Project.objects.get(pk=in_a).category_id) == cat_a
    assert create(embed, categoryId=cat_b).status_code == 403
    r = create(embed, name="From embed")
    assert r.status_code == 201 and r.json()["categoryId"] == cat_a
    assert [c["id"] for c in embed.get("/api/render/categories").json()["categories"]] == [cat_a]
    assert embed.post("/api/render/categories", {"name": "New"}).status_code == 403

    one = embed_client(owner, project_id=in_a)
    assert [p["id"] for p in one.get("/api/render/projects").json()["projects"]] == [in_a]
    assert one.get(f"/api/render/projects/{in_b}").status_code == 403
    assert create(one).status_code == 403

    # An embed session of another account sees the owner's projects as not found.
    from conftest import make_account

    stranger = embed_client(make_account("stranger@example.com"))
    assert stranger.get(f"/api/render/projects/{in_a}").json()["code"] == "PROJECT_NOT_FOUND"

    reader = embed_client(owner, category_id=cat_a, read_only=True)
    assert reader.patch(f"/api/render/projects/{in_a}", {"name": "x"}).status_code == 403


# --- categories ----------------------------------------------------------------------------

def test_categories(api, outsider_api, owner):
    r = api.post("/api/render/categories", {"name": "Social"})
    assert r.status_code == 201
    cat = r.json()
    assert cat["success"] is True and cat["name"] == "Social" and cat["category"]["id"] == cat["id"]
    create(api, categoryId=cat["id"])
    r = api.get("/api/render/categories")
    assert r.json()["categories"] == [{"id": cat["id"], "name": "Social", "createdAt": cat["createdAt"],
                                       "projectCount": 1}]
    assert api.post("/api/render/categories", {"name": "Social"}).status_code == 409
    assert api.post("/api/render/categories", {"name": ""}).status_code == 400
    assert api.post("/api/render/categories", {"name": "x" * 101}).status_code == 400
    assert outsider_api.get("/api/render/categories").json()["categories"] == []
    assert Category.objects.filter(account=owner).count() == 1
    reader = client_for(owner, "read-only")
    assert reader.post("/api/render/categories", {"name": "R"}).status_code == 403


def test_categories_list_is_paginated_like_every_list(api):
    for name in ("A", "B", "C"):
        assert api.post("/api/render/categories", {"name": name}).status_code == 201
    body = api.get("/api/render/categories?page=2&limit=2").json()
    assert [c["name"] for c in body["categories"]] == ["C"]
    assert body["pagination"] == {"page": 2, "limit": 2, "totalCount": 3, "totalPages": 2, "hasNext": False}
    assert api.get("/api/render/categories").json()["pagination"]["limit"] == 50
    assert api.get("/api/render/categories?limit=0").status_code == 400


# --- the demo template ---------------------------------------------------------------------

def test_demo_project(owner, api):
    project = demo_project_ensure(account=owner)
    assert demo_project_ensure(account=owner).pk == project.pk
    assert (project.width, project.height) == (1080, 1080)
    body = api.get(f"/api/render/projects/{project.pk}").json()
    keys = {d["dynamicKey"]: d for d in body["dynamicElements"]}
    assert set(keys) == {"title", "subtitle", "hero"}
    assert keys["hero"]["type"] == "image" and keys["hero"]["defaultValue"] == ""  # renders with no network
    assert any(el["type"] == "shape" for el in body["document"]["elements"])


def test_category_rename_and_delete(api, outsider_api, owner):
    cat = api.post("/api/render/categories", {"name": "Old"}).json()["id"]
    api.post("/api/render/categories", {"name": "Taken"})
    pid = create(api, categoryId=cat).json()["id"]
    for method, body in (("patch", {"name": "Hijack"}), ("delete", None)):
        r = getattr(outsider_api, method)(f"/api/render/categories/{cat}", body) if body else \
            outsider_api.delete(f"/api/render/categories/{cat}")
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert Category.objects.get(pk=cat).name == "Old"
    assert api.patch(f"/api/render/categories/{cat}", {"name": "Taken"}).status_code == 409
    r = api.patch(f"/api/render/categories/{cat}", {"name": "New"})
    assert r.status_code == 200 and r.json()["name"] == "New"
    assert embed_client(owner, category_id=cat).delete(f"/api/render/categories/{cat}").status_code == 403
    r = api.delete(f"/api/render/categories/{cat}")
    assert r.status_code == 200
    assert not Category.objects.filter(pk=cat).exists()
    assert Project.objects.get(pk=pid).category_id is None
