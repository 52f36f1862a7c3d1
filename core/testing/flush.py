"""pytest plugin: a transactional test's end-of-test flush survives a background worker's transaction.

A `transaction=True` test ends with one TRUNCATE of every table. The session's real Celery worker
may still be finishing the test's last task (the API answered as soon as the image was stored;
the worker then records its timings) and hold a read lock on one table while it waits for
another that the TRUNCATE already holds. Postgres breaks that deadlock by cancelling the
TRUNCATE, which failed a test that had passed. The flush is retried: once the worker's
transaction commits, the TRUNCATE goes through and leaves the database empty as before."""
from __future__ import annotations

import time

from django.db import OperationalError
from django.test import TransactionTestCase

_original_teardown = TransactionTestCase._fixture_teardown
ATTEMPTS = 5


def _is_deadlock(error: OperationalError) -> bool:
    return "deadlock detected" in str(error)


def _fixture_teardown_retrying(self) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _original_teardown(self)
        except OperationalError as error:
            if attempt == ATTEMPTS or not _is_deadlock(error):
                raise
            time.sleep(0.2 * attempt)


TransactionTestCase._fixture_teardown = _fixture_teardown_retrying
