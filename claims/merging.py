"""Duplicate claims folded into one, keeping evidence, appearances, figures and history."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims import documents, services
from claims.models import (
    Appearance,
    Candidate,
    Claim,
    ClaimChange,
    ClaimFigure,
    ClaimNote,
    Evidence,
    ExternalReview,
    ReviewState,
    Source,
    Verdict,
)
from claims.services import require_permission
from core import events


@transaction.atomic
def claims_merge(*, target: Claim, duplicates: Iterable[Claim], user) -> Claim:
    """Fold duplicate claims into ``target``: their evidence, appearances, figures, verdict,
    notes and candidates move to it, the duplicates are deleted, and the target's status is
    recomputed.

    The changes feed keeps what happened as it happened: each duplicate's past events stay
    under its own id, and a ``merged`` event (``merged_into`` the target) is its last, so a
    poller learns where it went. A verdict moved from a duplicate was reviewed for another
    statement: it goes back to review, unpublished, and the merging editor counts as its
    author, so a second editor must publish it (SPEC section 4)."""
    require_permission(user, "claims.delete_claim", "merge claims")
    duplicate_ids = sorted({d.pk for d in duplicates} - {target.pk})
    if not duplicate_ids:
        raise ValidationError({"duplicates": "Choose at least one other claim to merge."})
    # The locking order of claims.services: the sources whose evidence moves (their roots
    # decide the target's status), then the claims in ascending id, so two merges of
    # overlapping claims, or a merge and a source move, cannot deadlock.
    # The parties the duplicates are about join the target's (their roots decide too).
    parties = set(
        Claim.about.through.objects.filter(claim_id__in=[target.pk, *duplicate_ids]).values_list(
            "source_id", flat=True
        )
    )
    services.share_lock(
        Source,
        [
            *Evidence.objects.filter(claim_id__in=duplicate_ids).values_list(
                "source_id", flat=True
            ),
            *parties,
        ],
    )
    locked = services.lock_claims([target.pk, *duplicate_ids])
    if len(locked) != len(duplicate_ids) + 1:
        raise ValidationError({"duplicates": "One of these claims no longer exists."})
    target = locked[target.pk]
    article_ids = services.article_ids_of(locked)
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
            old_state = verdict.state
            services.attribute_change(verdict, user, f"{label}: back to review")
            verdict.claim = target
            verdict.state = ReviewState.IN_REVIEW
            verdict.submitted_at = timezone.now()
            verdict.written_by = user
            verdict.published_rating = None
            verdict.published_explanation = ""
            verdict.published_at = None
            verdict.published_by = None
            verdict.version += 1
            verdict.save()
            services.record_claim_change(
                claim=target,
                field=ClaimChange.Field.VERDICT,
                from_value=old_state,
                to_value=ReviewState.IN_REVIEW,
                rating_label=verdict.rating.label,
                reason=f"{label}; a second editor must publish it for this claim",
                actor=services.actor_or_none(user),
                is_public=False,
            )
            target_verdict = True
        services.record_claim_change(
            claim=duplicate,
            field=ClaimChange.Field.CLAIM,
            to_value=ClaimChange.MERGED,
            merged_into=target.pk,
            reason=f"Merged into claim #{target.pk}",
            actor=services.actor_or_none(user),
            is_public=True,
        )
        # Notes are never deleted while their claim exists (SPEC section 8): the kept claim
        # takes them, as it takes the evidence.
        for note in ClaimNote.objects.filter(claim=duplicate):
            services.attribute_change(note, user, label)
            note.claim = target
            note.save()
        ClaimFigure.objects.filter(claim=duplicate).update(claim=target)
        # An imported fact-check's review goes with it, so importing its archive again finds
        # it on the claim it was merged into rather than making the duplicate anew. A target
        # that has a review keeps its own (one per claim).
        if not ExternalReview.objects.filter(claim=target).exists():
            ExternalReview.objects.filter(claim=duplicate).update(claim=target)
        Candidate.objects.filter(claim=duplicate).update(claim=target)
        Candidate.objects.filter(matched_claim=duplicate).update(matched_claim=target)
        if duplicate.needs_review:
            target.needs_review = True
            reasons += [r for r in duplicate.needs_review_reason.splitlines() if r]
        services.attribute_change(duplicate, user, f"Merged into claim #{target.pk}")
        duplicate.delete()
    target.needs_review_reason = "\n".join(dict.fromkeys(reasons))
    services.set_about(target, Source.objects.filter(pk__in=parties))
    merged = ", ".join(f"#{pk}" for pk in duplicate_ids)
    target = services.claim_recompute_status(
        claim=target,
        user=user,
        reason=f"Merged claim{'s' if len(duplicate_ids) > 1 else ''} {merged} into this claim",
    )
    # The duplicates' documents went with them. Their articles' documents were rewritten
    # with the target's: it appears wherever they did (their appearances moved to it, or it
    # was already there); ``article_ids`` covers an article it might not.
    documents.articles_changed(set(article_ids) - set(services.article_ids_of([target.pk])))
    # The candidates matched to a duplicate now point at the target: matched again after
    # commit, against the claims left.
    events.touch_claims([target.pk])
    return target
