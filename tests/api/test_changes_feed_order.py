"""The changes feed never lets a poller skip an event whose transaction commits late.

Two writers on PostgreSQL: the first records a status change and keeps its transaction open;
the second records one for another claim. Without the advisory lock in
``claims.services._record_claim_change`` the second would commit a higher id first and a poller
would move its cursor past the first event before it became visible.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from claims import services
from claims.models import ClaimChange, Stance


@pytest.mark.django_db(transaction=True)
def test_a_later_event_waits_for_the_earlier_one_to_commit(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE; the race is PostgreSQL's")
    other = services.claim_create(statement="About 120 jobs depend on it.", claimant=world.council)
    first_recorded, release_first = threading.Event(), threading.Event()
    errors = []

    def first_writer():
        try:
            with transaction.atomic():
                services.evidence_create(
                    claim=world.claim,
                    stance=Stance.CORROBORATES,
                    source=world.outlet,
                    url="https://ledger.example.org/first",
                    title="First",
                )
                first_recorded.set()
                release_first.wait(10)
        except Exception as exc:  # surfaced in the main thread's assertions
            errors.append(exc)
        finally:
            connection.close()

    def second_writer():
        try:
            services.evidence_create(
                claim=other,
                stance=Stance.CORROBORATES,
                source=world.outlet,
                url="https://ledger.example.org/second",
                title="Second",
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=first_writer)
    first.start()
    assert first_recorded.wait(10)
    second = threading.Thread(target=second_writer)
    second.start()
    time.sleep(0.5)

    # What a poller sees meanwhile: neither event, so its cursor cannot pass the first one.
    assert second.is_alive(), "the second writer should wait for the first to commit"
    assert not ClaimChange.objects.exists()

    release_first.set()
    first.join(10)
    second.join(10)
    assert errors == []
    events = list(ClaimChange.objects.order_by("id").values_list("claim_id", flat=True))
    assert events == [world.claim.pk, other.pk]
