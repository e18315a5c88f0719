"""The check-worthy sentences of a new revision become candidates (SPEC section 6), one per
article and sentence across its revisions, each matched against the claims on record. The
text analysis itself lives in ``claims.text``; editors' decisions in
``claims.candidate_review``."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from articles.models import Article, ArticleRevision, text_fingerprint
from claims.analysis import is_check_worthy, sentence_fields
from claims.matching import candidates_match
from claims.models import (
    Candidate,
    CandidateState,
)
from claims.text.analysis import analyse_text

_ANALYSED_FIELDS = [
    "text",
    "start",
    "end",
    "score",
    "features",
    "suggested_claimant",
    "figures",
]


@transaction.atomic
def candidates_generate(*, revision: ArticleRevision, match: bool = True) -> list[Candidate]:
    """Score every sentence of the revision and store the check-worthy ones as candidates of
    its article, best first; safe to run twice. A sentence already a candidate from an earlier
    revision keeps its row and its decision, and now points at this revision. With ``match``,
    open candidates also get the existing claim they possibly restate (``candidates_match``)."""
    # One generation per article at a time: two workers would otherwise both insert a sentence.
    Article.objects.select_for_update().only("id").get(pk=revision.article_id)
    existing = {
        c.fingerprint: c
        for c in Candidate.objects.filter(article_id=revision.article_id).select_related("revision")
    }
    kept: dict[str, Candidate] = {}
    new: list[Candidate] = []
    changed: list[Candidate] = []
    now = timezone.now()
    for analysed in analyse_text(revision.text):
        if not is_check_worthy(analysed):
            continue
        sentence = analysed.sentence
        fingerprint = text_fingerprint(sentence.text)
        if fingerprint in kept:
            continue  # the same sentence twice in one revision: the first place counts
        fields = sentence_fields(analysed)
        candidate = existing.get(fingerprint)
        if candidate is None:
            candidate = Candidate(
                article_id=revision.article_id,
                first_revision=revision,
                revision=revision,
                fingerprint=fingerprint,
                **fields,
            )
            new.append(candidate)
        elif candidate.revision.number <= revision.number and (
            candidate.revision_id != revision.pk
            or any(getattr(candidate, name) != value for name, value in fields.items())
        ):
            candidate.revision = revision
            for name, value in fields.items():
                setattr(candidate, name, value)
            candidate.updated_at = now  # bulk_update does not apply auto_now
            changed.append(candidate)
        # Otherwise unchanged, or seen in a newer revision already: an older revision
        # generated late does not move it back.
        kept[fingerprint] = candidate
    if new:
        bulk_create_with_history(new, Candidate, default_change_reason="Found in the text")
    if changed:
        bulk_update_with_history(
            changed,
            Candidate,
            fields=[*_ANALYSED_FIELDS, "revision", "updated_at"],
            default_change_reason=f"Seen again in revision {revision.number}",
        )
    found = sorted(kept.values(), key=lambda c: (-c.score, c.start))
    if match:
        candidates_match(candidates=[c for c in found if c.state == CandidateState.NEW])
    return found
