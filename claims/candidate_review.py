"""Editors' decisions on candidates: accept one as a claim, reject it with a reason, or attach
it to the claim it restates; and the figures a claim states, recorded from its sentence."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import ArticleRevision
from claims import services
from claims.claimants import claimant_source
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimQuantity,
    Source,
)
from claims.services import require_permission


def _locked_open(candidate: Candidate) -> Candidate:
    locked = (
        # Only the candidate row is locked; the article's current revision may be null.
        Candidate.objects.select_for_update(of=("self",))
        .select_related("revision", "article__current_revision")
        .get(pk=candidate.pk)
    )
    if locked.state != CandidateState.NEW:
        raise ValidationError(
            {"state": f"This candidate was already {locked.get_state_display().lower()}."}
        )
    return locked


def _anchor(candidate: Candidate) -> tuple[ArticleRevision, int | None]:
    """Where the candidate's appearance is anchored: the article's current revision when it
    still has the sentence (the text may have gone back to an earlier revision since), else
    the newest revision the sentence was seen in."""
    current = candidate.article.current_revision
    if (
        current is not None
        and current.pk != candidate.revision_id
        and candidate.text in current.text
    ):
        return current, None
    return candidate.revision, candidate.start


def _decide(candidate: Candidate, state: str, user, reason: str = "") -> None:
    candidate.state = state
    candidate.decided_by = user if getattr(user, "is_authenticated", False) else None
    candidate.decided_at = timezone.now()
    candidate.decision_reason = reason
    services.attribute_change(
        candidate, user, f"{CandidateState(state).label}: {reason}".strip(": ")
    )
    candidate.save()


def _add_quantities(
    claim: Claim, candidate: Candidate, revision: ArticleRevision
) -> list[ClaimQuantity]:
    rows = []
    for data in candidate.quantities:
        quantity = ClaimQuantity(
            claim=claim,
            value=data.get("value"),
            low=data.get("low"),
            high=data.get("high"),
            qualifier=data.get("qualifier") or "",
            unit=(data.get("unit") or "")[:100],
            text=(data.get("text") or "")[:300],
            # SPEC section 6: a figure is dated by the revision that stated it.
            stated_at=revision.fetched_at,
            revision=revision,
        )
        quantity.full_clean()
        quantity.save()
        rows.append(quantity)
    return rows


@transaction.atomic
def claim_figures_record(*, claim: Claim, candidate: Candidate, user) -> list[ClaimQuantity]:
    """Record on a claim the figures its candidate sentence states, dated by the candidate's
    revision, for a claim made by hand from that sentence; safe to run twice."""
    require_permission(user, "claims.add_claimquantity", "record a claim's figures")
    if ClaimQuantity.objects.filter(claim=claim, revision_id=candidate.revision_id).exists():
        return []
    return _add_quantities(claim, candidate, candidate.revision)


@transaction.atomic
def candidate_accept(
    *,
    candidate: Candidate,
    user,
    statement: str | None = None,
    claimant: Source | None = None,
) -> Claim:
    """Make the candidate a claim: its appearance anchored in the revision, the claimant (the
    one given, else the suggested one matched to a Source or created), and its figures."""
    require_permission(user, "claims.add_claim", "create claims")
    locked = _locked_open(candidate)
    if claimant is None:
        claimant = claimant_source(
            name=locked.suggested_claimant, article=locked.article, user=user
        )
    claim = services.claim_create(
        statement=(statement or locked.text).strip(), claimant=claimant, user=user
    )
    revision, start = _anchor(locked)
    services.appearance_create(
        claim=claim, revision=revision, quote=locked.text, start=start, user=user
    )
    _add_quantities(claim, locked, revision)
    locked.claim = claim
    _decide(locked, CandidateState.ACCEPTED, user, f"Accepted as claim #{claim.pk}")
    return claim


@transaction.atomic
def candidate_reject(*, candidate: Candidate, user, reason: str) -> Candidate:
    """Record who rejected the candidate and why; it stays, so it is not proposed again."""
    require_permission(user, "claims.change_candidate", "reject candidates")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the candidate is rejected."})
    locked = _locked_open(candidate)
    _decide(locked, CandidateState.REJECTED, user, reason)
    return locked


@transaction.atomic
def candidate_attach(*, candidate: Candidate, claim: Claim, user) -> Appearance:
    """The candidate states an existing claim: add it to that claim as a new appearance, with
    its figures dated by this revision, instead of making a new claim."""
    require_permission(user, "claims.add_appearance", "add appearances to claims")
    locked = _locked_open(candidate)
    revision, start = _anchor(locked)
    appearance = services.appearance_create(
        claim=claim, revision=revision, quote=locked.text, start=start, user=user
    )
    _add_quantities(claim, locked, revision)
    locked.claim = claim
    _decide(locked, CandidateState.ACCEPTED, user, f"Attached to claim #{claim.pk}")
    return appearance
