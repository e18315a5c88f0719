"""``claims.status.compute_status`` as a pure function (no database), and the frozen copy of
it that migration 0012 applies to existing claims."""

from importlib import import_module

import pytest

from claims.status import (
    ABOUT_PARTY,
    CLAIMANT_SIDE,
    EXPLANATION_MAX,
    EvidenceFact,
    compute_status,
    display_name,
    interest,
    is_independent,
)

frozen = import_module("claims.migrations.0012_recompute_status_rule_change")

# Roots: 1 the claimant's government, 2 the party the claim is about, 3.. independent.
UKRAINE, RUSSIA = 1, 2


def fact(stance, source_id, root_id, name="", kind="government"):
    return EvidenceFact(
        stance=stance,
        source_id=source_id,
        source_root_id=root_id,
        source_name=name,
        source_kind=kind,
    )


def test_interest_compares_top_level_sources():
    assert interest(source_root_id=UKRAINE, claimant_root_id=UKRAINE) == CLAIMANT_SIDE
    assert (
        interest(source_root_id=RUSSIA, claimant_root_id=UKRAINE, about_root_ids={RUSSIA})
        == ABOUT_PARTY
    )
    assert interest(source_root_id=3, claimant_root_id=UKRAINE, about_root_ids={RUSSIA}) is None
    # A party on the claimant's side is the claimant's side (a denial there is a retraction).
    assert (
        interest(source_root_id=UKRAINE, claimant_root_id=UKRAINE, about_root_ids={UKRAINE})
        == CLAIMANT_SIDE
    )
    assert is_independent(source_root_id=3, claimant_root_id=UKRAINE, about_root_ids={RUSSIA})
    assert not is_independent(source_root_id=RUSSIA, claimant_root_id=1, about_root_ids={RUSSIA})


def test_the_spec_example():
    result = compute_status(
        claimant_root_id=UKRAINE,
        about_root_ids={RUSSIA},
        evidence=[fact("disputes", 20, RUSSIA, "Ministry of Defence of Russia")],
    )
    assert result.status == "unverified"
    assert result.explanation == (
        "Denied by the Ministry of Defence of Russia, a party the claim is about; "
        "no independent evidence yet."
    )
    assert (result.disputes, result.independent_disputes) == (1, 0)


@pytest.mark.parametrize(
    ("name", "kind", "shown"),
    [
        ("Ministry of Defence of Russia", "government", "the Ministry of Defence of Russia"),
        ("Government of South Korea", "government", "the Government of South Korea"),
        ("The Bank of England", "organization", "The Bank of England"),
        ("Kremlin", "government", "Kremlin"),
        ("Volodymyr Zelenskyy", "person", "Volodymyr Zelenskyy"),
        ("Voice of America", "outlet", "Voice of America"),
    ],
)
def test_institutions_named_x_of_y_read_with_the_article(name, kind, shown):
    assert display_name(name, kind) == shown


def test_many_interested_sources_are_counted_after_two_names():
    evidence = [fact("disputes", 20 + n, RUSSIA, f"Body {n}", "organization") for n in range(4)]
    # The same source twice is one name.
    evidence.append(fact("disputes", 20, RUSSIA, "Body 0", "organization"))
    result = compute_status(claimant_root_id=UKRAINE, about_root_ids={RUSSIA}, evidence=evidence)
    assert result.explanation == (
        "Denied by Body 0, Body 1 and 2 others, parties the claim is about; "
        "no independent evidence yet."
    )
    assert result.disputes == 5


def test_an_explanation_never_outgrows_its_column():
    long_name = "Directorate " + "of Very Long Names " * 30
    evidence = [
        fact("disputes", 20, RUSSIA, long_name),
        fact("corroborates", 10, UKRAINE, long_name),
    ]
    result = compute_status(claimant_root_id=UKRAINE, about_root_ids={RUSSIA}, evidence=evidence)
    assert len(result.explanation) == EXPLANATION_MAX
    assert result.explanation.endswith("…")


def test_independent_counts_are_of_items_and_the_explanation_of_sources():
    evidence = [
        fact("corroborates", 3, 3, "Outlet", "outlet"),
        fact("corroborates", 3, 3, "Outlet", "outlet"),
        fact("disputes", 4, 4, "Other outlet", "outlet"),
        fact("context", 5, 5, "Archive", "document"),
    ]
    result = compute_status(claimant_root_id=UKRAINE, about_root_ids={RUSSIA}, evidence=evidence)
    assert result.status == "contested"
    assert (result.corroborates, result.disputes, result.context) == (2, 1, 1)
    assert (result.independent_corroborates, result.independent_disputes) == (2, 1)
    assert result.explanation == (
        "Contested: corroborated by 1 independent source and disputed by 1 independent source."
    )


# Every branch of the rule, for the parity of the live rule and the migration's frozen copy.
PARITY = [
    [],
    [("context", 5, 5)],
    [("corroborates", 10, UKRAINE)],
    [("corroborates", 3, 3)],
    [("corroborates", 3, 3), ("corroborates", 10, UKRAINE), ("disputes", 20, RUSSIA)],
    [("disputes", 3, 3)],
    [("disputes", 3, 3), ("corroborates", 10, UKRAINE)],
    [("disputes", 10, UKRAINE)],
    [("disputes", 10, UKRAINE), ("disputes", 20, RUSSIA), ("corroborates", 21, RUSSIA)],
    [("disputes", 20, RUSSIA), ("disputes", 22, RUSSIA), ("disputes", 23, RUSSIA)],
    [("corroborates", 3, 3), ("disputes", 4, 4), ("disputes", 10, UKRAINE)],
    [("corroborates", 3, 3), ("disputes", 10, UKRAINE)],
]


@pytest.mark.parametrize("evidence", PARITY)
def test_the_migration_applies_the_rule_of_claims_status(evidence):
    names = {10: "Special Operations Forces of Ukraine", 20: "Ministry of Defence of Russia"}
    facts = [fact(s, i, r, names.get(i, f"Source {i}")) for s, i, r in evidence]
    live = compute_status(claimant_root_id=UKRAINE, about_root_ids={RUSSIA}, evidence=facts)
    copy = frozen.compute(
        UKRAINE,
        {RUSSIA},
        [(f.stance, f.source_id, f.source_root_id, f.source_name, f.source_kind) for f in facts],
    )
    assert copy == (
        live.status,
        live.explanation,
        live.corroborates,
        live.disputes,
        live.context,
        live.independent_corroborates,
        live.independent_disputes,
    )
