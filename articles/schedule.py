"""When to check things again, and how the dispatcher claims the rows that are due.

SPEC section 5: articles that changed recently are checked often and old ones rarely, with
jitter so that articles ingested together do not stay in lockstep.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, models, transaction

# (age of the last change under …, check again after …); older than the last row: never.
ARTICLE_STEPS = [
    (dt.timedelta(hours=3), dt.timedelta(minutes=15)),
    (dt.timedelta(days=1), dt.timedelta(hours=1)),
    (dt.timedelta(weeks=1), dt.timedelta(hours=3)),
    (dt.timedelta(days=30), dt.timedelta(days=1)),
    (dt.timedelta(days=365), dt.timedelta(weeks=1)),
]
JITTER = 0.1
ERROR_BACKOFF_BASE = dt.timedelta(minutes=15)
ERROR_BACKOFF_MAX = dt.timedelta(days=7)
# A claimed row's check time is pushed this far ahead; if its task is lost (worker killed),
# the row becomes due again after it, so nothing is claimed forever.
LEASE = dt.timedelta(minutes=10)


def _jittered(interval: dt.timedelta, rng: random.Random | None = None) -> dt.timedelta:
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return interval * factor


def article_interval(*, last_changed_at: dt.datetime, now: dt.datetime) -> dt.timedelta | None:
    """The interval before the next check, without jitter; None for "never again"."""
    age = max(now - last_changed_at, dt.timedelta(0))
    for limit, interval in ARTICLE_STEPS:
        if age < limit:
            return interval
    return None


def article_next_check(
    *,
    last_changed_at: dt.datetime | None,
    now: dt.datetime,
    failure_count: int = 0,
    rng: random.Random | None = None,
) -> dt.datetime | None:
    interval = article_interval(last_changed_at=last_changed_at or now, now=now)
    if interval is None:
        return None
    if failure_count:
        # Failing articles back off exponentially, never more often than the age rule says.
        backoff = min(ERROR_BACKOFF_BASE * 2 ** (failure_count - 1), ERROR_BACKOFF_MAX)
        interval = max(interval, backoff)
    return now + _jittered(interval, rng)


def feed_next_check(
    *, interval_minutes: int, now: dt.datetime, failure_count: int = 0
) -> dt.datetime:
    interval = dt.timedelta(minutes=interval_minutes)
    if failure_count:
        backoff = min(ERROR_BACKOFF_BASE * 2 ** (failure_count - 1), ERROR_BACKOFF_MAX)
        interval = max(interval, backoff)
    return now + _jittered(interval)


def claim_due(
    queryset: models.QuerySet,
    *,
    field: str,
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta = LEASE,
) -> list[int]:
    """Claim up to ``limit`` due rows of ``queryset`` (already filtered to the due rows and
    ordered) by moving their ``field`` forward by the lease; return the claimed ids.

    Two dispatchers running at once never claim the same row: on PostgreSQL the rows are
    locked with SKIP LOCKED, so a second claimer passes over the rows the first holds; SQLite
    has no row locks, so each row is claimed by a conditional UPDATE that only succeeds while
    the row is still due, and the row count tells whether we got it.
    """
    model = queryset.model
    lease_until = now + lease
    if connection.features.has_select_for_update_skip_locked:
        # One statement, one round trip: the ORM writes the locking sub-select (the due query
        # served by the partial index), the UPDATE moves the claimed rows' time to the lease.
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
    candidates = list(queryset.values_list("pk", flat=True)[:limit])
    return claim_rows_conditionally(
        model, candidates, field=field, now=now, lease_until=lease_until
    )


def claim_rows_conditionally(
    model: type[models.Model],
    candidates: list[int],
    *,
    field: str,
    now: dt.datetime,
    lease_until: dt.datetime,
) -> list[int]:
    """The lock-free claim: UPDATE … SET field = lease WHERE pk = … AND field <= now."""
    claimed = []
    for pk in candidates:
        if model.objects.filter(pk=pk, **{f"{field}__lte": now}).update(**{field: lease_until}):
            claimed.append(pk)
    return claimed
