"""SPEC section 3: the computed status, as a table of cases, through the services."""

import pytest

from claims import merging, services
from claims.models import Claim, ClaimChange, ClaimStatus, SourceKind, Stance
from tests.conftest import make_evidence

C, D, X = Stance.CORROBORATES, Stance.DISPUTES, Stance.CONTEXT

# (evidence as (stance, source attribute of the world fixture), expected status, counts
#  (corroborates, disputes, context, independent corroborates, independent disputes),
#  expected explanation). The claimant is the port authority, under the City of Harbour.
CASES = [
    ([], ClaimStatus.UNVERIFIED, (0, 0, 0, 0, 0), "Unverified: no evidence yet."),
    (
        [(X, "outlet")],
        ClaimStatus.UNVERIFIED,
        (0, 0, 1, 0, 0),
        "Unverified: only context evidence (1 item).",
    ),
    (
        [(C, "port")],
        ClaimStatus.UNVERIFIED,
        (1, 0, 0, 0, 0),
        "Supported by Port Authority, on the claimant's side; no independent evidence yet.",
    ),
    # The council shares the port authority's top-level parent: not independent.
    (
        [(C, "council")],
        ClaimStatus.UNVERIFIED,
        (1, 0, 0, 0, 0),
        "Supported by City Council, on the claimant's side; no independent evidence yet.",
    ),
    (
        [(C, "government")],
        ClaimStatus.UNVERIFIED,
        (1, 0, 0, 0, 0),
        "Supported by the City of Harbour, on the claimant's side; no independent evidence yet.",
    ),
    (
        [(C, "outlet")],
        ClaimStatus.CORROBORATED,
        (1, 0, 0, 1, 0),
        "Corroborated by 1 independent source.",
    ),
    (
        [(C, "outlet"), (C, "union"), (C, "council")],
        ClaimStatus.CORROBORATED,
        (3, 0, 0, 2, 0),
        "Corroborated by 2 independent sources; also supported by City Council, on the "
        "claimant's side.",
    ),
    (
        [(D, "union")],
        ClaimStatus.DISPUTED,
        (0, 1, 0, 0, 1),
        "Disputed by 1 independent source; no independent source corroborates it.",
    ),
    (
        [(D, "union"), (C, "council")],
        ClaimStatus.DISPUTED,
        (1, 1, 0, 0, 1),
        "Disputed by 1 independent source; no independent source corroborates it "
        "(supported by City Council, on the claimant's side).",
    ),
    (
        [(C, "outlet"), (D, "union")],
        ClaimStatus.CONTESTED,
        (1, 1, 0, 1, 1),
        "Contested: corroborated by 1 independent source and disputed by 1 independent source.",
    ),
    # A dispute from the claimant's own side is a retraction: not independent, yet it makes
    # the claim disputed when nothing independent supports it (SPEC section 3) ...
    (
        [(D, "port")],
        ClaimStatus.DISPUTED,
        (0, 1, 0, 0, 0),
        "Disputed: retracted by Port Authority, on the claimant's own side; no independent "
        "source corroborates it.",
    ),
    (
        [(D, "council"), (C, "port")],
        ClaimStatus.DISPUTED,
        (1, 1, 0, 0, 0),
        "Disputed: retracted by City Council, on the claimant's own side; no independent "
        "source corroborates it (supported by Port Authority, on the claimant's side).",
    ),
    # ... and, not being independent, it does not contest independent support: SPEC section 3
    # asks an independent disputes for contested, and none for corroborated.
    (
        [(C, "outlet"), (D, "council")],
        ClaimStatus.CORROBORATED,
        (1, 1, 0, 1, 0),
        "Corroborated by 1 independent source; also retracted by City Council, on the "
        "claimant's own side.",
    ),
]


@pytest.mark.parametrize(("evidence", "status", "counts", "explanation"), CASES)
def test_status_from_evidence(world, editor, evidence, status, counts, explanation):
    for stance, source_name in evidence:
        make_evidence(world.claim, stance=stance, source=getattr(world, source_name), user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == status
    assert (
        claim.corroborates_count,
        claim.disputes_count,
        claim.context_count,
        claim.independent_corroborates_count,
        claim.independent_disputes_count,
    ) == counts
    assert claim.status_explanation == explanation


def test_removing_evidence_recomputes_status_and_records_the_change(world, editor):
    support = make_evidence(world.claim, stance=C, source=world.outlet, user=editor)
    dispute = make_evidence(world.claim, stance=D, source=world.union, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.CONTESTED

    services.evidence_delete(evidence=dispute, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.CORROBORATED
    services.evidence_delete(evidence=support, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.UNVERIFIED

    steps = list(
        ClaimChange.objects.filter(claim=world.claim, field="status").values_list(
            "from_value", "to_value", "actor__username"
        )
    )
    assert steps == [
        ("unverified", "corroborated", editor.username),
        ("corroborated", "contested", editor.username),
        ("contested", "corroborated", editor.username),
        ("corroborated", "unverified", editor.username),
    ]
    assert "removed" in ClaimChange.objects.filter(claim=world.claim).last().reason


def test_changing_stance_recomputes_status(world, editor):
    evidence = make_evidence(world.claim, stance=C, source=world.outlet, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.CORROBORATED
    services.evidence_update(evidence=evidence, stance=D, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.DISPUTED
    assert (claim.corroborates_count, claim.disputes_count) == (0, 1)


def test_moving_a_source_under_the_claimants_parent_removes_its_independence(world, editor):
    make_evidence(world.claim, stance=C, source=world.outlet, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.CORROBORATED
    # The outlet turns out to be run by the city: it is no longer independent.
    services.source_update(source=world.outlet, parent=world.government, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.UNVERIFIED
    assert claim.independent_corroborates_count == 0


def test_changing_the_claimant_recomputes_independence(world, editor):
    make_evidence(world.claim, stance=C, source=world.council, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.UNVERIFIED
    services.claim_update(claim=world.claim, claimant=world.union, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.CORROBORATED


# The interested-party rule: the claim is about the dock workers' union (a top-level source),
# which has a branch under it. Everything under the union is interested; a retraction by the
# claimant's side still disputes.
ABOUT_CASES = [
    (
        [(D, "union")],
        ClaimStatus.UNVERIFIED,
        (0, 1, 0, 0, 0),
        "Denied by Dock Workers' Union, a party the claim is about; no independent evidence yet.",
    ),
    # Under the party's top-level source: interested too.
    (
        [(D, "branch")],
        ClaimStatus.UNVERIFIED,
        (0, 1, 0, 0, 0),
        "Denied by the Branch of the Dock Workers' Union, a party the claim is about; "
        "no independent evidence yet.",
    ),
    (
        [(C, "union")],
        ClaimStatus.UNVERIFIED,
        (1, 0, 0, 0, 0),
        "Supported by Dock Workers' Union, a party the claim is about; no independent "
        "evidence yet.",
    ),
    (
        [(D, "union"), (D, "branch"), (C, "council")],
        ClaimStatus.UNVERIFIED,
        (1, 2, 0, 0, 0),
        "Denied by Dock Workers' Union and the Branch of the Dock Workers' Union, parties the "
        "claim is about; supported by City Council, on the claimant's side; no independent "
        "evidence yet.",
    ),
    (
        [(D, "union"), (C, "outlet")],
        ClaimStatus.CORROBORATED,
        (1, 1, 0, 1, 0),
        "Corroborated by 1 independent source; also denied by Dock Workers' Union, a party the "
        "claim is about.",
    ),
    (
        [(D, "union"), (D, "outlet")],
        ClaimStatus.DISPUTED,
        (0, 2, 0, 0, 1),
        "Disputed by 1 independent source; no independent source corroborates it (denied by "
        "Dock Workers' Union, a party the claim is about).",
    ),
    (
        [(D, "union"), (D, "port")],
        ClaimStatus.DISPUTED,
        (0, 2, 0, 0, 0),
        "Disputed: retracted by Port Authority, on the claimant's own side; no independent "
        "source corroborates it (denied by Dock Workers' Union, a party the claim is about).",
    ),
    (
        [(C, "outlet"), (D, "outlet2"), (D, "union")],
        ClaimStatus.CONTESTED,
        (1, 2, 0, 1, 1),
        "Contested: corroborated by 1 independent source and disputed by 1 independent source.",
    ),
]


@pytest.fixture
def about_world(world, editor):
    world.branch = services.source_create(
        name="Branch of the Dock Workers' Union", kind=SourceKind.ORGANIZATION, parent=world.union
    )
    world.outlet2 = services.source_create(name="Harbour Herald", kind=SourceKind.OUTLET)
    services.claim_update(claim=world.claim, about=[world.union], user=editor)
    return world


@pytest.mark.parametrize(("evidence", "status", "counts", "explanation"), ABOUT_CASES)
def test_evidence_from_a_party_the_claim_is_about_is_not_independent(
    about_world, editor, evidence, status, counts, explanation
):
    for stance, source_name in evidence:
        make_evidence(
            about_world.claim, stance=stance, source=getattr(about_world, source_name), user=editor
        )
    claim = Claim.objects.get(pk=about_world.claim.pk)
    assert (claim.status, claim.status_explanation) == (status, explanation)
    assert (
        claim.corroborates_count,
        claim.disputes_count,
        claim.context_count,
        claim.independent_corroborates_count,
        claim.independent_disputes_count,
    ) == counts


def test_a_party_named_by_one_of_its_bodies_makes_the_whole_party_interested(world, editor):
    # The claim is about the union's branch: the union itself is the branch's top-level source.
    branch = services.source_create(
        name="Branch of the Dock Workers' Union", kind=SourceKind.ORGANIZATION, parent=world.union
    )
    services.claim_update(claim=world.claim, about=[branch], user=editor)
    make_evidence(world.claim, stance=D, source=world.union, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.UNVERIFIED
    assert claim.independent_disputes_count == 0


def test_a_party_on_the_claimants_side_is_the_claimants_side(world, editor):
    # A claim about the claimant's own government: the council's denial is a retraction.
    services.claim_update(claim=world.claim, about=[world.government], user=editor)
    make_evidence(world.claim, stance=D, source=world.council, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.DISPUTED
    assert claim.status_explanation.startswith("Disputed: retracted by City Council")


def test_changing_about_recomputes_the_status_and_records_who_and_why(world, editor):
    make_evidence(world.claim, stance=D, source=world.union, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.DISPUTED

    claim = services.claim_update(claim=world.claim, about=[world.union], user=editor)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.UNVERIFIED
    assert list(claim.about.all()) == [world.union]
    change = ClaimChange.objects.filter(claim=claim, field="status").last()
    assert (change.from_value, change.to_value, change.actor) == ("disputed", "unverified", editor)
    assert change.reason.startswith("Parties the claim is about changed. Denied by")
    # The history records the parties, once, with who changed them.
    latest = claim.history.order_by("-history_id").first()
    assert [row.source_id for row in latest.about.all()] == [world.union.pk]
    assert latest.history_user == editor

    services.claim_update(claim=claim, about=[], user=editor)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.DISPUTED
    assert not claim.about.exists()


def test_setting_the_same_parties_again_changes_nothing(world, editor):
    services.claim_update(claim=world.claim, about=[world.union], user=editor)
    before = ClaimChange.objects.count(), Claim.objects.get(pk=world.claim.pk).history.count()
    services.claim_update(claim=world.claim, about=[world.union], statement="Edited.", user=editor)
    after = ClaimChange.objects.count(), Claim.objects.get(pk=world.claim.pk).history.count()
    assert after == (before[0], before[1] + 1)  # the statement's edit, nothing else


def test_moving_a_party_under_another_parent_recomputes_the_claims_about_it(world, editor):
    # A body of the union denies; the claim is about the union: interested.
    branch = services.source_create(
        name="Dockers' Branch", kind=SourceKind.ORGANIZATION, parent=world.union
    )
    services.claim_update(claim=world.claim, about=[world.union], user=editor)
    make_evidence(world.claim, stance=D, source=branch, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.UNVERIFIED
    # The branch turns out to be independent of the union: its denial now counts.
    services.source_update(source=branch, parent=None, user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.DISPUTED
    # And the party itself moving under the branch makes the branch its top: interested again.
    branch.refresh_from_db()
    services.source_update(source=world.union, parent=branch, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.UNVERIFIED
    assert "a party the claim is about" in claim.status_explanation


def test_deleting_a_party_recomputes_the_claims_about_it(world, editor):
    party = services.source_create(name="Harbour Pilots", kind=SourceKind.ORGANIZATION)
    services.claim_update(claim=world.claim, about=[party, world.union], user=editor)
    make_evidence(world.claim, stance=D, source=world.union, user=editor)
    services.source_delete(source=party, user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert list(claim.about.all()) == [world.union]
    assert claim.status == ClaimStatus.UNVERIFIED
    services.claim_update(claim=claim, about=[], user=editor)
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.DISPUTED


def test_renaming_an_interested_source_renames_it_in_the_explanation(world, editor):
    make_evidence(world.claim, stance=C, source=world.council, user=editor)
    services.source_update(source=world.council, name="Harbour City Council", user=editor)
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status_explanation.startswith("Supported by Harbour City Council,")


def test_creating_a_claim_with_parties(world, editor):
    claim = services.claim_create(
        statement="The union blocked the northern gate.",
        claimant=world.outlet,
        about=[world.union, world.government],
        user=editor,
    )
    assert set(claim.about.all()) == {world.union, world.government}
    make_evidence(claim, stance=D, source=world.port, user=editor)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.UNVERIFIED
    assert claim.status_explanation == (
        "Denied by Port Authority, a party the claim is about; no independent evidence yet."
    )


def test_merging_keeps_the_parties_of_every_duplicate(world, editor):
    duplicate = services.claim_create(
        statement="4,200 boxes went through the north terminal in March.",
        claimant=world.port,
        about=[world.union],
    )
    make_evidence(duplicate, stance=D, source=world.union, user=editor)
    assert Claim.objects.get(pk=duplicate.pk).status == ClaimStatus.UNVERIFIED
    target = merging.claims_merge(target=world.claim, duplicates=[duplicate], user=editor)
    target = Claim.objects.get(pk=target.pk)
    assert list(target.about.all()) == [world.union]
    # The union's denial moved with its party: still interested, still unverified.
    assert target.status == ClaimStatus.UNVERIFIED
    assert target.disputes_count == 1
