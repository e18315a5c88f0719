"""Candidates from a revision, accept / reject / attach, matching existing claims and merging
duplicates (SPEC section 6), through the services on the real database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.services import article_get_or_create, revision_record
from claims import (
    candidate_review,
    candidates,
    claimants,
    keyword_index,
    matching,
    merging,
    services,
)
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimChange,
    ClaimFigure,
    ClaimStatus,
    Evidence,
    Source,
    SourceKind,
)
from tests.conftest import make_evidence

COUNCIL_SENTENCE = "The city council estimates that about 120 jobs depend on the terminal."
PORT_SENTENCE = (
    "The port authority said on Monday that 4,200 containers passed through the northern "
    "terminal in March, the busiest month since 2019."
)


def _by_text(candidates):
    return {c.text: c for c in candidates}


def test_generate_stores_check_worthy_sentences_with_claimant_figures_and_match(world):
    found = _by_text(candidates.candidates_generate(revision=world.revision))

    assert "Harbour City Gazette" not in found  # a heading
    council = found[COUNCIL_SENTENCE]
    assert council.suggested_claimant == "The city council"
    assert council.figures == [
        {
            "value": "120",
            "low": None,
            "high": None,
            "qualifier": "about",
            "unit": "jobs",
            "text": "about 120 jobs",
        }
    ]
    assert {"attribution", "figure"} <= set(council.features)
    assert 0.5 <= council.score <= 1
    assert world.revision.text[council.start : council.end] == COUNCIL_SENTENCE
    # The port sentence states the claim the world already has: "possibly the same as".
    port = found[PORT_SENTENCE]
    assert port.matched_claim == world.claim
    assert port.match_score >= matching.MATCH_THRESHOLD
    assert council.matched_claim is None
    stored = Candidate.objects.filter(article=world.article)
    assert stored.count() == len(found)
    assert set(stored.values_list("state", flat=True)) == {CandidateState.NEW}


def test_generate_twice_changes_nothing(world):
    first = candidates.candidates_generate(revision=world.revision)
    second = candidates.candidates_generate(revision=world.revision)
    assert [c.pk for c in first] == [c.pk for c in second]
    assert Candidate.objects.filter(article=world.article).count() == len(first)


def test_candidates_are_deduplicated_across_revisions_and_keep_decisions(world, editor):
    first = _by_text(candidates.candidates_generate(revision=world.revision))
    candidate_review.candidate_reject(
        candidate=first[COUNCIL_SENTENCE], user=editor, reason="Too vague"
    )
    new_text = (
        "Harbour City Gazette\nUpdate: the terminal reopened on Tuesday after a 9-day closure, "
        "officials said.\n" + world.revision.text.split("\n", 1)[1]
    )
    revision2, created = revision_record(article=world.article, text=new_text)
    assert created

    second = _by_text(candidates.candidates_generate(revision=revision2))

    council = second[COUNCIL_SENTENCE]
    assert council.pk == first[COUNCIL_SENTENCE].pk
    assert council.state == CandidateState.REJECTED  # the decision survives
    assert council.revision == revision2
    assert council.first_revision == world.revision
    assert revision2.text[council.start : council.end] == COUNCIL_SENTENCE
    assert any(text.startswith("Update: the terminal reopened") for text in second)
    assert Candidate.objects.filter(article=world.article).count() == len(first) + 1

    # Generating for the older revision again does not move candidates back to it.
    candidates.candidates_generate(revision=world.revision)
    council.refresh_from_db()
    assert council.revision == revision2


def test_accept_creates_claim_with_anchored_appearance_claimant_and_figures(world, factchecker):
    candidate = _by_text(candidates.candidates_generate(revision=world.revision))[COUNCIL_SENTENCE]

    suggested = claimants.suggested_source(candidate)
    assert suggested == world.council  # "The city council" matched the existing source
    claim = candidate_review.candidate_accept(
        candidate=candidate, user=factchecker, claimant=suggested
    )

    assert claim.statement == COUNCIL_SENTENCE
    assert claim.claimant == world.council
    assert claim.created_by == factchecker
    appearance = Appearance.objects.get(claim=claim)
    assert appearance.revision == world.revision
    assert (appearance.start, appearance.end) == (candidate.start, candidate.end)
    assert appearance.quote == COUNCIL_SENTENCE
    (figure,) = ClaimFigure.objects.filter(claim=claim)
    assert (figure.value, figure.low, figure.qualifier, figure.unit) == (
        Decimal(120),
        None,
        "about",
        "jobs",
    )
    assert figure.stated_at == world.revision.fetched_at
    candidate.refresh_from_db()
    assert (candidate.state, candidate.claim, candidate.decided_by) == (
        CandidateState.ACCEPTED,
        claim,
        factchecker,
    )
    assert candidate.decided_at is not None
    assert candidate.history.first().history_user == factchecker


def test_a_claimant_not_on_record_is_never_created_silently(factchecker):
    article, _ = article_get_or_create(url="https://news.example.org/a", publisher="Daily Post")
    revision, _ = revision_record(
        article=article,
        text="“We lost 300 jobs in March,” said Maria Okafor, the finance director.\n"
        "Two ships were diverted to Wrexley port last week after the storm.",
    )
    found = _by_text(candidates.candidates_generate(revision=revision))
    quoted = next(c for t, c in found.items() if t.startswith("“We lost"))
    unattributed = next(c for t, c in found.items() if t.startswith("Two ships"))
    assert claimants.suggested_source(quoted) is None
    assert claimants.suggested_source(unattributed) is None
    sources_before = Source.objects.count()

    with pytest.raises(ValidationError, match="Choose who made the claim"):
        candidate_review.candidate_accept(candidate=quoted, user=factchecker)

    assert Source.objects.count() == sources_before
    assert Claim.objects.count() == 0
    quoted.refresh_from_db()
    assert quoted.state == CandidateState.NEW
    # What the "new source" step proposes: the claimant's name and a guess at its kind; for
    # an unattributed sentence, the outlet.
    assert claimants.new_source_proposal(quoted) == {
        "name": "Maria Okafor",
        "kind": SourceKind.PERSON,
    }
    assert claimants.new_source_proposal(unattributed) == {
        "name": "Daily Post",
        "kind": SourceKind.OUTLET,
    }


def test_accept_twice_or_without_permission_is_refused_and_writes_nothing(
    world, factchecker, viewer
):
    candidate = _by_text(candidates.candidates_generate(revision=world.revision))[COUNCIL_SENTENCE]
    claims_before = Claim.objects.count()

    with pytest.raises(PermissionDenied):
        candidate_review.candidate_accept(candidate=candidate, user=viewer, claimant=world.council)
    assert Claim.objects.count() == claims_before

    candidate_review.candidate_accept(candidate=candidate, user=factchecker, claimant=world.council)
    with pytest.raises(ValidationError, match="already accepted"):
        candidate_review.candidate_accept(
            candidate=candidate, user=factchecker, claimant=world.council
        )
    assert Claim.objects.count() == claims_before + 1


def test_reject_records_who_and_why(world, factchecker):
    candidate = _by_text(candidates.candidates_generate(revision=world.revision))[COUNCIL_SENTENCE]

    with pytest.raises(ValidationError, match="why"):
        candidate_review.candidate_reject(candidate=candidate, user=factchecker, reason="  ")
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.NEW

    candidate_review.candidate_reject(
        candidate=candidate, user=factchecker, reason="An estimate of jobs"
    )
    candidate.refresh_from_db()
    assert (candidate.state, candidate.decided_by, candidate.decision_reason) == (
        CandidateState.REJECTED,
        factchecker,
        "An estimate of jobs",
    )
    assert candidate.claim is None


def test_attach_adds_an_appearance_and_a_newer_figure_beside_the_older(world, factchecker):
    port = _by_text(candidates.candidates_generate(revision=world.revision))[PORT_SENTENCE]
    claim = candidate_review.candidate_accept(candidate=port, user=factchecker, claimant=world.port)
    other, _ = article_get_or_create(url="https://ledger.example.org/terminal")
    later, _ = revision_record(
        article=other,
        text="The port authority said on Friday that 4,500 containers passed through the "
        "northern terminal in March, revising its figure.",
    )

    (candidate,) = candidates.candidates_generate(revision=later)
    # Another figure is decisive for matching, so the editor attaches it by hand.
    assert candidate.matched_claim is None
    appearance = candidate_review.candidate_attach(
        candidate=candidate, claim=claim, user=factchecker, add_figures=True
    )

    assert appearance.claim == claim and appearance.revision == later
    assert Claim.objects.count() == 2  # the world's claim and this one; none created
    figures = list(
        ClaimFigure.objects.filter(claim=claim, unit="containers").values_list("value", "stated_at")
    )
    assert figures == [
        (Decimal(4200), world.revision.fetched_at),
        (Decimal(4500), later.fetched_at),
    ]
    candidate.refresh_from_db()
    assert (candidate.state, candidate.claim) == (CandidateState.ACCEPTED, claim)


# Matching ----------------------------------------------------------------------------------

STATEMENTS = [
    "About 11,000 North Korean troops have been deployed to assist Russian forces.",
    "Ukraine has captured two North Korean soldiers.",
    "The central bank raised interest rates to 5.25 percent.",
    "The museum reopened after a two-year renovation of its east wing.",
    "More than 18,000 homes were destroyed or damaged by the floods.",
]


@pytest.fixture
def claims_world(world):
    return [services.claim_create(statement=s, claimant=world.outlet) for s in STATEMENTS]


def test_match_ranks_the_paraphrase_first(claims_world, django_assert_num_queries, monkeypatch):
    # The claims were just written: within the window where the keyword index also counts
    # the changes that might not have been committed when it last read the table.
    monkeypatch.setattr(keyword_index, "COMMIT_WINDOW", timedelta(days=1))
    matching.claims_match(text="North Korea")  # the process's keyword index brought current
    # Two queries for the claims changed since (none: new ones, and those counted in the
    # window), one for the pool's statements and titles, one for their sentence vectors
    # (stored by the first match), one for the claims and claimants.
    with django_assert_num_queries(5):
        results = matching.claims_match(
            text="Pyongyang has sent roughly 11,000 soldiers to fight alongside Russia."
        )
    best, score = results[0]
    assert best == claims_world[0]
    assert score >= matching.MATCH_THRESHOLD
    assert all(s < matching.MATCH_THRESHOLD for _, s in results[1:])
    assert best.claimant.name == "Coastal Ledger"  # loaded with the claim, serializer-ready


@pytest.mark.parametrize(
    "text",
    [
        "The orchestra will perform Mahler's fifth symphony at the festival.",
        "About 1,100 North Korean troops have been deployed to assist Russian forces.",
        "Ukraine has not captured any North Korean soldiers.",
        "The central bank cut interest rates to 5.25 percent.",
    ],
)
@pytest.mark.usefixtures("claims_world")
def test_match_keeps_unrelated_and_contradicting_text_below_the_threshold(text):
    assert all(score < matching.MATCH_THRESHOLD for _, score in matching.claims_match(text=text))


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_match_refuses_empty_or_huge_text(db, text):
    with pytest.raises(ValidationError):
        matching.claims_match(text=text)


def test_match_sees_claims_edited_after_creation(claims_world):
    services.claim_update(
        claim=claims_world[3], statement="Measles cases in the region have tripled since 2023."
    )
    (best, score), *_ = matching.claims_match(
        text="The number of measles cases has tripled since 2023."
    )
    assert best == claims_world[3] and score >= matching.MATCH_THRESHOLD


# Merging -----------------------------------------------------------------------------------


def _evidence(claim, source, url, stance="corroborates", user=None):
    return make_evidence(claim, stance=stance, source=source, url=url, title=url, user=user)


def test_merge_keeps_evidence_appearances_figures_and_history(world, editor):
    target = world.claim
    duplicate = services.claim_create(
        statement="In March 4,200 containers went through the north terminal.",
        claimant=world.port,
    )
    services.appearance_create(
        claim=duplicate, revision=world.revision, quote="4,200 containers passed"
    )
    ClaimFigure.objects.create(
        claim=duplicate, value=4200, low=4200, high=4200, unit="containers",
        stated_at=world.revision.fetched_at,
    )  # fmt: skip
    _evidence(duplicate, world.outlet, "https://ledger.example.org/a", user=editor)
    _evidence(target, world.union, "https://union.example.org/b", "disputes", user=editor)
    duplicate_changes = list(ClaimChange.objects.filter(claim=duplicate).values_list("id"))
    assert duplicate_changes  # the duplicate was corroborated: its history has a change

    merged = merging.claims_merge(target=target, duplicates=[duplicate], user=editor)

    assert not Claim.objects.filter(pk=duplicate.pk).exists()
    assert set(Evidence.objects.filter(claim=target).values_list("url", flat=True)) == {
        "https://ledger.example.org/a",
        "https://union.example.org/b",
    }
    assert Appearance.objects.filter(claim=target).count() == 1
    assert ClaimFigure.objects.filter(claim=target).count() == 1
    # The duplicate's past events stay its own, with the merge as its last event.
    events = list(ClaimChange.objects.filter(claim_id=duplicate.pk).values_list("id"))
    assert events[:-1] == duplicate_changes
    merged_event = ClaimChange.objects.get(pk=events[-1][0])
    assert (merged_event.field, merged_event.to_value, merged_event.merged_into) == (
        "claim",
        "merged",
        target.pk,
    )
    # Independent support and a dispute: recomputed in the merge, and recorded.
    assert merged.status == ClaimStatus.CONTESTED
    last = ClaimChange.objects.filter(claim=target).order_by("-id").first()
    assert last.to_value == ClaimStatus.CONTESTED
    assert f"#{duplicate.pk}" in last.reason
    deleted = Claim.history.filter(id=duplicate.pk, history_type="-").get()
    assert deleted.history_change_reason == f"Merged into claim #{target.pk}"
    assert deleted.history_user == editor


def test_merge_with_conflicting_stance_is_refused_and_changes_nothing(world, editor):
    duplicate = services.claim_create(statement="4,200 containers in March.", claimant=world.port)
    _evidence(world.claim, world.outlet, "https://ledger.example.org/a", "corroborates")
    _evidence(duplicate, world.union, "https://union.example.org/z", "context")
    _evidence(duplicate, world.outlet, "https://ledger.example.org/a", "disputes")

    with pytest.raises(ValidationError, match="settle the stance"):
        merging.claims_merge(target=world.claim, duplicates=[duplicate], user=editor)

    assert Claim.objects.filter(pk=duplicate.pk).exists()
    assert Evidence.objects.filter(claim=duplicate).count() == 2
    assert Evidence.objects.filter(claim=world.claim).count() == 1


def test_merge_needs_the_right_to_delete_claims(world, factchecker):
    duplicate = services.claim_create(statement="Duplicate.", claimant=world.port)
    with pytest.raises(PermissionDenied):
        merging.claims_merge(target=world.claim, duplicates=[duplicate], user=factchecker)
    assert Claim.objects.filter(pk=duplicate.pk).exists()


def _article_with(sentences: int, index: int):
    article, _ = article_get_or_create(url=f"https://news.example.org/size/{index}")
    text = " ".join(
        f"The port authority said on Monday that {100 + n} ships docked at Pier {n} in March."
        for n in range(sentences)
    )
    revision, _ = revision_record(article=article, text=text)
    return revision


@pytest.mark.parametrize("match", [False, True])
@pytest.mark.usefixtures("world")  # its claims are matched against the candidates
def test_generate_takes_as_many_queries_for_many_candidates_as_for_few(
    django_assert_num_queries, match
):
    small, large = _article_with(2, 1), _article_with(12, 2)
    candidates.candidates_generate(revision=_article_with(1, 3), match=match)  # caches lexeme stats
    with CaptureQueriesContext(connection) as few:
        assert len(candidates.candidates_generate(revision=small, match=match)) == 2
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(candidates.candidates_generate(revision=large, match=match)) == 12


@pytest.mark.parametrize(
    "suggested, name",
    [
        ("the port authority", "Port Authority"),
        ("Ukraine's Special Operations Forces", "Special Operations Forces of Ukraine"),
        ("South Korea's National Intelligence Service", "National Intelligence Service (Korea)"),
        ("Transport Minister Helen Achterberg", "Helen Achterberg"),
    ],
)
def test_a_suggested_claimant_finds_the_existing_source(world, suggested, name):
    source = Source.objects.filter(name=name).first() or services.source_create(
        name=name, kind=SourceKind.GOVERNMENT
    )
    assert claimants.source_match(suggested) == source


@pytest.mark.usefixtures("world")  # sources exist, none of them the weather service
def test_an_unknown_claimant_matches_nothing():
    assert claimants.source_match("the national weather service") is None


def test_accept_anchors_in_the_current_revision_after_the_text_went_back(world, factchecker):
    candidates.candidates_generate(revision=world.revision)
    changed, _ = revision_record(
        article=world.article, text=world.revision.text + "\nA correction was appended."
    )
    candidates.candidates_generate(revision=changed)
    # The text goes back to the first revision: it is current again.
    back, created = revision_record(article=world.article, text=world.revision.text)
    assert not created and back == world.revision
    candidate = Candidate.objects.get(article=world.article, text=COUNCIL_SENTENCE)
    assert candidate.revision == changed

    claim = candidate_review.candidate_accept(
        candidate=candidate, user=factchecker, claimant=world.council
    )

    appearance = Appearance.objects.get(claim=claim)
    assert appearance.revision == world.revision
    assert world.revision.text[appearance.start : appearance.end] == COUNCIL_SENTENCE
    assert ClaimFigure.objects.get(claim=claim).revision == world.revision


DEMO_TEXT = (
    "KYIV — Ukraine says the North Korean soldiers sent to fight for Russia are taking heavy "
    "losses in the Kursk region, where Ukrainian forces have held ground since last summer.\n"
    "Ukraine's military intelligence agency estimates that about 11,000 North Korean troops "
    "have been deployed to the region.\n"
    "Police arrested two men suspected of starting fires deliberately near the base.\n"
)


def test_only_the_sentence_stating_the_claim_is_proposed_as_the_same(world):
    troops = services.claim_create(
        statement="About 11,000 North Korean troops have been deployed to the Kursk region.",
        claimant=world.outlet,
    )
    released = services.claim_create(
        statement="Police released two men suspected of starting fires deliberately near the base.",
        claimant=world.outlet,
    )
    article, _ = article_get_or_create(url="https://example.org/kursk")
    revision, _ = revision_record(article=article, text=DEMO_TEXT)

    found = candidates.candidates_generate(revision=revision)

    by_start = {c.text.split()[0]: c for c in found}
    assert set(by_start) == {"KYIV", "Ukraine's", "Police"}
    # No figure, so not "the same as" the claim of 11,000 troops; the sentence with it is.
    assert by_start["KYIV"].matched_claim is None
    assert by_start["Ukraine's"].matched_claim == troops
    assert by_start["Ukraine's"].match_score >= matching.MATCH_THRESHOLD
    # Arrested is not released.
    assert by_start["Police"].matched_claim is None
    stored = dict(Candidate.objects.filter(article=article).values_list("text", "matched_claim_id"))
    assert stored == {c.text: c.matched_claim_id for c in found}
    assert released.pk not in stored.values()
