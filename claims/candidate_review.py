"""Editors' decisions on candidates: accept one as a claim, reject it with a reason, or attach
it to the claim it restates; and the figures a claim states, recorded from its sentence."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from articles.models import ArticleRevision
from claims import services
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimFigure,
    Source,
    SourceAlias,
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


def _add_figures(
    claim: Claim, candidate: Candidate, revision: ArticleRevision
) -> list[ClaimFigure]:
    rows = []
    for data in candidate.figures:
        if data.get("text") and data["text"] not in candidate.text:
            continue  # only figures the sentence itself states
        figure = ClaimFigure(
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
        figure.full_clean()
        figure.save()
        rows.append(figure)
    return rows


@transaction.atomic
def claim_figures_record(*, claim: Claim, candidate: Candidate, user) -> list[ClaimFigure]:
    """Record on a claim the figures its candidate sentence states, dated by the candidate's
    revision, for a claim made by hand from that sentence; safe to run twice."""
    require_permission(user, "claims.add_claimfigure", "record a claim's figures")
    if ClaimFigure.objects.filter(claim=claim, revision_id=candidate.revision_id).exists():
        return []
    return _add_figures(claim, candidate, candidate.revision)


@dataclass(frozen=True)
class NewSource:
    """An editor's explicit request to put a claimant on record as a new source: its name,
    kind and parent (None only when the editor said it is a top-level source)."""

    name: str
    kind: str
    parent: Source | None


CLAIMANT_REQUIRED = (
    "Choose who made the claim among the existing sources, or add a new source with its parent."
)


def _claimant_from_request(new_source: NewSource, user) -> Source:
    require_permission(user, "claims.add_source", "add sources")
    name = " ".join((new_source.name or "").split())
    lowered = name.lower().replace("\u2019", "'")
    # A name already on record (as a name or an alias) is that source, not a new one: a second
    # source would count as independent of the first (SPEC section 3).
    known = (
        Source.objects.annotate(lname=Lower("name"))
        .filter(Q(lname=lowered) | Q(pk__in=_alias_owners(lowered)))
        .order_by("id")
        .first()
    )
    if known is not None and (new_source.parent is None or known.parent_id == new_source.parent.pk):
        raise ValidationError(
            {
                "new_source_name": f"“{name}” is already on record as the source “{known}”: "
                "choose it among the existing sources."
            }
        )
    return services.source_create(
        name=name, kind=new_source.kind, parent=new_source.parent, user=user
    )


def _alias_owners(lowered: str):
    return (
        SourceAlias.objects.annotate(lalias=Lower("alias"))
        .filter(lalias=lowered)
        .values("source_id")
    )


@transaction.atomic
def candidate_accept(
    *,
    candidate: Candidate,
    user,
    statement: str | None = None,
    claimant: Source | None = None,
    new_source: NewSource | None = None,
    about: Iterable[Source] = (),
) -> Claim:
    """Make the candidate a claim: its appearance anchored in the revision, its figures, and
    the claimant the editor chose: an existing source, or a new source they asked for with its
    parent. No source is ever created from the suggested claimant's text alone."""
    require_permission(user, "claims.add_claim", "create claims")
    if (claimant is None) == (new_source is None):
        raise ValidationError({"claimant": CLAIMANT_REQUIRED})
    locked = _locked_open(candidate)
    if claimant is None:
        assert new_source is not None  # for mypy: exactly one of the two was given
        claimant = _claimant_from_request(new_source, user)
    claim = services.claim_create(
        statement=(statement or locked.text).strip(), claimant=claimant, about=about, user=user
    )
    revision, start = _anchor(locked)
    services.appearance_create(
        claim=claim, revision=revision, quote=locked.text, start=start, user=user
    )
    _add_figures(claim, locked, revision)
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
def candidate_attach(
    *, candidate: Candidate, claim: Claim, user, add_figures: bool = False
) -> Appearance:
    """The candidate states an existing claim: add it to that claim as a new appearance,
    instead of making a new claim. The claim's figures stay as they are unless the editor
    chooses to add this sentence's own figures, dated by this revision."""
    require_permission(user, "claims.add_appearance", "add appearances to claims")
    if add_figures:
        require_permission(user, "claims.add_claimfigure", "record a claim's figures")
    locked = _locked_open(candidate)
    revision, start = _anchor(locked)
    appearance = services.appearance_create(
        claim=claim, revision=revision, quote=locked.text, start=start, user=user
    )
    if add_figures:
        _add_figures(claim, locked, revision)
    locked.claim = claim
    _decide(locked, CandidateState.ACCEPTED, user, f"Attached to claim #{claim.pk}")
    return appearance
