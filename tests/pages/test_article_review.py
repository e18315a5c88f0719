"""The article review page: who may see it, its highlights and claim panel, adding evidence,
taking a claim, and the diff between two revisions."""

import re

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimChange, Evidence, Stance
from tests.pages.helpers import review_url


def evidence_url(pages_world, claim=None) -> str:
    return reverse(
        "article_evidence_add", args=[pages_world.article.pk, (claim or pages_world.claim).pk]
    )


def evidence_post(pages_world, **overrides) -> dict:
    data = {
        "stance": Stance.DISPUTES,
        "source": pages_world.union.pk,
        "url": "https://union.example.org/march",
        "title": "The union's count",
        "quote": "",
        "published_at": "",
        "claim_version": Claim.objects.get(pk=pages_world.claim.pk).version,
    }
    data.update(overrides)
    return data


def assign_url(pages_world) -> str:
    return reverse("article_claim_assign", args=[pages_world.article.pk, pages_world.claim.pk])


def test_article_review_requires_login(client, pages_world):
    response = client.get(review_url(pages_world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_article_review_refuses_users_without_view_permission(client, pages_world, outsider):
    client.force_login(outsider)
    assert client.get(review_url(pages_world)).status_code == 403


def test_article_review_highlights_each_claim_of_the_current_revision(client, pages_world, viewer):
    client.force_login(viewer)
    response = client.get(review_url(pages_world))
    assert response.status_code == 200
    html = response.content.decode()
    # The current revision is the second; both claims are anchored there.
    assert "Text of revision 2" in html
    assert f'data-claim-id="{pages_world.claim.pk}" data-status="corroborated"' in html
    assert f'data-claim-id="{pages_world.union_claim.pk}" data-status="unverified"' in html
    assert "4,400" in html
    assert 'class="legend"' in html
    # No claim selected: the panel invites a choice, and a viewer gets no evidence form.
    assert "Select a claim" in html
    assert "Add evidence" not in html


def test_selected_claim_panel_shows_status_verdict_and_evidence(client, pages_world, viewer):
    client.force_login(viewer)
    html = client.get(review_url(pages_world, claim=pages_world.claim.pk)).content.decode()
    assert 'aria-current="true"' in html
    assert "Corroborated by 1 independent source." in html
    assert "Port figures for March" in html
    assert "Coastal Ledger" in html
    assert "independent</span>" in html
    assert "Mostly accurate" in html and "In review" in html
    assert "Quote changed in revision 2" in html  # needs-review reason
    assert 'name="claim_version"' not in html  # viewers cannot add evidence


def test_a_claim_of_another_article_is_not_selected(client, pages_world, factchecker):
    stray = services.claim_create(statement="Unrelated.", claimant=pages_world.outlet)
    client.force_login(factchecker)
    html = client.get(review_url(pages_world, claim=stray.pk)).content.decode()
    assert "Select a claim" in html
    assert "Unrelated." not in html


def test_factchecker_sees_the_evidence_form_with_the_claim_version(
    client, pages_world, factchecker
):
    client.force_login(factchecker)
    html = client.get(review_url(pages_world, claim=pages_world.claim.pk)).content.decode()
    assert f'name="claim_version" value="{pages_world.claim.version}"' in html
    assert 'action="' + evidence_url(pages_world) + '"' in html


def test_adding_disputing_evidence_changes_the_status(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.post(evidence_url(pages_world), evidence_post(pages_world))
    assert response.status_code == 302
    assert (
        response["Location"] == review_url(pages_world, claim=pages_world.claim.pk) + "#claim-panel"
    )
    claim = Claim.objects.get(pk=pages_world.claim.pk)
    assert claim.status == "contested"
    evidence = Evidence.objects.get(claim=claim, stance=Stance.DISPUTES)
    assert evidence.added_by == factchecker
    assert evidence.source == pages_world.union
    change = ClaimChange.objects.filter(claim=claim).latest("id")
    assert (change.from_value, change.to_value, change.actor) == (
        "corroborated",
        "contested",
        factchecker,
    )
    html = client.get(response["Location"]).content.decode()
    assert f'data-claim-id="{pages_world.claim.pk}" data-status="contested"' in html
    assert "Evidence added. Contested: corroborated by 1 independent source" in html


def test_stale_evidence_form_is_refused_and_writes_nothing(
    client, pages_world, factchecker, editor
):
    client.force_login(factchecker)
    stale = evidence_post(pages_world)
    # Another editor changes the claim after the form was shown.
    services.claim_update(
        claim=pages_world.claim, user=editor, statement="4,200 containers in March."
    )
    response = client.post(evidence_url(pages_world), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    # The form now carries the current version, so sending again is a deliberate choice.
    current = Claim.objects.get(pk=pages_world.claim.pk).version
    assert f'name="claim_version" value="{current}"' in html
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()
    assert Claim.objects.get(pk=pages_world.claim.pk).status == "corroborated"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"title": ""}, "This field is required."),
        ({"source": "999999"}, "Select a valid choice."),
        ({"stance": "maybe"}, "Select a valid choice."),
        ({"claim_version": "x"}, "lost track of the claim&#x27;s version"),
    ],
)
def test_bad_evidence_input_is_a_clear_400(client, pages_world, factchecker, overrides, message):
    client.force_login(factchecker)
    response = client.post(evidence_url(pages_world), evidence_post(pages_world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()


def test_htmx_form_error_keeps_the_review_page_address(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.post(
        evidence_url(pages_world),
        evidence_post(pages_world, url="not a url"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response["HX-Replace-Url"] == review_url(pages_world, claim=pages_world.claim.pk)


def test_duplicate_evidence_link_is_refused_by_the_service(client, pages_world, factchecker):
    client.force_login(factchecker)
    data = evidence_post(pages_world, url="https://ledger.example.org/port-figures")
    response = client.post(evidence_url(pages_world), data)
    assert response.status_code == 400
    assert "This document is already linked to this claim." in response.content.decode()
    assert Evidence.objects.filter(claim=pages_world.claim).count() == 1


def test_viewer_cannot_add_evidence(client, pages_world, viewer):
    client.force_login(viewer)
    assert client.post(evidence_url(pages_world), evidence_post(pages_world)).status_code == 403
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()


def test_evidence_for_a_claim_not_in_the_article_is_404(client, pages_world, factchecker):
    stray = services.claim_create(statement="Elsewhere.", claimant=pages_world.outlet)
    client.force_login(factchecker)
    response = client.post(evidence_url(pages_world, claim=stray), evidence_post(pages_world))
    assert response.status_code == 404
    assert not Evidence.objects.filter(claim=stray).exists()


def test_htmx_request_gets_the_page_to_swap(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.get(
        review_url(pages_world, claim=pages_world.claim.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="main"' in response.content.decode()


def test_factchecker_takes_and_releases_a_claim(client, pages_world, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(pages_world, claim=pages_world.claim.pk)).content.decode()
    assert "Unassigned" in html and "Assign to me" in html
    version = Claim.objects.get(pk=pages_world.claim.pk).version
    response = client.post(assign_url(pages_world), {"action": "take", "claim_version": version})
    assert response.status_code == 302
    claim = Claim.objects.get(pk=pages_world.claim.pk)
    assert claim.assignee == factchecker
    assert claim.history.latest().history_user == factchecker
    html = client.get(response["Location"]).content.decode()
    assert "The claim is assigned to you." in html and "Unassign</button>" in html
    client.post(assign_url(pages_world), {"action": "release", "claim_version": claim.version})
    assert Claim.objects.get(pk=pages_world.claim.pk).assignee is None


def test_stale_assignment_is_refused(client, pages_world, factchecker, editor):
    client.force_login(factchecker)
    version = Claim.objects.get(pk=pages_world.claim.pk).version
    services.claim_update(claim=pages_world.claim, user=editor, assignee=editor)
    response = client.post(
        assign_url(pages_world), {"action": "take", "claim_version": version}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    assert Claim.objects.get(pk=pages_world.claim.pk).assignee == editor


def test_viewer_cannot_assign(client, pages_world, viewer):
    client.force_login(viewer)
    assert (
        "Assign to me"
        not in client.get(review_url(pages_world, claim=pages_world.claim.pk)).content.decode()
    )
    response = client.post(assign_url(pages_world), {"action": "take", "claim_version": 1})
    assert response.status_code == 403
    assert Claim.objects.get(pk=pages_world.claim.pk).assignee is None


def test_bad_assignment_input_writes_nothing(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.post(
        assign_url(pages_world), {"action": "steal", "claim_version": "x"}, follow=True
    )
    assert "That form was incomplete" in response.content.decode()
    assert Claim.objects.get(pk=pages_world.claim.pk).assignee is None


def test_revision_diff_marks_additions_and_deletions_and_displaced_claims(
    client, pages_world, factchecker
):
    client.force_login(factchecker)
    html = client.get(review_url(pages_world, **{"from": 1, "to": 2})).content.decode()
    assert "Revision 1 → revision 2" in html
    assert re.search(r"<del>.*?4,200.*?</del>", html, re.S)
    assert re.search(r"<ins>.*?4,400.*?</ins>", html, re.S)
    assert "Claims whose anchor moved or broke" in html
    assert 'anchor anchor--changed">Changed' in html


def test_revision_diff_with_unknown_numbers_is_a_clear_message(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.get(review_url(pages_world, **{"from": 1, "to": 99}))
    assert response.status_code == 200
    assert "Choose two revisions of this article to compare." in response.content.decode()
    response = client.get(review_url(pages_world, **{"from": "x", "to": "2"}))
    assert response.status_code == 200


def test_article_text_is_escaped(client, world, factchecker):
    from articles.services import revision_record

    revision_record(
        article=world.article, text="Mayor said <script>alert(1)</script> & more.", title="x"
    )
    client.force_login(factchecker)
    html = client.get(reverse("article_review", args=[world.article.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in html
