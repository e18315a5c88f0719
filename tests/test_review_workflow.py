"""SPEC section 4: verdicts go draft → in review → published, with permissions and a second
editor; revising a published verdict never shows the draft to the public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from claims.models import ClaimChange, Rating, ReviewState, Verdict
from core.errors import ReviewRuleError


@pytest.fixture
def mixed(db):
    return Rating.objects.get(label="Mixed")


@pytest.fixture
def false(db):
    return Rating.objects.get(label="False")


def test_full_workflow_records_each_step(world, factchecker, editor, mixed):
    verdict = services.verdict_save(
        claim=world.claim, user=factchecker, rating=mixed, explanation="Partly right."
    )
    assert verdict.state == ReviewState.DRAFT
    assert verdict.written_by == factchecker
    verdict = services.verdict_submit(verdict=verdict, user=factchecker)
    assert verdict.state == ReviewState.IN_REVIEW
    assert verdict.submitted_at is not None
    verdict = services.verdict_publish(verdict=verdict, user=editor)

    stored = Verdict.objects.get(pk=verdict.pk)
    assert stored.state == ReviewState.PUBLISHED
    assert stored.published_by == editor
    assert stored.published_rating == mixed
    assert stored.published_explanation == "Partly right."
    steps = list(
        ClaimChange.objects.filter(claim=world.claim, field="verdict").values_list(
            "from_value", "to_value", "actor__username", "is_public"
        )
    )
    assert steps == [
        ("", "draft", factchecker.username, False),
        ("draft", "in_review", factchecker.username, False),
        ("in_review", "published", editor.username, True),
    ]
    # The history of the verdict names who did each step.
    users = list(
        stored.history.order_by("history_id").values_list("history_user__username", flat=True)
    )
    assert users == [factchecker.username, factchecker.username, editor.username]


def test_fact_checker_cannot_publish(world, factchecker, second_editor, mixed):
    verdict = services.verdict_save(
        claim=world.claim, user=second_editor, rating=mixed, explanation="Partly right."
    )
    verdict = services.verdict_submit(verdict=verdict, user=second_editor)
    with pytest.raises(PermissionDenied, match="permission to publish"):
        services.verdict_publish(verdict=verdict, user=factchecker)
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW


def test_viewer_cannot_write_a_verdict(world, viewer, mixed):
    with pytest.raises(PermissionDenied):
        services.verdict_save(claim=world.claim, user=viewer, rating=mixed, explanation="x")
    assert not Verdict.objects.exists()


def test_author_cannot_publish_own_verdict_with_second_review(world, editor, second_editor, mixed):
    verdict = services.verdict_save(
        claim=world.claim, user=editor, rating=mixed, explanation="Partly right."
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    with pytest.raises(ReviewRuleError, match="second editor"):
        services.verdict_publish(verdict=verdict, user=editor)
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW
    services.verdict_publish(verdict=verdict, user=second_editor)
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.PUBLISHED


def test_author_may_publish_when_second_review_is_off(world, editor, mixed, settings):
    settings.FACTCHECK_SECOND_REVIEW = False
    verdict = services.verdict_save(claim=world.claim, user=editor, rating=mixed, explanation="x")
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    services.verdict_publish(verdict=verdict, user=editor)
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.PUBLISHED


def test_draft_cannot_be_published_directly(world, factchecker, editor, mixed):
    verdict = services.verdict_save(
        claim=world.claim, user=factchecker, rating=mixed, explanation="x"
    )
    with pytest.raises(ReviewRuleError, match="submit it for review first"):
        services.verdict_publish(verdict=verdict, user=editor)
    assert Verdict.objects.get(pk=verdict.pk).published_at is None


def test_revising_a_published_verdict_keeps_the_public_version(
    world, factchecker, editor, mixed, false
):
    verdict = services.verdict_save(
        claim=world.claim, user=factchecker, rating=mixed, explanation="Partly right."
    )
    verdict = services.verdict_publish(
        verdict=services.verdict_submit(verdict=verdict, user=factchecker), user=editor
    )
    revised = services.verdict_save(
        claim=world.claim,
        user=factchecker,
        rating=false,
        explanation="New port data shows it is wrong.",
        expected_version=verdict.version,
    )
    assert revised.state == ReviewState.DRAFT
    stored = Verdict.objects.get(pk=verdict.pk)
    assert (stored.rating, stored.published_rating) == (false, mixed)
    assert stored.published_explanation == "Partly right."
    last = ClaimChange.objects.filter(claim=world.claim).last()
    assert (last.from_value, last.to_value, last.is_public) == ("published", "draft", False)
    assert "from Mixed to False" in last.reason


def test_return_to_draft_from_review(world, factchecker, editor, mixed):
    verdict = services.verdict_submit(
        verdict=services.verdict_save(
            claim=world.claim, user=factchecker, rating=mixed, explanation="x"
        ),
        user=factchecker,
    )
    services.verdict_return_to_draft(verdict=verdict, user=editor, reason="Needs a source")
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.DRAFT
    with pytest.raises(ReviewRuleError, match="already a draft"):
        services.verdict_return_to_draft(verdict=verdict, user=editor)


def test_a_verdict_needs_an_explanation(world, factchecker, mixed):
    with pytest.raises(ValidationError):
        services.verdict_save(claim=world.claim, user=factchecker, rating=mixed, explanation=" ")
    assert not Verdict.objects.exists()
