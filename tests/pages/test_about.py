"""The parties a claim is about on the article review page: chosen when a candidate is
accepted, shown on the claim's panel with why their evidence is not independent."""

import pytest

from claims import services
from claims.candidates import candidates_generate
from claims.models import Candidate, CandidateState, Claim, ClaimStatus
from tests.conftest import make_evidence
from tests.pages.helpers import review_url
from tests.pages.test_candidates import COUNCIL_SENTENCE, action_url


@pytest.fixture
def w(pages_world):
    w = pages_world
    candidates_generate(revision=w.revision2)
    w.council_candidate = Candidate.objects.get(text=COUNCIL_SENTENCE)
    return w


def test_accepting_a_candidate_with_the_parties_it_is_about(client, w, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(w, candidate=w.council_candidate.pk)).content.decode()
    assert '<select id="id_about" name="about" multiple' in html
    assert f'<option value="{w.union.pk}">Dock Workers&#x27; Union</option>' in html

    response = client.post(
        action_url(w, "accept"),
        {
            "statement": "About 120 jobs depend on the terminal.",
            "claimant": w.council.pk,
            "about": [w.union.pk],
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(statement="About 120 jobs depend on the terminal.")
    assert list(claim.about.all()) == [w.union]

    # The union's denial is interested: the claim stays unverified, and the panel says why.
    make_evidence(claim, stance="disputes", source=w.union, user=factchecker)
    make_evidence(claim, stance="corroborates", source=w.port, user=factchecker)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED
    html = client.get(review_url(w, claim=claim.pk)).content.decode()
    assert "About <strong>Dock Workers&#x27; Union</strong>" in html
    assert "not independent: a party the claim is about" in html
    assert "not independent: the claimant's side" in html
    assert (
        "Denied by Dock Workers&#x27; Union, a party the claim is about; supported by Port "
        "Authority, on the claimant&#x27;s side; no independent evidence yet."
    ) in html


def test_an_unknown_party_is_a_form_error_and_stores_nothing(client, w, factchecker):
    client.force_login(factchecker)
    before = Claim.objects.count()
    response = client.post(
        action_url(w, "accept"),
        {"statement": COUNCIL_SENTENCE, "claimant": w.council.pk, "about": ["999999"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "One of those sources no longer exists: choose again." in html
    assert 'id="id_about_error"' in html
    assert Claim.objects.count() == before
    assert Candidate.objects.get(pk=w.council_candidate.pk).state == CandidateState.NEW


def test_a_refused_form_keeps_the_parties_chosen(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(
        action_url(w, "accept"),
        {"statement": "   ", "claimant": w.council.pk, "about": [w.union.pk]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<option value="{w.union.pk}" selected>Dock Workers&#x27; Union</option>' in html


def test_the_claim_panel_counts_independent_disputes(client, w, viewer, editor):
    services.claim_update(claim=w.union_claim, about=[w.government], user=editor)
    make_evidence(w.union_claim, stance="disputes", source=w.outlet, user=editor)
    client.force_login(viewer)
    response = client.get(review_url(w, claim=w.union_claim.pk))
    claim = response.context["claim"]
    assert claim.independent_disputes_count == 1
    assert [item.interest for item in claim.evidence.all()] == [None]
    assert "About <strong>City of Harbour</strong>" in response.content.decode()
