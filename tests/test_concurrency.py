"""Optimistic concurrency: a save based on a stale version is refused, never silently applied."""

import pytest

from claims import services
from claims.models import Claim, Rating, Stance, Verdict
from core.errors import StaleVersionError
from tests.conftest import make_evidence


def test_stale_claim_update_is_refused(world, editor, second_editor):
    opened = Claim.objects.get(pk=world.claim.pk)
    services.claim_update(
        claim=opened,
        user=editor,
        expected_version=opened.version,
        statement="4,200 containers passed through the terminal in March.",
    )
    with pytest.raises(StaleVersionError, match="changed by someone else"):
        services.claim_update(
            claim=opened,
            user=second_editor,
            expected_version=opened.version,
            statement="Something else entirely.",
        )
    stored = Claim.objects.get(pk=world.claim.pk)
    assert stored.statement == "4,200 containers passed through the terminal in March."
    assert stored.version == opened.version + 1


def test_evidence_added_meanwhile_makes_the_claim_stale(world, editor, second_editor):
    opened = Claim.objects.get(pk=world.claim.pk)
    make_evidence(opened, source=world.outlet, user=editor)
    with pytest.raises(StaleVersionError):
        make_evidence(
            opened,
            stance=Stance.DISPUTES,
            source=world.union,
            user=second_editor,
            expected_claim_version=opened.version,
        )
    assert Claim.objects.get(pk=opened.pk).evidence.count() == 1


def test_stale_verdict_save_is_refused(world, factchecker, editor):
    mixed, false = Rating.objects.get(label="Mixed"), Rating.objects.get(label="False")
    verdict = services.verdict_save(
        claim=world.claim, user=factchecker, rating=mixed, explanation="a"
    )
    opened_version = verdict.version
    services.verdict_save(
        claim=world.claim,
        user=editor,
        rating=false,
        explanation="b",
        expected_version=opened_version,
    )
    with pytest.raises(StaleVersionError):
        services.verdict_save(
            claim=world.claim,
            user=factchecker,
            rating=mixed,
            explanation="c",
            expected_version=opened_version,
        )
    assert Verdict.objects.get(pk=verdict.pk).explanation == "b"
