"""SPEC section 3: the computed status, as a table of cases, through the services."""

import pytest

from claims import services
from claims.models import Claim, ClaimChange, ClaimStatus, Stance
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
