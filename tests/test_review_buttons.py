"""SPEC section 8: editors only see the buttons they may use. Each role, on the admin's claim
page and its actions menu and on the review queue, is offered exactly the review steps the
services would let it take: a Viewer none, a fact-checker no "Publish", the author of a
verdict no "Publish" while second review is on."""

import re

import pytest
from django.urls import reverse

from claims import services
from claims.models import Rating, ReviewState

STEP_BUTTON = re.compile(r'class="fc-step fc-step-(\w+)"')
VERDICT_ACTIONS = {"submit_verdicts", "publish_verdicts", "return_verdicts_to_draft"}


def verdict_in(world, state: str, *, author, publisher=None):
    verdict = services.verdict_save(
        claim=world.claim,
        user=author,
        rating=Rating.objects.get(label="Mixed"),
        explanation="Partly right.",
    )
    if state in (ReviewState.IN_REVIEW, ReviewState.PUBLISHED):
        verdict = services.verdict_submit(verdict=verdict, user=author)
    if state == ReviewState.PUBLISHED:
        verdict = services.verdict_publish(verdict=verdict, user=publisher)
    return verdict


def admin_steps(client, world, user) -> list[str]:
    client.force_login(user)
    page = client.get(reverse("admin:claims_claim_change", args=[world.claim.pk]))
    assert page.status_code == 200
    return STEP_BUTTON.findall(page.content.decode())


# (state, author role, viewer role) → the steps the admin's claim page offers.
CASES = [
    (ReviewState.DRAFT, "factchecker", "viewer", []),
    (ReviewState.DRAFT, "factchecker", "factchecker", ["submit"]),
    (ReviewState.DRAFT, "factchecker", "editor", ["submit"]),
    (ReviewState.IN_REVIEW, "factchecker", "viewer", []),
    (ReviewState.IN_REVIEW, "factchecker", "factchecker", ["draft"]),
    (ReviewState.IN_REVIEW, "factchecker", "editor", ["publish", "draft"]),
    (ReviewState.IN_REVIEW, "editor", "editor", ["draft"]),
    (ReviewState.IN_REVIEW, "editor", "second_editor", ["publish", "draft"]),
    (ReviewState.PUBLISHED, "factchecker", "viewer", []),
    (ReviewState.PUBLISHED, "factchecker", "factchecker", ["draft"]),
    (ReviewState.PUBLISHED, "factchecker", "editor", ["draft"]),
]


@pytest.mark.parametrize(("state", "author", "role", "expected"), CASES)
def test_admin_claim_page_offers_only_the_steps_the_role_may_take(
    request, client, world, state, author, role, expected
):
    verdict_in(
        world,
        state,
        author=request.getfixturevalue(author),
        publisher=request.getfixturevalue("second_editor"),
    )
    assert admin_steps(client, world, request.getfixturevalue(role)) == expected


def test_each_offered_step_works_and_no_other_would(client, world, factchecker, editor):
    """The buttons and the services agree: what is shown succeeds."""
    verdict = verdict_in(world, ReviewState.IN_REVIEW, author=factchecker)
    assert admin_steps(client, world, factchecker) == ["draft"]
    assert services.verdict_steps_allowed(verdict=verdict, user=factchecker) == ["draft"]
    assert admin_steps(client, world, editor) == ["publish", "draft"]
    step = reverse("admin:claims_claim_verdict_step", args=[world.claim.pk, "publish"])
    client.post(step)
    verdict.refresh_from_db()
    assert (verdict.state, verdict.published_by) == (ReviewState.PUBLISHED, editor)


def test_the_author_may_publish_when_second_review_is_off(client, world, editor, settings):
    settings.FACTCHECK_SECOND_REVIEW = False
    verdict_in(world, ReviewState.IN_REVIEW, author=editor)
    assert admin_steps(client, world, editor) == ["publish", "draft"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("viewer", set()),
        ("factchecker", {"submit_verdicts", "return_verdicts_to_draft"}),
        ("editor", VERDICT_ACTIONS),
    ],
)
def test_admin_actions_menus_offer_only_permitted_review_steps(
    request, client, world, factchecker, role, expected
):
    verdict_in(world, ReviewState.DRAFT, author=factchecker)  # the menus show over rows only
    client.force_login(request.getfixturevalue(role))
    for url, names in (
        (reverse("admin:claims_claim_changelist"), VERDICT_ACTIONS),
        (reverse("admin:claims_verdict_changelist"), {"submit", "publish", "return_to_draft"}),
    ):
        page = client.get(url)
        assert page.status_code == 200
        offered = set(re.findall(r'<option value="(\w+)"', page.content.decode())) & names
        if names is VERDICT_ACTIONS:
            assert offered == expected
        else:
            renamed = {
                "submit_verdicts": "submit",
                "publish_verdicts": "publish",
                "return_verdicts_to_draft": "return_to_draft",
            }
            assert offered == {renamed[name] for name in expected}


def queue_buttons(client, user) -> list[str]:
    client.force_login(user)
    page = client.get(reverse("review") + "?tab=verdicts")
    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(r'<li class="row" data-verdict-id="\d+">(.*?)</li>', html, re.S)
    assert row, "the verdict in review is listed"
    return re.findall(r'<button type="submit" class="button[^"]*">([^<]+)</button>', row.group(1))


@pytest.mark.parametrize(
    ("author", "role", "expected"),
    [
        ("factchecker", "viewer", []),
        ("factchecker", "factchecker", ["Withdraw to draft"]),
        ("factchecker", "editor", ["Publish…", "Return to the writer"]),
        ("editor", "editor", ["Withdraw to draft"]),
        ("editor", "second_editor", ["Publish…", "Return to the writer"]),
    ],
)
def test_review_queue_offers_only_the_steps_the_role_may_take(
    request, client, world, author, role, expected
):
    verdict_in(world, ReviewState.IN_REVIEW, author=request.getfixturevalue(author))
    assert queue_buttons(client, request.getfixturevalue(role)) == expected


def test_the_author_is_told_why_there_is_no_publish_button(client, world, editor):
    verdict_in(world, ReviewState.IN_REVIEW, author=editor)
    client.force_login(editor)
    html = client.get(reverse("review") + "?tab=verdicts").content.decode()
    assert "You wrote this verdict: a second editor must publish it." in html


WRITE = ["Save draft", "Save and submit for review"]


@pytest.mark.parametrize(
    ("state", "author", "role", "buttons"),
    [
        (ReviewState.DRAFT, "factchecker", "factchecker", WRITE),
        (ReviewState.DRAFT, "factchecker", "viewer", []),
        (ReviewState.IN_REVIEW, "factchecker", "factchecker", ["Withdraw to draft", *WRITE]),
        (
            ReviewState.IN_REVIEW,
            "factchecker",
            "editor",
            ["Publish…", "Return to the writer", *WRITE],
        ),
        (ReviewState.IN_REVIEW, "editor", "editor", ["Withdraw to draft", *WRITE]),
        (ReviewState.IN_REVIEW, "factchecker", "viewer", []),
    ],
)
def test_article_review_panel_offers_only_the_steps_the_role_may_take(
    request, client, world, state, author, role, buttons
):
    services.appearance_create(
        claim=world.claim,
        revision=world.revision,
        quote="4,200 containers passed through the northern terminal in March",
    )
    verdict_in(world, state, author=request.getfixturevalue(author))
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("article_review", args=[world.article.pk]) + f"?claim={world.claim.pk}",
        reverse("claim_edit", args=[world.claim.pk]),
    ):
        html = client.get(url).content.decode()
        section = re.search(r'<section [^>]*id="verdict".*?</section>', html, re.S)
        assert section, url
        offered = re.findall(r"<button [^>]*>([^<]+)</button>", section.group(0))
        assert offered == buttons, url
