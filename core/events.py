"""Domain events: what happened to a claim, a verdict, a piece of evidence or an article,
told by the layer that made it happen to whoever listens above it (the webhooks), without the
lower layer importing the listener (the layers contract in pyproject.toml).

A service calls ``emit`` inside the transaction of its change. Listeners must store what they
need in that same transaction and defer any side effect (a queued task, a network call) to
``transaction.on_commit``, so a rolled-back change announces nothing and a committed one is
never lost.

Event types are the names of SPEC section 10.
"""

from django.dispatch import Signal

CLAIM_STATUS_CHANGED = "claim.status_changed"
CLAIM_FLAGGED = "claim.flagged"
VERDICT_SUBMITTED = "verdict.submitted"
VERDICT_PUBLISHED = "verdict.published"
VERDICT_RETURNED = "verdict.returned"
EVIDENCE_LINK_BROKEN = "evidence.link_broken"
ARTICLE_NEW_REVISION = "article.new_revision"
CANDIDATE_LIKELY_MATCH = "candidate.likely_match"

EVENT_TYPES = (
    CLAIM_STATUS_CHANGED,
    CLAIM_FLAGGED,
    VERDICT_SUBMITTED,
    VERDICT_PUBLISHED,
    VERDICT_RETURNED,
    EVIDENCE_LINK_BROKEN,
    ARTICLE_NEW_REVISION,
    CANDIDATE_LIKELY_MATCH,
)

# Sent with ``event_type`` (one of EVENT_TYPES), ``claim_id`` or ``article_id`` (the
# document the event's data is built from) and ``extra`` (a dict of JSON values added to the
# data: ``from``/``to`` for status changes, ``verdict`` ids, ``candidate_id``, ...).
domain_event = Signal()


def emit(event_type: str, *, claim_id: int | None = None, article_id: int | None = None, **extra):
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    domain_event.send(
        sender=event_type,
        event_type=event_type,
        claim_id=claim_id,
        article_id=article_id,
        extra=extra,
    )


# Sent inside the transaction that created, imported or edited claims, with ``claim_ids``:
# the pipeline listens and, after commit, matches the open candidates against them again.
claims_touched = Signal()


def touch_claims(claim_ids) -> None:
    ids = sorted({int(pk) for pk in claim_ids})
    if ids:
        claims_touched.send(sender="claims", claim_ids=ids)
