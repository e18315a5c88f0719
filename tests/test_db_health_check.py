"""The PostgreSQL backend's health check (core/db/postgresql): a reused connection that the
server has not dropped costs no query; one the server dropped is replaced before the
request's first query, so the request does not fail."""

import time

import psycopg
import pytest
from django.db import connections

from core.db.postgresql.base import has_pending_input

connection = connections["default"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
]


@pytest.fixture
def persistent(monkeypatch):
    """The connection as a web worker holds it: health checks on, reused across requests."""
    connection.ensure_connection()
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "close_at", None)
    calls = []
    real = connection.is_usable

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    return calls


def next_request_query() -> int:
    # What Django does between two requests (request_finished), then the next one's query.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        return cursor.fetchone()[0]


def test_a_healthy_reused_connection_is_not_checked_with_a_query(persistent):
    pid = connection.connection.info.backend_pid
    assert next_request_query() == 42
    assert next_request_query() == 42
    assert persistent == []
    assert connection.connection.info.backend_pid == pid


def test_a_connection_the_server_dropped_is_replaced_before_the_query(persistent):
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not has_pending_input(connection.connection.fileno()):  # the notice on its way
        assert time.monotonic() < deadline, "the server's notice never reached the socket"
        time.sleep(0.01)
    assert next_request_query() == 42
    assert persistent == [1]
    assert connection.connection.info.backend_pid != pid
