"""Verdicts and notes on the pages (SPEC sections 4 and 8, issue 13): writing, submitting,
publishing after a confirmation and returning with a reason on the review page's claim panel
and the claim edit page, "Returned to me" in the queue, notes; every POST's permissions."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from claims import notes, services
from claims.models import ClaimChange, ClaimNote, Rating, ReviewState, Verdict
from tests.pages.helpers import review_url


@pytest.fixture
def lone_claim(world, factchecker):
    """A claim that appears in no article: its verdict is written on its own page."""
    return services.claim_create(
        statement="The terminal employs 120 people.", claimant=world.council, user=factchecker
    )


def rating(label: str) -> Rating:
    return Rating.objects.get(label=label)


def edit_url(claim) -> str:
    return reverse("claim_edit", args=[claim.pk])


def save(client, claim, **fields):
    data = {"rating": rating("Mostly accurate").pk, "explanation": "Council payroll: 118."}
    data.update(fields)
    return client.post(reverse("verdict_save", args=[claim.pk]), data)


# Who may do what ------------------------------------------------------------------------------


def test_every_post_needs_a_login_and_a_role(client, pages_world, viewer, lone_claim):
    verdict = pages_world.verdict
    note = notes.note_add(claim=pages_world.claim, user=pages_world_author(pages_world), text="x")
    posts = {
        reverse("verdict_save", args=[lone_claim.pk]): {"rating": 1, "explanation": "x"},
        reverse("verdict_save", args=[pages_world.claim.pk]): {"rating": 1, "explanation": "x"},
        reverse("verdict_publish", args=[verdict.pk]): {"version": verdict.version, "confirm": 1},
        reverse("verdict_return", args=[verdict.pk]): {"version": verdict.version, "reason": "x"},
        reverse("note_add", args=[pages_world.claim.pk]): {"text": "A viewer's note."},
        reverse("note_edit", args=[note.pk]): {"text": "Changed."},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get(edit_url(lone_claim)).status_code == 302
    client.force_login(viewer)
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW
    assert not Verdict.objects.filter(claim=lone_claim).exists()
    assert list(ClaimNote.objects.values_list("text", flat=True)) == ["x"]
    # A viewer reads the claim's page, with no form on it.
    html = client.get(edit_url(pages_world.claim)).content.decode()
    assert verdict.explanation in html and 'id="history-heading"' in html
    assert '<form method="post" action="/claims/' not in html
    assert "/review/verdicts/" not in html


def pages_world_author(pages_world):
    return Verdict.objects.get(pk=pages_world.verdict.pk).written_by


def test_get_is_not_allowed_on_the_steps(client, pages_world, editor, lone_claim):
    client.force_login(editor)
    for url in (
        reverse("verdict_save", args=[lone_claim.pk]),
        reverse("verdict_return", args=[pages_world.verdict.pk]),
        reverse("note_add", args=[lone_claim.pk]),
    ):
        assert client.get(url).status_code == 405, url


# Writing and submitting -------------------------------------------------------------------


def test_fact_checker_writes_and_submits_on_the_claim_page(client, lone_claim, factchecker):
    client.force_login(factchecker)
    html = client.get(edit_url(lone_claim)).content.decode()
    assert "In no article" in html and "Write the verdict" in html
    response = save(client, lone_claim, action="save")
    assert response.status_code == 302 and response["Location"] == edit_url(lone_claim)
    verdict = Verdict.objects.get(claim=lone_claim)
    assert (verdict.state, verdict.written_by, verdict.explanation) == (
        ReviewState.DRAFT,
        factchecker,
        "Council payroll: 118.",
    )
    response = save(
        client,
        lone_claim,
        action="submit",
        version=verdict.version,
        explanation="Council payroll lists 118 people at the terminal.",
    )
    assert response.status_code == 302
    verdict.refresh_from_db()
    assert verdict.state == ReviewState.IN_REVIEW
    assert verdict.explanation == "Council payroll lists 118 people at the terminal."
    html = client.get(edit_url(lone_claim)).content.decode()
    assert "Verdict submitted for review" in html
    # The history shows each step with who took it.
    steps = list(
        ClaimChange.objects.filter(claim=lone_claim, field="verdict").values_list(
            "from_value", "to_value"
        )
    )
    assert steps == [("", "draft"), ("draft", "draft"), ("draft", "in_review")]
    assert "Submitted for review" in html and factchecker.username in html


def test_a_verdict_with_mistakes_comes_back_with_its_errors(client, pages_world, factchecker):
    client.force_login(factchecker)
    claim = pages_world.union_claim
    response = client.post(
        reverse("verdict_save", args=[claim.pk]),
        {
            "rating": "",
            "explanation": "  ",
            "article": pages_world.article.pk,
            "next": review_url(pages_world, claim=claim.pk),
        },
    )
    # Back on the review page, with this claim's panel and the errors beside the fields.
    assert response.status_code == 400
    assert response.templates[0].name == "articles/review.html"
    html = response.content.decode()
    assert "Choose a rating." in html and "A verdict needs a written explanation." in html
    assert 'aria-invalid="true"' in html
    assert not Verdict.objects.filter(claim=claim).exists()
    # The same from the claim's own page (no article named): that page comes back.
    response = client.post(reverse("verdict_save", args=[claim.pk]), {"explanation": "x"})
    assert response.status_code == 400
    assert response.templates[0].name == "claims/edit.html"


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client, pages_world, factchecker, editor):
    verdict = pages_world.verdict
    client.force_login(factchecker)
    services.verdict_save(
        claim=pages_world.claim,
        user=editor,
        rating=rating("Accurate"),
        explanation="Customs confirm 4,200.",
        expected_version=verdict.version,
    )
    response = save(
        client,
        pages_world.claim,
        version=verdict.version,
        explanation="My revision, based on the old text.",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "My revision, based on the old text." in html
    current = Verdict.objects.get(pk=verdict.pk)
    assert current.explanation == "Customs confirm 4,200."
    assert f'name="version" value="{current.version}"' in html


def test_a_first_verdict_does_not_overwrite_one_written_meanwhile(
    client, lone_claim, factchecker, editor
):
    client.force_login(factchecker)
    services.verdict_save(
        claim=lone_claim, user=editor, rating=rating("Accurate"), explanation="Editor's."
    )
    response = save(client, lone_claim)  # the form was shown with no verdict: no version
    assert response.status_code == 409
    assert "Someone else wrote a verdict for this claim" in response.content.decode()
    assert Verdict.objects.get(claim=lone_claim).explanation == "Editor's."


# Publishing -------------------------------------------------------------------------------


def test_second_editor_publishes_from_the_review_page_after_confirming(client, pages_world, editor):
    verdict = pages_world.verdict
    client.force_login(editor)
    panel = review_url(pages_world, claim=pages_world.claim.pk)
    html = client.get(panel).content.decode()
    # Claim, evidence, history and verdict together, with the publish step.
    for text in (verdict.explanation, "Port figures for March", "Submitted for review"):
        assert text in html
    assert reverse("verdict_publish", args=[verdict.pk]) in html
    url = reverse("verdict_publish", args=[verdict.pk])
    response = client.post(url, {"version": verdict.version, "next": panel})
    assert response.status_code == 200 and "Publish this verdict?" in response.content.decode()
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW
    response = client.post(url, {"version": verdict.version, "next": panel, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == panel
    verdict.refresh_from_db()
    assert (verdict.state, verdict.published_by) == (ReviewState.PUBLISHED, editor)


@pytest.mark.parametrize("confirm", ["", "1"])
def test_the_writer_cannot_publish_their_own_verdict(client, pages_world, editor, confirm):
    verdict = services.verdict_save(
        claim=pages_world.claim,
        user=editor,
        rating=rating("Accurate"),
        explanation="Customs confirm it.",
        expected_version=pages_world.verdict.version,
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    client.force_login(editor)
    html = client.get(edit_url(pages_world.claim)).content.decode()
    assert "You wrote this verdict: a second editor must publish it." in html
    assert reverse("verdict_publish", args=[verdict.pk]) not in html
    response = client.post(
        reverse("verdict_publish", args=[verdict.pk]),
        {"version": verdict.version, "confirm": confirm},
        follow=True,
    )
    html = response.content.decode()
    assert "Publish this verdict?" not in html  # no confirmation for a refused step
    assert "A second editor must publish this verdict" in html
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW


def test_a_stale_publish_is_refused_with_a_message(client, pages_world, editor, factchecker):
    verdict = pages_world.verdict
    client.force_login(editor)
    stale = verdict.version
    services.verdict_save(
        claim=pages_world.claim,
        user=factchecker,
        rating=rating("Mixed"),
        explanation="Changed my mind.",
        expected_version=stale,
    )
    response = client.post(
        reverse("verdict_publish", args=[verdict.pk]),
        {"version": stale, "confirm": "1"},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert Verdict.objects.get(pk=verdict.pk).published_at is None


# Returning --------------------------------------------------------------------------------


def test_returning_needs_a_reason(client, pages_world, editor):
    verdict = pages_world.verdict
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[verdict.pk]), {"version": verdict.version, "reason": " "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the verdict goes back to its writer." in html
    assert 'aria-invalid="true"' in html
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW


def test_returned_verdict_waits_under_returned_to_me(client, pages_world, factchecker, editor):
    verdict = pages_world.verdict
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[verdict.pk]),
        {
            "version": verdict.version,
            "reason": "Cite the customs table, not the press release.",
            "next": review_url(pages_world, claim=pages_world.claim.pk),
        },
    )
    assert response.status_code == 302
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.DRAFT
    # The returner has nothing returned to them.
    response = client.get(reverse("review") + "?tab=returned")
    assert {t.key: n for t, n in response.context["tabs"]}["returned"] == 0

    client.force_login(factchecker)
    response = client.get(reverse("review") + "?tab=returned")
    assert {t.key: n for t, n in response.context["tabs"]}["returned"] == 1
    html = response.content.decode()
    assert "Cite the customs table, not the press release." in html
    assert f"returned by <strong>{editor.username}</strong>" in html
    assert edit_url(pages_world.claim) in html
    assert review_url(pages_world, claim=pages_world.claim.pk) in html

    # Fixed and resubmitted, it leaves the tab.
    current = Verdict.objects.get(pk=verdict.pk)
    save(
        client,
        pages_world.claim,
        action="submit",
        version=current.version,
        explanation="Customs table 7 lists 4,180 containers for March.",
    )
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW
    response = client.get(reverse("review") + "?tab=returned")
    assert list(response.context["page"].object_list) == []


def test_a_writer_who_withdraws_their_own_verdict_is_not_returned_to(
    client, pages_world, factchecker, viewer
):
    services.verdict_return_to_draft(
        verdict=pages_world.verdict, user=factchecker, reason="Withdrawn to add a source."
    )
    client.force_login(factchecker)
    response = client.get(reverse("review") + "?tab=returned")
    assert list(response.context["page"].object_list) == []
    client.force_login(viewer)  # who writes no verdict has no such tab
    response = client.get(reverse("review") + "?tab=returned")
    assert "returned" not in {tab.key for tab, _ in response.context["tabs"]}


# Notes ------------------------------------------------------------------------------------


def test_notes_are_added_and_shown_on_the_review_page(client, pages_world, factchecker, viewer):
    client.force_login(factchecker)
    panel = review_url(pages_world, claim=pages_world.claim.pk)
    response = client.post(
        reverse("note_add", args=[pages_world.claim.pk]),
        {"text": "Asked the port for the audit <b>date</b>.", "next": panel},
    )
    assert response.status_code == 302 and response["Location"] == f"{panel}#notes"
    response = client.post(
        reverse("note_add", args=[pages_world.claim.pk]),
        {"text": "", "next": panel, "article": pages_world.article.pk},
    )
    assert (
        response.status_code == 400 and "Write the note&#x27;s text." in response.content.decode()
    )
    assert ClaimNote.objects.count() == 1

    client.force_login(viewer)
    html = client.get(panel).content.decode()
    assert "Asked the port for the audit &lt;b&gt;date&lt;/b&gt;." in html  # escaped
    assert factchecker.username in html
    assert 'action="/claims/' not in html  # a viewer reads notes, adds none
    assert "Edit<span" not in html


def test_a_note_is_edited_by_its_author_within_ten_minutes(
    client, pages_world, factchecker, editor
):
    written = timezone.now()
    with time_machine.travel(written, tick=False):
        note = notes.note_add(claim=pages_world.claim, user=factchecker, text="Call customs.")
    url = reverse("note_edit", args=[note.pk])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": "Not mine."}).status_code == 403
    client.force_login(factchecker)
    with time_machine.travel(written + dt.timedelta(minutes=5), tick=False):
        assert "Edit<span" in client.get(edit_url(pages_world.claim)).content.decode()
        response = client.post(url, {"text": "Called customs: table 7.", "next": "/elsewhere"})
        assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Called customs: table 7." and note.edited_at is not None
    with time_machine.travel(written + dt.timedelta(minutes=11), tick=False):
        html = client.get(edit_url(pages_world.claim)).content.decode()
        assert "edited" in html and "Edit<span" not in html
        page = client.get(url)
        assert "only within 10 minutes" in page.content.decode()
        response = client.post(url, {"text": "Too late."})
        assert response.status_code == 400
        assert "only within 10 minutes" in response.content.decode()
    assert ClaimNote.objects.get(pk=note.pk).text == "Called customs: table 7."


def test_links_lead_to_the_claim_page(client, pages_world, editor):
    client.force_login(editor)
    target = edit_url(pages_world.claim)
    for url in (
        reverse("review") + "?tab=verdicts",
        reverse("claim_public", args=[pages_world.claim.pk]),
        reverse("admin:claims_claim_change", args=[pages_world.claim.pk]),
        review_url(pages_world, claim=pages_world.claim.pk),
    ):
        assert f'href="{target}' in client.get(url).content.decode(), url
