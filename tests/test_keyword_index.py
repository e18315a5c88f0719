"""The keyword index each process keeps for matching (claims.keyword_index): current with the
table at every match, whatever changed since it was built, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db.models import F

from claims import keyword_index as keyword_index_module
from claims import matching, services
from claims.imports import import_file
from claims.keyword_index import keyword_index
from claims.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    """The index built over the world's one claim before the test changes anything."""
    keyword_index.forget()
    assert keyword_index.pools(["containers"], k=5) == [[world.claim.pk]]
    return world


def _pool(text: str, **kwargs) -> list[int]:
    return keyword_index.pools([text], k=10, **kwargs)[0]


def test_a_claim_added_after_the_build_is_found_without_a_rebuild(built):
    added = services.claim_create(
        statement="The ferry service to the islands carried 90,000 passengers.", claimant=built.port
    )
    assert _pool("how many passengers did the ferry carry") == [added.pk]
    assert len(keyword_index.ids) == 1  # the built part is unchanged: the new claim is a change
    assert keyword_index.size == 2


def test_an_edited_claim_is_found_by_its_new_words_only(built, editor):
    services.claim_update(
        claim=built.claim,
        user=editor,
        statement="4,200 lorries crossed the eastern bridge in March.",
    )
    assert _pool("lorries on the bridge") == [built.claim.pk]
    assert _pool("containers terminal") == []


def test_a_deleted_claim_is_dropped_from_the_pool_read_back(built, editor):
    kept = services.claim_create(
        statement="Containers waited three days at the northern terminal.", claimant=built.port
    )
    services.claim_delete(claim=built.claim, user=editor, reason="duplicate")
    (pool,) = matching._pools(["containers at the northern terminal"], set())
    assert [claim.id for claim in pool] == [kept.pk]
    assert built.claim.pk in keyword_index.vanished


def test_excluded_claims_are_left_out_built_or_changed(built):
    added = services.claim_create(
        statement="Containers from the northern terminal go by rail.", claimant=built.port
    )
    assert set(_pool("containers northern terminal")) == {built.claim.pk, added.pk}
    assert _pool("containers northern terminal", exclude=[built.claim.pk]) == [added.pk]
    assert _pool("containers northern terminal", exclude=[added.pk]) == [built.claim.pk]


def test_a_change_is_weighed_with_the_statistics_of_the_built_index(built):
    for statement in (
        "The northern terminal handled record traffic in March.",
        "Rail freight from the terminal doubled.",
        "The terminal's cranes were replaced in 2021.",
    ):
        services.claim_create(statement=statement, claimant=built.port)
    keyword_index.forget()
    query = "rail freight through the northern terminal in March"
    assert _pool(query)[0] != built.claim.pk
    restated = services.claim_create(
        statement="Rail freight through the northern terminal rose in March.", claimant=built.port
    )
    incremental = _pool(query)
    assert incremental[0] == restated.pk
    keyword_index.forget()
    rebuilt = _pool(query)
    assert rebuilt[0] == restated.pk and set(rebuilt) == set(incremental)


def test_an_imported_fact_check_is_found_by_its_title(built, editor):
    line = (
        b'{"statement": "Says the mayor sold the harbour to a foreign fund.", '
        b'"claimant": "Anonymous post", "reviewer": "Harbour Checks", "rating": "False", '
        b'"url": "https://checks.example.org/harbour-sale", '
        b'"title": "No, the quay was leased, not privatised"}\n'
    )
    report = import_file(line, user=editor)
    (claim_id,) = report.created
    assert _pool("was the quay privatised") == [claim_id]


def test_a_claim_saved_with_an_old_clock_is_still_seen(built):
    with time_machine.travel(datetime(2001, 1, 1, tzinfo=UTC)):
        old = services.claim_create(
            statement="Ships queued for a week outside the harbour.", claimant=built.port
        )
    assert _pool("ships queued outside the harbour") == [old.pk]


def test_many_changes_rebuild_the_index(built, monkeypatch):
    monkeypatch.setattr(keyword_index_module, "REBUILD_CHANGES", 2)
    for n in range(3):
        statement = f"Berth {n + 1} was dredged in spring."
        services.claim_create(statement=statement, claimant=built.port)
    assert len(_pool("berth dredged")) == 3
    assert len(keyword_index.ids) == 4 and not keyword_index.changed


def test_the_index_follows_the_database_it_reads(built, monkeypatch):
    monkeypatch.setattr(keyword_index_module, "database_key", lambda: ("x", "another-database"))
    assert _pool("containers") == [built.claim.pk]
    assert keyword_index._database[1] == "another-database"


def test_a_change_committed_after_a_later_one_was_read_is_seen(built):
    later = services.claim_create(
        statement="Tugboats were on strike for two days.", claimant=built.port
    )
    assert _pool("tugboats strike") == [later.pk]  # read: the newest change seen is ``later``
    # An edit saved before that read but committed after it: its updated_at is below the
    # newest change seen, so only the window's count of versions tells it changed.
    Claim.objects.filter(pk=built.claim.pk).update(
        statement="Dredgers deepened the channel in March.",
        updated_at=later.updated_at - timedelta(seconds=1),
        version=F("version") + 1,
    )
    assert _pool("dredgers deepened the channel") == [built.claim.pk]


def test_an_edit_that_left_updated_at_alone_is_seen_by_its_version(built):
    # A write through update_fields without updated_at still bumps the version.
    Claim.objects.filter(pk=built.claim.pk).update(
        statement="Cruise ships brought 12,000 visitors in March.", version=F("version") + 1
    )
    assert _pool("cruise ships visitors") == [built.claim.pk]
