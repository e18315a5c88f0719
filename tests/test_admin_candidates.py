"""The admin for claims from text: candidates accepted and rejected with a reason, figures on
the claim page, and duplicate claims merged, all through the services."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from claims import candidates, services
from claims.models import Candidate, CandidateState, Claim, ClaimFigure

CHANGELIST = "admin:claims_candidate_changelist"


def _council_candidate(world):
    return next(
        c
        for c in candidates.candidates_generate(revision=world.revision)
        if c.text.startswith("The city council")
    )


def test_candidate_pages_render_for_an_editor(client, world, editor):
    candidate = _council_candidate(world)
    client.force_login(editor)
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    assert "The city council estimates" in listing.content.decode()
    detail = client.get(reverse("admin:claims_candidate_change", args=[candidate.pk]))
    assert detail.status_code == 200
    assert "about 120 jobs" in detail.content.decode()


def test_accept_action_creates_the_claim(client, world, factchecker):
    candidate = _council_candidate(world)
    client.force_login(factchecker)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "accept_candidates", ACTION_CHECKBOX_NAME: [candidate.pk]},
        follow=True,
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.ACCEPTED
    assert candidate.claim.claimant == world.council
    assert "1 candidate(s) accepted" in response.content.decode()
    # The claim page shows the figure it states.
    page = client.get(reverse("admin:claims_claim_change", args=[candidate.claim_id]))
    assert page.status_code == 200
    assert "figures stated" in page.content.decode().lower()
    assert "about 120 jobs" in page.content.decode()


def test_reject_action_asks_for_the_reason_then_records_it(client, world, factchecker):
    candidate = _council_candidate(world)
    client.force_login(factchecker)
    data = {"action": "reject_candidates", ACTION_CHECKBOX_NAME: [candidate.pk]}
    form_page = client.post(reverse(CHANGELIST), data)
    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.content.decode()
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.NEW

    client.post(reverse(CHANGELIST), {**data, "reason": "Only an estimate"}, follow=True)
    candidate.refresh_from_db()
    assert (candidate.state, candidate.decision_reason, candidate.decided_by) == (
        CandidateState.REJECTED,
        "Only an estimate",
        factchecker,
    )


def test_a_viewer_cannot_decide_candidates(client, world, viewer):
    candidate = _council_candidate(world)
    client.force_login(viewer)
    client.post(
        reverse(CHANGELIST), {"action": "accept_candidates", ACTION_CHECKBOX_NAME: [candidate.pk]}
    )
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.NEW
    assert not Candidate.objects.exclude(state=CandidateState.NEW).exists()


def test_merge_action_lets_the_editor_choose_the_claim_to_keep(client, world, editor):
    duplicate = services.claim_create(
        statement="In March, 4,200 containers went through the north terminal.",
        claimant=world.port,
    )
    ClaimFigure.objects.create(
        claim=duplicate, value=4200, unit="containers", stated_at=world.revision.fetched_at
    )
    client.force_login(editor)
    url = reverse("admin:claims_claim_changelist")
    data = {"action": "merge_claims", ACTION_CHECKBOX_NAME: [world.claim.pk, duplicate.pk]}
    form_page = client.post(url, data)
    assert form_page.status_code == 200
    assert 'name="target"' in form_page.content.decode()

    response = client.post(url, {**data, "target": world.claim.pk}, follow=True)

    assert response.status_code == 200
    assert list(Claim.objects.values_list("pk", flat=True)) == [world.claim.pk]
    assert ClaimFigure.objects.get().claim == world.claim
    assert f"into claim #{world.claim.pk}" in response.content.decode()
