"""The issue's check: parallel renders with the balance at N — exactly N are accepted, the rest
get 402 INSUFFICIENT_CREDITS, and the ledger sums to the balance (Postgres, one connection per
thread, through the real POST /api/render/generate)."""
import threading

import pytest
from django.db import connections

from billing.models import LedgerEntry
from billing.services import credits_balance

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_generate_calls_take_exactly_the_balance(transactional_db, settings):
    from conftest import JsonClient, client_for, make_account
    from webhooks.models import Event

    settings.MAX_RENDERS_IN_FLIGHT = 1000
    settings.API_RATE_LIMIT_PER_MINUTE = 1000
    n, callers = 8, 24
    account = make_account("parallel@example.com", credits=n)
    token = client_for(account, "render-only").plain_token
    clients = []
    for _ in range(callers):  # one client (and one DB connection) per thread, the same token
        client = JsonClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        clients.append(client)
    barrier = threading.Barrier(callers)
    statuses, lock = [], threading.Lock()

    def call(client):
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/render/generate", {"html": "<p>hello</p>", "width": 64, "height": 64, "async": True})
            outcome = (response.status_code, response.json().get("code"))
        finally:
            connections.close_all()
        with lock:
            statuses.append(outcome)

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    accepted = [s for s in statuses if s[0] in (200, 201, 202)]
    refused = [s for s in statuses if s == (402, "INSUFFICIENT_CREDITS")]
    assert len(accepted) == n and len(refused) == callers - n, statuses
    assert credits_balance(account=account) == 0
    entries = LedgerEntry.objects.filter(account=account)
    assert sum(e.amount for e in entries) == 0 and min(e.balance_after for e in entries) == 0
    assert entries.filter(kind="charge").count() == n
    assert Event.objects.filter(account=account, type="credits.exhausted").count() == 1
