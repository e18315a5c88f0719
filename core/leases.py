"""Leases on due rows: how the dispatchers hand each due article, feed or evidence link to
exactly one task (SPEC section 5: ``select_for_update(skip_locked)``).

A leased row's check time is pushed ``LEASE`` ahead; if its task is lost (a worker killed),
the row becomes due again after it, so no row is held forever.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, models, transaction

LEASE = dt.timedelta(minutes=10)


def lease_due_rows(
    queryset: models.QuerySet,
    *,
    field: str,
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta = LEASE,
) -> list[int]:
    """Take a lease on up to ``limit`` due rows of ``queryset`` (already filtered to the due
    rows and ordered) by moving their ``field`` forward by ``lease``; return the leased ids.

    Two dispatchers running at once never lease the same row: on PostgreSQL the rows are
    locked with SKIP LOCKED, so a second dispatcher passes over the rows the first holds; SQLite
    has no row locks, so each row is leased by a conditional UPDATE that only succeeds while
    the row is still due, and the row count tells whether we got it.
    """
    model = queryset.model
    lease_until = now + lease
    if connection.features.has_select_for_update_skip_locked:
        # One statement, one round trip: the ORM writes the locking sub-select (the due query
        # served by the partial index), the UPDATE moves the leased rows' time to the lease end.
        meta = model._meta
        table = connection.ops.quote_name(meta.db_table)
        column = connection.ops.quote_name(meta.get_field(field).column)
        pk = connection.ops.quote_name(meta.pk.column)
        with transaction.atomic(), connection.cursor() as cursor:
            locking = queryset.select_for_update(skip_locked=True).values("pk")[:limit]
            sub_sql, sub_params = locking.query.sql_with_params()
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {pk} IN ({sub_sql}) RETURNING {pk}",
                [lease_until, *sub_params],
            )
            return [row[0] for row in cursor.fetchall()]
    due_ids = list(queryset.values_list("pk", flat=True)[:limit])
    return _lease_one_by_one(model, due_ids, field=field, now=now, lease_until=lease_until)


def _lease_one_by_one(
    model: type[models.Model],
    due_ids: list[int],
    *,
    field: str,
    now: dt.datetime,
    lease_until: dt.datetime,
) -> list[int]:
    """The lease without row locks (SQLite): UPDATE … SET field = lease end WHERE pk = …
    AND field <= now, one row at a time."""
    leased = []
    for pk in due_ids:
        if model._default_manager.filter(pk=pk, **{f"{field}__lte": now}).update(
            **{field: lease_until}
        ):
            leased.append(pk)
    return leased
