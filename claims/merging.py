"""Duplicate claims folded into one, keeping evidence, appearances, figures and history."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from claims import services
from claims.models import (
    Appearance,
    Candidate,
    Claim,
    ClaimChange,
    ClaimQuantity,
    Evidence,
    Verdict,
)
from claims.services import require_permission


@transaction.atomic
def claims_merge(*, target: Claim, duplicates: Iterable[Claim], user) -> Claim:
    """Fold duplicate claims into ``target``: their evidence, appearances, figures, status and
    verdict history and candidates move to it, the duplicates are deleted (their own history
    records the merge), and the target's status is recomputed."""
    require_permission(user, "claims.delete_claim", "merge claims")
    duplicate_ids = sorted({d.pk for d in duplicates} - {target.pk})
    if not duplicate_ids:
        raise ValidationError({"duplicates": "Choose at least one other claim to merge."})
    # Locked in id order, so two merges of overlapping claims cannot deadlock.
    locked = {
        c.pk: c
        for c in Claim.objects.select_for_update().filter(pk__in=[target.pk, *duplicate_ids])
    }
    if len(locked) != len(duplicate_ids) + 1:
        raise ValidationError({"duplicates": "One of these claims no longer exists."})
    target = locked[target.pk]
    target_verdict = Verdict.objects.filter(claim=target).exists()
    reasons = [r for r in target.needs_review_reason.splitlines() if r]
    for duplicate_id in duplicate_ids:
        duplicate = locked[duplicate_id]
        label = f"Merged from claim #{duplicate.pk}"
        for evidence in Evidence.objects.filter(claim=duplicate):
            same = Evidence.objects.filter(claim=target, url=evidence.url).first()
            if same is not None and same.stance != evidence.stance:
                raise ValidationError(
                    {
                        "duplicates": f"Claim #{duplicate.pk} links {evidence.url} as "
                        f"{evidence.get_stance_display().lower()} and claim #{target.pk} as "
                        f"{same.get_stance_display().lower()}; settle the stance first."
                    }
                )
            services.attribute_change(evidence, user, label)
            if same is not None:
                evidence.delete()  # the same document with the same stance is already there
            else:
                evidence.claim = target
                evidence.save()
        for appearance in Appearance.objects.filter(claim=duplicate):
            services.attribute_change(appearance, user, label)
            if Appearance.objects.filter(claim=target, revision=appearance.revision).exists():
                appearance.delete()  # one appearance per claim and revision
            else:
                appearance.claim = target
                appearance.save()
        verdict = Verdict.objects.filter(claim=duplicate).first()
        if verdict is not None:
            if target_verdict:
                raise ValidationError(
                    {
                        "duplicates": f"Claims #{target.pk} and #{duplicate.pk} both have a "
                        "verdict; delete one of them before merging."
                    }
                )
            services.attribute_change(verdict, user, label)
            verdict.claim = target
            verdict.save()
            target_verdict = True
        ClaimChange.objects.filter(claim=duplicate).update(claim=target)
        ClaimQuantity.objects.filter(claim=duplicate).update(claim=target)
        Candidate.objects.filter(claim=duplicate).update(claim=target)
        Candidate.objects.filter(matched_claim=duplicate).update(matched_claim=target)
        if duplicate.needs_review:
            target.needs_review = True
            reasons += [r for r in duplicate.needs_review_reason.splitlines() if r]
        services.attribute_change(duplicate, user, f"Merged into claim #{target.pk}")
        duplicate.delete()
    target.needs_review_reason = "\n".join(dict.fromkeys(reasons))
    merged = ", ".join(f"#{pk}" for pk in duplicate_ids)
    return services.claim_recompute_status(
        claim=target,
        user=user,
        reason=f"Merged claim{'s' if len(duplicate_ids) > 1 else ''} {merged} into this claim",
    )
