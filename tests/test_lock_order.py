"""Writers take locks in one order (``claims.services``: sources, then claims, then documents),
so evidence added while an editor moves its source in the tree never deadlocks.

Before, the move locked the source and then each affected claim, while adding evidence locked
the claim and then, through the evidence's foreign key, waited for the source: PostgreSQL
aborted one of them ("deadlock detected") and the admin answered 500.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from claims import services
from claims.models import Claim, ClaimStatus, Evidence, SourceKind, Stance
from tests.roles import restore_roles_and_scale

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="SQLite serialises writers at BEGIN IMMEDIATE, so it cannot deadlock; the row "
        "locks whose order matters are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _roles_and_scale(transactional_db):
    # pytest-django runs transactional tests after the others, and each restores for itself.
    restore_roles_and_scale()


def _in_thread(target, errors: list, name: str) -> threading.Thread:
    def run():
        try:
            target()
        except Exception as exc:  # recorded, so the test reports what failed
            errors.append((name, exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_evidence_added_during_a_source_move_neither_deadlocks_nor_goes_stale(monkeypatch):
    government = services.source_create(name="City of Harbour", kind=SourceKind.GOVERNMENT)
    port = services.source_create(
        name="Port Authority", kind=SourceKind.GOVERNMENT, parent=government
    )
    radio = services.source_create(name="Harbour Radio", kind=SourceKind.OUTLET)
    claim = services.claim_create(statement="4,200 containers in March.", claimant=port)
    # The claim cites the radio already, so moving the radio recomputes it.
    services.evidence_create(
        claim=claim,
        stance=Stance.CONTEXT,
        source=radio,
        url="https://radio.example.org/background",
        title="Background",
    )

    source_locked = threading.Event()
    descendants = services._descendant_ids

    def slow_descendants(source_id):
        # Called by the move with the source locked and before it locks the claims: hold the
        # lock long enough for the evidence writer to reach for the same rows.
        found = descendants(source_id)
        source_locked.set()
        time.sleep(1.5)
        return found

    monkeypatch.setattr(services, "_descendant_ids", slow_descendants)
    errors: list = []

    def move():
        # The radio turns out to be the city's own: its support is no longer independent.
        services.source_update(source=radio, parent=government)

    def add_evidence():
        assert source_locked.wait(10)
        services.evidence_create(
            claim=Claim.objects.get(pk=claim.pk),
            stance=Stance.CORROBORATES,
            source=radio,
            url="https://radio.example.org/record-march",
            title="A record March",
        )

    threads = [_in_thread(move, errors, "move"), _in_thread(add_evidence, errors, "evidence")]
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert Evidence.objects.filter(claim=claim).count() == 2
    stored = Claim.objects.get(pk=claim.pk)
    # Computed with the radio under the city: no independent support.
    assert stored.status == ClaimStatus.UNVERIFIED
    assert stored.independent_corroborates_count == 0
    assert stored.document.claim_version == stored.version
