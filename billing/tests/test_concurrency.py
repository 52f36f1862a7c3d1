"""Exact credits under concurrency on Postgres: many threads, each with its own connection."""
import threading

import pytest
from django.db import connection, connections

from billing.models import LedgerEntry
from billing.services import credits_balance, credits_take
from core.errors import InsufficientCredits

pytestmark = pytest.mark.django_db(transaction=True)


def test_balance_n_many_takers_exactly_n_succeed(transactional_db):
    from conftest import make_account
    from webhooks.models import Event

    assert connection.vendor == "postgresql"
    n, threads_count = 12, 30
    account = make_account("race@example.com", credits=n)
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait(timeout=30)
            try:
                credits_take(account=account, amount=1, reference=f"gen_race_{i}")
                outcome = "ok"
            except InsufficientCredits:
                outcome = "402"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count("ok") == n and results.count("402") == threads_count - n
    assert credits_balance(account=account) == 0
    entries = LedgerEntry.objects.filter(account=account)
    assert sum(e.amount for e in entries) == 0
    assert all(e.balance_after >= 0 for e in entries)
    assert sorted(e.balance_after for e in entries.filter(kind="charge")) == list(range(n))
    assert Event.objects.filter(account=account, type="credits.exhausted").count() == 1
