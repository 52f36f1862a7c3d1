"""A Postgres that doesn't answer (issue #15): /readyz says so within 2 s and API calls answer the
503 envelope within 5 s, with and without the web process's connection pool. The database is a
TCP listener that accepts and never answers, the worst kind of outage (a refused port fails fast
anyway); the shared Postgres is never touched."""
import pytest

from core.tests.outages import Blackhole, timed, web_server

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hung_database():
    hole = Blackhole()
    yield f"postgres://postgres@127.0.0.1:{hole.port}/audome"
    hole.close()


@pytest.mark.parametrize("pool", ["false", "true"])
def test_readyz_and_api_answer_fast_when_postgres_hangs(hung_database, pool):
    with web_server(DATABASE_URL=hung_database, DB_POOL=pool) as server:
        base = server.url
        response, seconds = timed("GET", f"{base}/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"].startswith("down")
        assert seconds < 2.0, seconds

        response, seconds = timed("GET", f"{base}/api/account",
                                  headers={"Authorization": "Bearer aud_" + "x" * 40})
        body = response.json()
        assert response.status_code == 503, body
        assert body["success"] is False and body["code"] == "SERVICE_UNAVAILABLE"
        assert "database" in body["error"] and body["requestId"] == response.headers["X-Request-Id"]
        assert int(response.headers["Retry-After"]) >= 1
        assert seconds < 5.0, seconds

        response, seconds = timed("POST", f"{base}/api/render/generate", json={"projectId": "x"},
                                  headers={"Authorization": "Bearer aud_" + "x" * 40})
        assert response.status_code == 503 and response.json()["code"] == "SERVICE_UNAVAILABLE"
        assert seconds < 5.0, seconds


def test_readyz_is_ok_when_everything_answers(render_worker, anon):
    response = anon.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "renderWorker": "ok"}


def test_database_connections_never_wait_without_a_bound():
    """Postgres cuts a statement at 30 s (DB_STATEMENT_TIMEOUT); SQLite (make run's default)
    waits at most 30 s for a lock instead of failing at once or hanging."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "30s"
        else:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 30_000
