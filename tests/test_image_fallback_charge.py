"""#15, decided and documented (docs/content/api-render.md#credits): a render that completes with
IMAGE_FALLBACK — an image in the data that can't be used, replaced by the template's default —
is a completed render and keeps its one-credit charge; the answer names the URL in `warnings`.
Through the real API, a REAL render worker and the real ledger."""
import pytest

from billing.models import LedgerEntry, LedgerKind
from billing.services import credits_balance
from projects.models import Project

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_render_with_an_unusable_image_is_charged_and_says_why(render_worker, api, owner):
    project = Project.objects.create(account=owner, name="Photo card", width=120, height=120, document={
        "version": 1, "background": {"color": "#ffffff"},
        "elements": [{"id": "hero", "type": "image", "x": 0, "y": 0, "width": 120, "height": 120,
                      "dynamicKey": "hero", "src": "", "fit": "cover"}],
    })
    before = credits_balance(account=owner)
    # A host that never resolves (.invalid is reserved): the fetch fails, the slot keeps its default.
    response = api.post("/api/render/generate", {"projectId": str(project.pk),
                                                 "data": {"hero.img": "https://images.example.invalid/me.png"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [w["code"] for w in body["warnings"]] == ["IMAGE_FALLBACK"]
    assert body["creditsUsed"] == 1 and body["creditsRemaining"] == before - 1
    assert credits_balance(account=owner) == before - 1
    entries = LedgerEntry.objects.filter(account=owner, reference=body["generationId"])
    assert [(e.kind, e.amount) for e in entries] == [(LedgerKind.CHARGE, -1)]  # no refund
