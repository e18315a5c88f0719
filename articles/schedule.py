"""When to check articles and feeds again.

SPEC section 5: articles that changed recently are checked often and old ones rarely, with
jitter so that articles ingested together do not stay in lockstep.
"""

from __future__ import annotations

import datetime as dt
import random

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
