"""Matching goes on after the fact (issue 15): open candidates are matched again when claims
are created or edited, a candidate likely the same as a claim checked before (its verdict
published, or an imported fact-check with another organisation's review) is announced
(``candidate.likely_match``) and listed under the review queue's "Checked before" tab; the
candidates API carries ``likely_same`` beside ``matched_claim``."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.services import article_get_or_create, revision_record
from claims import candidates, imports, services
from claims.models import Candidate, Claim, Rating
from core import events
from pipeline.tasks import rematch_candidates

STATEMENT = "About 11,000 North Korean troops have been deployed to assist Russian forces."
PARAPHRASE = (
    "Pyongyang has deployed about 11,000 North Korean troops to assist Russian forces, "
    "the ministry said on Monday."
)


@pytest.fixture
def announced():
    """Every domain event sent while the test runs."""
    seen: list[dict] = []

    def listen(sender, **kwargs):
        seen.append(kwargs)

    events.domain_event.connect(listen, dispatch_uid="test_checked_before")
    yield seen
    events.domain_event.disconnect(dispatch_uid="test_checked_before")


def _published(claim, editor, second_editor):
    verdict = services.verdict_save(
        claim=claim,
        user=editor,
        rating=Rating.objects.get(label="Mostly accurate"),
        explanation="Both governments' own statements agree on the figure.",
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    return services.verdict_publish(verdict=verdict, user=second_editor)


def _article_with(text: str, slug: str):
    article, _ = article_get_or_create(url=f"https://wire.example.org/{slug}", title=slug)
    revision, _ = revision_record(article=article, text=text, title=slug)
    return article, revision


def _candidate(revision) -> Candidate:
    found = candidates.candidates_generate(revision=revision)
    return next(c for c in found if "11,000" in c.text)


def test_a_paraphrase_of_a_checked_claim_is_likely_the_same_and_announced(
    world, editor, second_editor, announced
):
    claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
    _published(claim, editor, second_editor)
    announced.clear()
    article, revision = _article_with(PARAPHRASE, "troops")

    candidate = _candidate(revision)

    candidate.refresh_from_db()
    assert candidate.matched_claim_id == claim.pk
    assert candidate.match_likely_same is True
    assert 0.5 <= candidate.match_score <= 1
    likely = [e for e in announced if e["event_type"] == events.CANDIDATE_LIKELY_MATCH]
    assert likely == [
        {
            "signal": events.domain_event,
            "event_type": events.CANDIDATE_LIKELY_MATCH,
            "claim_id": claim.pk,
            "article_id": article.pk,
            "extra": {"candidate_id": candidate.pk},
        }
    ]
    # Generating again changes nothing and announces nothing twice.
    announced.clear()
    candidates.candidates_generate(revision=revision)
    assert not [e for e in announced if e["event_type"] == events.CANDIDATE_LIKELY_MATCH]


def _imported(statement: str):
    """A fact-check imported from another organisation's archive, with its review."""
    line = {
        "statement": statement,
        "external_id": "wire-check-41",
        "url": "https://checks.example.net/troops",
        "reviewer": "Wire Checks",
        "rating": "Accurate figure",
        "claimant": "Defence Intelligence of Ukraine",
    }
    report = imports.import_file(json.dumps(line).encode(), as_operator=True)
    (claim_id,) = report.created
    return Claim.objects.get(pk=claim_id)


def test_a_paraphrase_of_an_imported_fact_check_is_announced(world, announced):
    # Another organisation's published review counts as checked before, as our own does.
    claim = _imported(STATEMENT)
    announced.clear()
    article, revision = _article_with(PARAPHRASE, "troops")

    candidate = _candidate(revision)

    assert (candidate.matched_claim_id, candidate.match_likely_same) == (claim.pk, True)
    likely = [e for e in announced if e["event_type"] == events.CANDIDATE_LIKELY_MATCH]
    assert [(e["claim_id"], e["article_id"]) for e in likely] == [(claim.pk, article.pk)]


def test_no_announcement_without_a_published_verdict(world, announced):
    services.claim_create(statement=STATEMENT, claimant=world.outlet)
    _, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    assert candidate.match_likely_same is True
    assert not [e for e in announced if e["event_type"] == events.CANDIDATE_LIKELY_MATCH]


def test_another_figure_is_not_likely_the_same(world):
    services.claim_create(statement=STATEMENT, claimant=world.outlet)
    _, revision = _article_with(PARAPHRASE.replace("11,000", "1,100"), "other")
    candidate = next(
        c for c in candidates.candidates_generate(revision=revision) if "1,100" in c.text
    )
    assert candidate.match_likely_same is False


def test_a_claim_created_later_matches_the_open_candidate_after_commit(
    world, eager_celery, django_capture_on_commit_callbacks
):
    _, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    assert candidate.matched_claim_id is None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
        candidate.refresh_from_db()
        assert candidate.matched_claim_id is None  # not before the commit
    assert callbacks  # the re-match was queued on commit

    candidate.refresh_from_db()
    assert (candidate.matched_claim_id, candidate.match_likely_same) == (claim.pk, True)


def test_editing_the_claim_away_clears_the_match_and_a_decided_candidate_is_left(
    world, eager_celery, django_capture_on_commit_callbacks, factchecker
):
    claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
    _, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    assert candidate.matched_claim_id == claim.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_update(
            claim=claim, statement="The museum reopened after a two-year renovation."
        )
    candidate.refresh_from_db()
    assert (candidate.matched_claim_id, candidate.match_likely_same) == (None, False)

    # A statement left as it is queues nothing.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.claim_update(claim=claim, needs_review=True, needs_review_reason="Check it")
    assert not callbacks


def test_rematch_only_touches_the_candidates_concerned(world, django_assert_max_num_queries):
    _, revision = _article_with(PARAPHRASE, "troops")
    _candidate(revision)
    unrelated = services.claim_create(
        statement="The orchestra will perform Mahler's fifth symphony.", claimant=world.outlet
    )
    # The candidate is read, and the touched claim; nothing is matched again or written.
    with django_assert_max_num_queries(2):
        assert rematch_candidates(claim_ids=[unrelated.pk]) == 0


def test_checked_before_tab_lists_the_candidate_with_the_verdict(
    client, world, editor, second_editor, factchecker
):
    claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
    services.claim_update(claim=claim, assignee=factchecker)
    _published(claim, editor, second_editor)
    article, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    client.force_login(factchecker)

    response = client.get(reverse("review") + "?tab=checked")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Checked before" in body
    assert f'data-candidate-id="{candidate.pk}"' in body
    assert f"Likely the same as claim #{claim.pk}" in body
    assert "Mostly accurate" in body and article.title in body
    # The claim's assignee sees it under their own filter; another assignee's view does not.
    mine = client.get(reverse("review") + f"?tab=checked&assignee={factchecker.pk}")
    assert f'data-candidate-id="{candidate.pk}"' in mine.content.decode()
    theirs = client.get(reverse("review") + f"?tab=checked&assignee={editor.pk}")
    assert f'data-candidate-id="{candidate.pk}"' not in theirs.content.decode()


def test_checked_before_tab_lists_a_paraphrase_of_an_imported_fact_check(
    client, world, factchecker
):
    claim = _imported(STATEMENT)
    _, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    client.force_login(factchecker)

    body = client.get(reverse("review") + "?tab=checked").content.decode()

    assert f'data-candidate-id="{candidate.pk}"' in body
    assert f"Likely the same as claim #{claim.pk}" in body
    # The other organisation's review instead of a verdict of ours, and the archive's claimant.
    assert "Checked by <strong>Wire Checks</strong>: <strong>Accurate figure</strong>" in body
    assert 'href="https://checks.example.net/troops"' in body
    assert "Defence Intelligence of Ukraine" in body
    assert "verdict <span" not in body


def test_checked_before_tab_leaves_out_claims_without_a_published_verdict(
    client, world, factchecker
):
    services.claim_create(statement=STATEMENT, claimant=world.outlet)
    _, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    assert candidate.match_likely_same
    client.force_login(factchecker)
    body = client.get(reverse("review") + "?tab=checked").content.decode()
    assert f'data-candidate-id="{candidate.pk}"' not in body
    assert "No new candidate repeats a claim checked before." in body


def test_candidates_api_carries_likely_same_beside_matched_claim(client, world):
    claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
    article, revision = _article_with(PARAPHRASE, "troops")
    candidate = _candidate(revision)
    results = client.get(f"/api/v1/articles/{article.pk}/candidates/").json()["results"]
    row = next(r for r in results if r["id"] == candidate.pk)
    assert (row["matched_claim"], row["likely_same"]) == (claim.pk, True)


def test_checked_before_tab_reads_a_fixed_number_of_queries(
    client, world, editor, second_editor, factchecker
):
    _imported(STATEMENT)
    _candidate(_article_with(PARAPHRASE, "troops")[1])
    client.force_login(factchecker)
    url = reverse("review") + "?tab=checked"
    client.get(url)  # the session and the caches warm
    with CaptureQueriesContext(connection) as one:
        first = client.get(url).content.decode()
    # More rows: other articles repeating the imported check, and one of our own published.
    own = services.claim_create(
        statement="Ukrainian troops have captured two North Korean soldiers in Kursk.",
        claimant=world.outlet,
    )
    _published(own, editor, second_editor)
    for slug in ("again", "once-more"):
        _candidate(_article_with(PARAPHRASE, slug)[1])
    _, revision = _article_with(
        "Kyiv says its troops have captured two North Korean soldiers in Kursk.", "captured"
    )
    candidates.candidates_generate(revision=revision)
    with CaptureQueriesContext(connection) as more:
        body = client.get(url).content.decode()
    assert body.count("data-candidate-id=") == first.count("data-candidate-id=") + 3
    assert len(more) == len(one)
