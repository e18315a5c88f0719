"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` before the first query of every request
that reuses a persistent connection: for a read that needs one indexed query, that doubles
the round trips to the database. A server that ends a connection (a restart, an idle timeout,
``pg_terminate_backend``) says so on the socket: it sends its termination notice and closes,
so the idle connection has something to read. A healthy idle connection has nothing to read.
This backend polls the socket without waiting and runs Django's ``SELECT 1`` check only when
there is something there; a connection the server dropped is closed and replaced before the
request's first query, as before, and a healthy one costs a system call instead of a query.

What the poll cannot see (a network that silently drops packets) fails the first query, as it
would fail the ``SELECT 1``; Django then closes the connection at the end of the request.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid


def has_pending_input(fileno: int) -> bool:
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    _read_cursor: psycopg.Cursor | None = None

    def close_if_health_check_failed(self) -> None:
        # (By name: Django sets both in connect(); its type stubs do not declare them.)
        enabled = getattr(self, "health_check_enabled", False)
        if self.connection is None or not enabled or getattr(self, "health_check_done", True):
            return
        try:
            suspicious = self.connection.closed or has_pending_input(self.connection.fileno())
        except (OSError, ValueError, psycopg.Error):
            suspicious = True
        if suspicious and not self.is_usable():
            self.close()
        self.health_check_done = True

    def read_cursor(self) -> psycopg.Cursor:
        """A server-binding psycopg cursor on this connection (opened if need be, after the
        health check), made once and kept while the connection lives: the API's hot reads
        prepare their statements on it (api/reads.py). A cursor made per read cost a third of
        the Python of running the query (bench/profile_api.py). Each thread has its own
        connection, so its own cursor."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        cursor = self._read_cursor
        if cursor is None or cursor.closed or cursor.connection is not self.connection:
            cursor = self._read_cursor = psycopg.Cursor(self.connection)
            own_loader = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone_name == "UTC" and own_loader is not None:
                # psycopg's own timestamptz loader (C), in place of the one Django registers
                # on the connection: Django's is written in Python (a few microseconds a
                # value) to attach its time zone, and with the session in UTC (Django sets
                # it) psycopg's gives the same aware datetimes in UTC.
                cursor.adapters.register_loader("timestamptz", own_loader)
        return cursor
