"""The claim's assignee: set in the admin like any claim field, through the services."""

from django.urls import reverse

from claims.models import Claim
from tests.test_admin import _claim_form


def test_admin_sets_and_clears_the_assignee(client, world, editor, factchecker):
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    response = client.post(url, _claim_form(world.claim, assignee=factchecker.pk))
    assert response.status_code == 302
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.assignee == factchecker
    assert claim.version == world.claim.version + 1
    assert claim.history.latest().assignee_id == factchecker.pk
    response = client.post(url, _claim_form(claim, assignee=""))
    assert response.status_code == 302
    assert Claim.objects.get(pk=world.claim.pk).assignee is None


def test_admin_adds_a_claim_with_an_assignee(client, world, editor, factchecker):
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_claim_add"),
        {
            "statement": "The terminal employs 120 people.",
            "claimant": world.council.pk,
            "assignee": factchecker.pk,
            "needs_review_reason": "",
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
            "appearances-TOTAL_FORMS": 0,
            "appearances-INITIAL_FORMS": 0,
            "verdict-TOTAL_FORMS": 0,
            "verdict-INITIAL_FORMS": 0,
            "notes-TOTAL_FORMS": 0,
            "notes-INITIAL_FORMS": 0,
            "changes-TOTAL_FORMS": 0,
            "changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(statement="The terminal employs 120 people.")
    assert (claim.assignee, claim.created_by) == (factchecker, editor)


def test_only_staff_can_be_assigned(client, world, editor, outsider):
    outsider.is_staff = False
    outsider.save()
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    response = client.post(url, _claim_form(world.claim, assignee=outsider.pk))
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert Claim.objects.get(pk=world.claim.pk).assignee is None
