"""POST /api/render/generate with a template: data checked against its dynamic elements,
other accounts' templates are not found, sizes default to the template's."""
import pytest

from billing.services import credits_balance
from rendering.models import Generation
from rendering.tests.helpers import URL

DOCUMENT = {
    "version": 1,
    "background": {"color": "#0f172a"},
    "elements": [
        {"id": "el1", "type": "text", "x": 10, "y": 10, "width": 300, "height": 80, "dynamicKey": "title",
         "text": "Hello", "style": {"fontFamily": "Noto Sans", "fontSize": 40, "color": "#ffffff"}},
        {"id": "el2", "type": "shape", "shape": "rect", "x": 0, "y": 100, "width": 100, "height": 50, "fill": "#ff0000"},
    ],
}


def make_project(account, width=640, height=360, document=None):
    from projects.models import Project

    return Project.objects.create(account=account, name="Card", width=width, height=height,
                                  document=document or DOCUMENT)


@pytest.mark.django_db
def test_unknown_data_key_is_400_naming_it_and_nothing_is_charged(api, owner):
    project = make_project(owner)
    response = api.post(URL, {"projectId": str(project.pk), "data": {"title.text": "ok", "nope.text": "x"}})
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"
    assert "data.nope.text" in response.json()["details"]
    assert credits_balance(account=owner) == 100 and Generation.objects.count() == 0


@pytest.mark.django_db
def test_wrong_suffix_for_a_key_is_400(api, owner):
    project = make_project(owner)
    response = api.post(URL, {"projectId": str(project.pk), "data": {"title.img": "https://example.com/a.png"}})
    assert response.status_code == 400 and "data.title.img" in response.json()["details"]


@pytest.mark.django_db
def test_other_accounts_project_is_project_not_found(api, outsider, owner):
    project = make_project(outsider)
    for project_id in (str(project.pk), "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = api.post(URL, {"projectId": project_id, "async": True})
        assert response.status_code == 404 and response.json()["code"] == "PROJECT_NOT_FOUND", project_id
    assert credits_balance(account=owner) == 100 and Generation.objects.count() == 0


@pytest.mark.django_db
def test_size_defaults_to_the_template_and_the_record_keeps_the_project(api, owner):
    project = make_project(owner, 640, 360)
    response = api.post(URL, {"projectId": str(project.pk), "data": {"title.text": "Hi"}, "async": True,
                              "metadata": {"campaign": "spring"}})
    assert response.status_code == 202, response.content
    generation_id = response.json()["generationId"]
    record = api.get(f"/api/render/generations/{generation_id}").json()
    assert (record["width"], record["height"]) == (640, 360)
    assert record["projectId"] == str(project.pk) and record["metadata"] == {"campaign": "spring"}
    listed = api.get(f"/api/render/generations?projectId={project.pk}").json()["generations"]
    assert [g["generationId"] for g in listed] == [generation_id]
    # Deleting the template keeps the history (projectId stays on the record).
    project_id = str(project.pk)
    project.delete()
    assert api.get(f"/api/render/generations/{generation_id}").json()["projectId"] == project_id
