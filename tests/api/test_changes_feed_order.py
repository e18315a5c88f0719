"""The changes feed never lets a poller skip an event whose transaction commits late.

On PostgreSQL two transactions can draw ids 10 and 11 and commit 11 first; a poller that read
11 would move its cursor past 10 before 10 became visible. ``_record_claim_change`` prevents it
with a transaction-scoped advisory lock held from the insert until commit, so the next event's
id is drawn only after the previous event is visible. This checks, from a second connection,
that recording an event takes that lock and keeps it for the rest of the transaction.
(A transactional two-thread test would flush the role groups from under the tests after it.)
"""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from claims import services
from claims.models import ClaimChange
from claims.services import CHANGES_FEED_LOCK
from tests.conftest import make_evidence

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers at BEGIN IMMEDIATE; the race is PostgreSQL's",
)


def _other_writer_can_take_the_feed_lock() -> bool:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=False) as other:
        taken = other.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [CHANGES_FEED_LOCK]
        ).fetchone()[0]
        other.rollback()  # releases it at once if it was taken
    return taken


def test_recording_an_event_holds_the_feed_lock_until_commit(world):
    assert _other_writer_can_take_the_feed_lock()

    make_evidence(world.claim, source=world.outlet)
    assert ClaimChange.objects.filter(claim=world.claim).exists()

    # Our transaction (the test's) is still open: a second writer's event must wait.
    assert not _other_writer_can_take_the_feed_lock()
    # Other writes that record no event (a claim's text) never wait for it.
    services.claim_update(claim=world.claim, statement="4,200 containers in March.")
