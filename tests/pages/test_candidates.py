"""Candidates on the editors' pages (issues 5 and 6): the second kind of highlight on the
article review page, accepting, rejecting and attaching them there, their tab in the review
queue, and a claim's figures on its panel and public page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.candidate_review import candidate_reject
from claims.candidates import candidates_generate
from claims.models import Appearance, Candidate, CandidateState, Claim, ClaimFigure
from tests.pages.helpers import review_url

COUNCIL_SENTENCE = "The city council estimates that about 120 jobs depend on the terminal."


@pytest.fixture
def w(pages_world):
    """The pages' newsroom with candidates found in its second revision."""
    w = pages_world
    candidates_generate(revision=w.revision2)
    w.council_candidate = Candidate.objects.get(text=COUNCIL_SENTENCE)
    return w


def action_url(w, action: str, candidate=None) -> str:
    candidate = candidate or w.council_candidate
    return reverse(f"article_candidate_{action}", args=[w.article.pk, candidate.pk])


# The review page --------------------------------------------------------------------------


def test_open_candidates_are_a_second_kind_of_highlight(client, w, viewer):
    client.force_login(viewer)
    response = client.get(review_url(w))
    html = response.content.decode()
    candidate = w.council_candidate
    assert f'data-candidate-id="{candidate.pk}"' in html
    assert f'href="?candidate={candidate.pk}#claim-panel"' in html
    # The claims inside candidate sentences keep their own highlight and status.
    assert f'data-claim-id="{w.union_claim.pk}" data-status="unverified"' in html
    scores = [c.score for c in response.context["candidates"]]
    assert scores == sorted(scores, reverse=True)  # best first
    assert len(response.context["candidates"]) == Candidate.objects.open().count() >= 3
    # The sentence is shown whole: the mark holds it, the claim mark does not cut it.
    assert "about 120 jobs depend on the terminal." in html
    # A viewer reads candidates but is offered no decision.
    html = client.get(review_url(w, candidate=candidate.pk)).content.decode()
    assert "Accept as claim</button>" not in html and "Reject candidate</button>" not in html
    assert "Your role can read candidates but not decide on them." in html


def test_candidate_panel_shows_score_features_claimant_and_figures(client, w, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(w, candidate=w.council_candidate.pk)).content.decode()
    assert f"Candidate #{w.council_candidate.pk}" in html
    assert f"{w.council_candidate.score:.2f}" in html
    assert "The city council</strong>" in html
    assert '<span class="figure">about 120 jobs</span>' in html
    assert "figures</li>" in html and "attribution</li>" in html
    assert "Accept as claim</button>" in html and "Reject candidate</button>" in html
    # The statement to accept starts as the sentence, editable.
    assert f"\n{COUNCIL_SENTENCE}</textarea>" in html


def test_a_candidate_of_another_article_is_not_shown_or_decided(client, w, factchecker):
    from articles.services import article_get_or_create, revision_record

    other, _ = article_get_or_create(url="https://other.example.org/a", title="Other")
    revision, _ = revision_record(article=other, text=COUNCIL_SENTENCE + " Again.", title="O")
    (foreign,) = [c for c in candidates_generate(revision=revision) if "council" in c.text]
    client.force_login(factchecker)
    response = client.get(review_url(w, candidate=foreign.pk))
    assert response.context["candidate"] is None
    response = client.post(action_url(w, "accept", foreign), {"statement": "x"})
    assert response.status_code == 404
    assert Candidate.objects.get(pk=foreign.pk).state == CandidateState.NEW


def test_review_page_queries_do_not_grow_with_candidates(client, w, factchecker):
    client.force_login(factchecker)
    client.get(review_url(w))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(review_url(w)).status_code == 200
        return len(captured)

    before = queries()
    extra = " ".join(f"The ministry said {n},000 people were moved on day {n}." for n in (2, 3, 4))
    text = w.revision2.text + "\n" + extra
    from articles.services import revision_record

    revision3, _ = revision_record(article=w.article, text=text, title="Terminal")
    for appearance in Appearance.objects.filter(revision=w.revision2):
        services.appearance_create(
            claim=appearance.claim, revision=revision3, quote=appearance.quote
        )
    candidates_generate(revision=revision3)
    assert Candidate.objects.filter(revision=revision3).count() >= 6
    assert queries() == before


# Accepting ---------------------------------------------------------------------------------


def test_accepting_makes_a_claim_with_its_appearance_claimant_and_figures(client, w, factchecker):
    client.force_login(factchecker)
    page = client.get(review_url(w, candidate=w.council_candidate.pk))
    # "The city council" matched the existing source: it is the claimant chosen in advance.
    assert page.context["resolved_claimant"] == w.council
    assert f'<option value="{w.council.pk}" selected>City Council' in page.content.decode()
    response = client.post(
        action_url(w, "accept"),
        {"statement": "About 120 jobs depend on the terminal.", "claimant": w.council.pk},
    )
    claim = Claim.objects.get(statement="About 120 jobs depend on the terminal.")
    assert response.status_code == 302
    assert response["Location"] == review_url(w, claim=claim.pk) + "#claim-panel"
    assert claim.claimant == w.council
    appearance = Appearance.objects.get(claim=claim)
    assert appearance.revision == w.revision2 and appearance.quote == COUNCIL_SENTENCE
    assert w.revision2.text[appearance.start : appearance.end] == COUNCIL_SENTENCE
    (figure,) = ClaimFigure.objects.filter(claim=claim)
    assert (figure.value, figure.qualifier, figure.unit) == (Decimal("120"), "about", "jobs")
    assert figure.stated_at == w.revision2.fetched_at
    candidate = Candidate.objects.get(pk=w.council_candidate.pk)
    assert candidate.state == CandidateState.ACCEPTED and candidate.claim == claim
    assert candidate.decided_by == factchecker

    # The page now shows the claim's highlight and no longer the candidate's.
    response = client.get(response["Location"])
    html = response.content.decode()
    assert f'data-claim-id="{claim.pk}" data-status="unverified"' in html
    assert f'data-candidate-id="{candidate.pk}"' not in html
    assert f"Claim #{claim.pk} created from the candidate." in html
    assert "Figures stated" in html and '<span class="figure">about 120 jobs</span>' in html


def test_accepting_with_a_blank_statement_is_a_clear_400(client, w, factchecker):
    client.force_login(factchecker)
    claims_before = Claim.objects.count()
    response = client.post(action_url(w, "accept"), {"statement": "   "})
    assert response.status_code == 400
    assert "Write the claim&#x27;s statement, or keep the sentence." in response.content.decode()
    assert response.context["candidate"].pk == w.council_candidate.pk
    assert Claim.objects.count() == claims_before
    assert Candidate.objects.get(pk=w.council_candidate.pk).state == CandidateState.NEW


def test_accepting_a_candidate_decided_meanwhile_is_refused(client, w, factchecker, editor):
    client.force_login(factchecker)
    page = client.get(review_url(w, candidate=w.council_candidate.pk))
    assert "Accept as claim</button>" in page.content.decode()
    candidate_reject(candidate=w.council_candidate, user=editor, reason="Not news.")
    claims_before = Claim.objects.count()
    response = client.post(
        action_url(w, "accept"), {"statement": COUNCIL_SENTENCE, "claimant": w.council.pk}
    )
    assert response.status_code == 409
    assert "This candidate was already rejected." in response.content.decode()
    assert Claim.objects.count() == claims_before
    candidate = Candidate.objects.get(pk=w.council_candidate.pk)
    assert candidate.state == CandidateState.REJECTED and candidate.decided_by == editor


def test_htmx_refusal_keeps_the_review_page_address(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(action_url(w, "reject"), {"reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Replace-Url"] == review_url(w, candidate=w.council_candidate.pk)


def test_viewer_and_anonymous_cannot_decide(client, w, viewer):
    claims_before = Claim.objects.count()
    response = client.post(action_url(w, "accept"), {"statement": COUNCIL_SENTENCE})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(viewer)
    for action, data in (
        ("accept", {"statement": COUNCIL_SENTENCE}),
        ("reject", {"reason": "No."}),
        ("attach", {"claim": w.claim.pk}),
    ):
        assert client.post(action_url(w, action), data).status_code == 403
    assert client.get(action_url(w, "accept")).status_code == 405
    assert Claim.objects.count() == claims_before
    assert Candidate.objects.get(pk=w.council_candidate.pk).state == CandidateState.NEW


# Rejecting ---------------------------------------------------------------------------------


def test_rejecting_needs_a_reason(client, w, factchecker):
    client.force_login(factchecker)
    history = w.council_candidate.history.count()
    response = client.post(action_url(w, "reject"), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the candidate is rejected." in response.content.decode()
    candidate = Candidate.objects.get(pk=w.council_candidate.pk)
    assert candidate.state == CandidateState.NEW and candidate.history.count() == history


def test_rejecting_records_who_and_why(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(action_url(w, "reject"), {"reason": "An estimate, not news."})
    assert response.status_code == 302
    assert response["Location"] == review_url(w) + "#candidates-heading"
    candidate = Candidate.objects.get(pk=w.council_candidate.pk)
    assert candidate.state == CandidateState.REJECTED
    assert candidate.decided_by == factchecker
    assert candidate.decision_reason == "An estimate, not news."
    html = client.get(review_url(w)).content.decode()
    assert f'data-candidate-id="{candidate.pk}"' not in html
    html = client.get(review_url(w, candidate=candidate.pk)).content.decode()
    assert "Rejected by <strong>fay_factchecker</strong>" in html
    assert "An estimate, not news." in html


# Attaching to a matched claim -------------------------------------------------------------


@pytest.fixture
def matched(w, factchecker):
    """A claim already checked elsewhere that the council sentence restates."""
    w.jobs_claim = services.claim_create(
        statement="About 120 jobs depend on the terminal, the city council estimates.",
        claimant=w.council,
        user=factchecker,
    )
    candidates_generate(revision=w.revision2)
    w.council_candidate.refresh_from_db()
    assert w.council_candidate.matched_claim == w.jobs_claim
    return w


def test_candidate_panel_offers_the_matched_claim(client, matched, factchecker):
    w = matched
    client.force_login(factchecker)
    html = client.get(review_url(w, candidate=w.council_candidate.pk)).content.decode()
    # The learned matching's calibrated flag says "likely"; a weaker match says "possibly".
    likely = w.council_candidate.match_likely_same
    heading = "Likely the same as" if likely else "Possibly the same as"
    assert f"{heading} claim #{w.jobs_claim.pk}" in html
    assert f"Attach to claim #{w.jobs_claim.pk}</button>" in html
    assert f'name="claim" value="{w.jobs_claim.pk}"' in html
    listed = "likely the same as claim" if likely else "possibly claim"
    page = client.get(review_url(w)).content.decode()
    assert f"{listed} #{w.jobs_claim.pk}" in page
    # The list says which claim that is, not only its number.
    assert f"“{w.jobs_claim.statement}”" in page


def test_attaching_adds_an_appearance_instead_of_a_claim(client, matched, factchecker):
    w = matched
    client.force_login(factchecker)
    claims_before = Claim.objects.count()
    response = client.post(action_url(w, "attach"), {"claim": w.jobs_claim.pk})
    assert response.status_code == 302
    assert response["Location"] == review_url(w, claim=w.jobs_claim.pk) + "#claim-panel"
    assert Claim.objects.count() == claims_before
    appearance = Appearance.objects.get(claim=w.jobs_claim)
    assert appearance.revision == w.revision2 and appearance.quote == COUNCIL_SENTENCE
    # Nothing but the appearance: the editor did not ask for the sentence's figures.
    assert not ClaimFigure.objects.filter(claim=w.jobs_claim).exists()
    candidate = Candidate.objects.get(pk=w.council_candidate.pk)
    assert candidate.state == CandidateState.ACCEPTED and candidate.claim == w.jobs_claim
    html = client.get(response["Location"]).content.decode()
    assert f'data-claim-id="{w.jobs_claim.pk}"' in html


def test_attaching_adds_the_sentences_own_figures_only_when_the_editor_asks(
    client, matched, factchecker
):
    w = matched
    client.force_login(factchecker)
    html = client.get(review_url(w, candidate=w.council_candidate.pk)).content.decode()
    assert 'name="add_figures"' in html and "Also add this sentence" in html
    response = client.post(action_url(w, "attach"), {"claim": w.jobs_claim.pk, "add_figures": "on"})
    assert response.status_code == 302
    (figure,) = ClaimFigure.objects.filter(claim=w.jobs_claim)
    assert (figure.value, figure.unit, figure.revision) == (Decimal("120"), "jobs", w.revision2)


def test_attaching_to_a_claim_the_page_did_not_offer_is_refused(client, matched, factchecker):
    w = matched
    client.force_login(factchecker)
    for data, status in (({"claim": w.claim.pk}, 409), ({"claim": "x"}, 400), ({}, 400)):
        response = client.post(action_url(w, "attach"), data)
        assert response.status_code == status
    assert (
        "The suggested claim changed"
        in client.post(action_url(w, "attach"), {"claim": w.claim.pk}).content.decode()
    )
    assert not Appearance.objects.filter(claim=w.jobs_claim).exists()
    assert Candidate.objects.get(pk=w.council_candidate.pk).state == CandidateState.NEW


# Review queue ------------------------------------------------------------------------------


def test_queue_lists_new_candidates_oldest_first_with_a_link_to_each(client, w, viewer, editor):
    from articles.services import article_get_or_create, revision_record

    other, _ = article_get_or_create(url="https://other.example.org/b", title="Other story")
    revision, _ = revision_record(
        article=other, text="The mayor said 40 buses were bought in 2024.", title="Other story"
    )
    (later,) = candidates_generate(revision=revision)
    Candidate.objects.filter(pk=w.council_candidate.pk).update(
        created_at=later.created_at.replace(year=2020)
    )
    candidate_reject(
        candidate=Candidate.objects.get(text__startswith="Dock workers"),
        user=editor,
        reason="Already a claim.",
    )
    client.force_login(viewer)
    response = client.get(reverse("review"))
    counts = {tab.key: n for tab, n in response.context["tabs"]}
    open_count = Candidate.objects.open().count()
    assert counts["candidates"] == open_count and response.context["current"].key == "candidates"
    rows = list(response.context["page"].object_list)
    assert rows[0].pk == w.council_candidate.pk and rows[-1].pk == later.pk
    assert all(row.state == CandidateState.NEW for row in rows) and len(rows) == open_count
    html = response.content.decode()
    link = reverse("article_review", args=[w.article.pk]) + (
        f"?candidate={w.council_candidate.pk}#claim-panel"
    )
    assert link in html and "The city council" in html

    response = client.get(reverse("review") + f"?tab=candidates&article={other.pk}")
    assert [c.pk for c in response.context["page"].object_list] == [later.pk]
    assert "Only the article filter applies to this list." in response.content.decode()


# Figures on the public page ----------------------------------------------------------------


def test_public_page_shows_the_claims_figures(client, w, factchecker):
    client.force_login(factchecker)
    client.post(
        action_url(w, "accept"),
        {"statement": "About 120 jobs depend on the terminal.", "claimant": w.council.pk},
    )
    claim = Claim.objects.get(statement="About 120 jobs depend on the terminal.")
    client.logout()
    html = client.get(reverse("claim_public", args=[claim.pk])).content.decode()
    assert "Figures in the claim" in html
    assert '<span class="figure">about 120 jobs</span>' in html


def test_recording_a_hand_made_claims_figures_needs_permission_and_is_idempotent(
    w, factchecker, viewer
):
    from django.core.exceptions import PermissionDenied

    from claims.candidate_review import claim_figures_record

    candidate = w.council_candidate
    with pytest.raises(PermissionDenied):
        claim_figures_record(claim=w.claim, candidate=candidate, user=viewer)
    assert not ClaimFigure.objects.filter(claim=w.claim).exists()
    (figure,) = claim_figures_record(claim=w.claim, candidate=candidate, user=factchecker)
    assert (figure.unit, figure.revision) == ("jobs", w.revision2)
    assert claim_figures_record(claim=w.claim, candidate=candidate, user=factchecker) == []
    assert ClaimFigure.objects.filter(claim=w.claim).count() == 1
