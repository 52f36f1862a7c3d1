import pytest

from billing.tests.stripe_helpers import WEBHOOK_SECRET

PRICES = {"starter": "price_test_starter", "pro": "price_test_pro"}


@pytest.fixture
def stripe_settings(settings):
    """Stripe configured as in production, with price ids for the paid plans."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_SECRET_KEY = "sk_test_billing"
    settings.BILLING_PLANS = [
        {**p, "stripe_price_id": PRICES.get(p["code"], p["stripe_price_id"])} for p in settings.BILLING_PLANS
    ]
    return settings


@pytest.fixture
def eager_tasks(django_capture_on_commit_callbacks):
    """Tasks queued on commit run in this process (the worker's code path, without a broker).
    Yields `run(fn, *args)`: calls fn and runs the on-commit callbacks it queued."""
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    try:
        yield run
    finally:
        app.conf.task_always_eager = old


# The dashboard's browser fixtures (Debian Chromium via Playwright, live server, screenshots).
from tests.browser.conftest import chromium_browser, live_url, open_page, shot  # noqa: E402, F401
