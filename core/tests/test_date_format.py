"""#15: one date format per locale across the dashboard. The server's `day`/`moment` filters
(core.templatetags.ui) write what static/dashboard/ui.ts's formatDate() writes in the browser
(Intl, en-GB / ar with Latin digits): "24 Nov 2026, 14:05" / "24 نوفمبر 2026، 14:05"; the pages
that showed 2026-11-24 14:05:00 or "Nov. 24, 2026" use them."""
import datetime as dt
import re
import subprocess

import pytest
from django.test import Client
from django.utils import translation

from core.templatetags.ui import day, moment

WHEN = dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)


def _intl(locale: str, with_time: bool) -> str:
    opts = "{day:'numeric',month:'short',year:'numeric',timeZone:'UTC'" + (
        ",hour:'2-digit',minute:'2-digit',hourCycle:'h23'}" if with_time else "}")
    script = f"console.log(new Intl.DateTimeFormat('{locale}', {opts}).format(new Date('{WHEN.isoformat()}')))"
    return subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("language,locale", [("en", "en-GB"), ("ar", "ar-u-nu-latn-ca-gregory")])
def test_server_and_browser_write_the_same_date(language, locale):
    with translation.override(language):
        assert day(WHEN) == _intl(locale, with_time=False)
        assert moment(WHEN) == _intl(locale, with_time=True)
    with translation.override("en"):
        assert (day(WHEN), moment(WHEN)) == ("24 Nov 2026", "24 Nov 2026, 14:05")


@pytest.mark.django_db
def test_webhooks_and_billing_pages_use_it(owner):
    from billing.services import credits_take
    from webhooks.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(account=owner, url="https://8.8.8.8/in", events=["render.completed"],
                                              secret="s" * 32)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_success_at=WHEN)
    credits_take(account=owner, amount=1, reference="gen_x", description="Render")
    client = Client()
    client.force_login(owner)
    for path in ("/render/webhooks", f"/render/webhooks/{endpoint.pk}", "/render/billing"):
        html = client.get(path).content.decode()
        visible = re.sub(r'datetime="[^"]*"|data-day="[^"]*"', "", html)
        assert not re.search(r"\b20\d\d-\d\d-\d\d \d\d:\d\d", visible), path
    assert "24 Nov 2026, 14:05" in client.get("/render/webhooks").content.decode()
