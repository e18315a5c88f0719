"""The check-worthy sentences of a new revision become candidates (SPEC section 6), one per
article and sentence across its revisions, each matched against the claims on record. The
text analysis itself lives in ``claims.text``; editors' decisions in
``claims.candidate_review``."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from articles.models import Article, ArticleRevision, text_fingerprint
from claims.analysis import is_check_worthy, sentence_fields
from claims.matching import MATCH_THRESHOLD, CandidateMatch, candidates_match
from claims.models import Candidate, CandidateState, Claim
from claims.text.analysis import analyse_text
from claims.text.rerank import rank_claims
from claims.text.retrieval import ClaimIndex, PoolClaim
from core import events

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
        likely = candidates_match(candidates=[c for c in found if c.state == CandidateState.NEW])
        _announce_checked_before(likely)
    return found


def _announce_checked_before(found: list[CandidateMatch]) -> None:
    """A candidate newly likely the same as a claim checked before (its verdict published, or
    an imported fact-check: ClaimQuerySet.checked) repeats it (SPEC section 10):
    ``candidate.likely_match`` for the webhooks, inside the caller's transaction. The review
    queue's "Checked before" tab reads the rows themselves."""
    if not found:
        return
    checked = set(
        Claim.objects.filter(pk__in={m.claim_id for m in found})
        .checked()
        .values_list("pk", flat=True)
    )
    for match in found:
        if match.claim_id in checked:
            events.emit(
                events.CANDIDATE_LIKELY_MATCH,
                claim_id=match.claim_id,
                article_id=match.article_id,
                candidate_id=match.candidate_id,
            )


# Above this many touched claims (an archive imported) every open candidate is matched again:
# sorting out which ones the claims concern costs more than it saves.
REMATCH_ALL_ABOVE = 2000
# A candidate is matched again only where the touched claims come this close to being its
# match among themselves: the full matching then decides against every claim on record.
_REMATCH_PREFILTER = MATCH_THRESHOLD / 2


def _concerned(candidates: list[Candidate], claim_ids: set[int]) -> list[Candidate]:
    """The open candidates that the touched claims may change: those matched to one of them
    (edited, it may no longer match) and those the re-ranker finds close to one of them."""
    touched = [
        PoolClaim(pk, statement)
        for pk, statement in Claim.objects.filter(pk__in=claim_ids).values_list("id", "statement")
    ]
    index = ClaimIndex(touched) if touched else None
    concerned = []
    for candidate in candidates:
        if candidate.matched_claim_id in claim_ids:
            concerned.append(candidate)
        elif index is not None:
            best = rank_claims(candidate.text, index.pool(candidate.text), limit=1)
            if best and best[0].score >= _REMATCH_PREFILTER:
                concerned.append(candidate)
    return concerned


def candidates_rematch(*, claim_ids: list[int]) -> int:
    """Match the open candidates again after claims were created, imported or edited (SPEC
    section 6), each article's in its own transaction under the article's lock (as
    ``candidates_generate``: the two never interleave on one article). Cheap when few claims
    changed: only the candidates they concern are matched again. Returns how many were."""
    ids = set(claim_ids)
    open_candidates = list(
        Candidate.objects.open().only("id", "article_id", "text", "matched_claim_id")
    )
    if len(ids) <= REMATCH_ALL_ABOVE:
        open_candidates = _concerned(open_candidates, ids)
    by_article: dict[int, list[int]] = {}
    for candidate in open_candidates:
        by_article.setdefault(candidate.article_id, []).append(candidate.pk)
    for article_id, candidate_ids in sorted(by_article.items()):
        with transaction.atomic():
            Article.objects.select_for_update().only("id").filter(pk=article_id).first()
            # Read again under the lock: a decision or a new revision may have come between.
            fresh = list(Candidate.objects.open().filter(pk__in=candidate_ids))
            _announce_checked_before(candidates_match(candidates=fresh))
    return len(open_candidates)
