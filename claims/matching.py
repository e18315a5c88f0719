"""Has this been checked before? Text matched against the claims on record (SPEC section 6).

One path for every caller (``/api/v1/claims/match/``, the analysis API, candidates), on
PostgreSQL and SQLite alike: keyword retrieval (BM25 over every claim's statement and title,
in the process's memory: claims.keyword_index) hands a pool of the best ``MATCH_POOL`` claims
to the learned re-ranker
(``claims.text.rerank.rank_claims``: BM25 features, embeddings, the rules as weighed features),
whose probability is the score and whose calibrated flag is ``likely_same``. Open candidates
carry their best match, and are matched again when claims are added or edited
(``candidates_rematch``)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from simple_history.utils import bulk_update_with_history

from claims import sentence_vectors
from claims.keyword_index import keyword_index
from claims.models import Appearance, Candidate, Claim
from claims.text.rerank import POSSIBLY_SAME, rank_claims
from claims.text.retrieval import PoolClaim

# A candidate whose best match scores this much shows "possibly the same as claim #N": the
# re-ranker finds it more likely than not that the sentence restates the claim.
MATCH_THRESHOLD = POSSIBLY_SAME
# How many claims keyword retrieval hands to the re-ranking: enough that what keyword search
# finds is not lost (the right fact-check is in the best 100 for nearly every public query).
MATCH_POOL = 100
MATCH_TEXT_MAX_LENGTH = 5000


def _validated_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Give the text to match against existing claims."})
    if len(text) > MATCH_TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The text is too long to match (at most {MATCH_TEXT_MAX_LENGTH} characters)."}
        )
    return text


def _pools(texts: list[str], exclude: set[int]) -> list[list[PoolClaim]]:
    """Each text's best ``MATCH_POOL`` claims by BM25 (claims.keyword_index), as they are in
    the table now: statements and, for imported fact-checks, their review's title, which the
    re-ranker reads as its training pairs did (claims.text.train_matching), with their
    statements' sentence vectors (claims.sentence_vectors). One query for every pool, one
    for their vectors (and one to store those encoded for the first time)."""
    ranked = keyword_index.pools(texts, k=MATCH_POOL, exclude=exclude)
    wanted = {claim_id for pool in ranked for claim_id in pool}
    found = list(
        Claim.objects.filter(pk__in=wanted)
        .order_by()
        .values_list("pk", "statement", "external_review__title")
    )
    vectors = sentence_vectors.vectors([statement for _, statement, _ in found])
    rows = {
        claim_id: PoolClaim(claim_id, statement, title or "", vector)
        for (claim_id, statement, title), vector in zip(found, vectors, strict=True)
    }
    if len(rows) < len(wanted):
        keyword_index.lost(wanted - rows.keys())
    return [[rows[claim_id] for claim_id in pool if claim_id in rows] for pool in ranked]


@dataclass(frozen=True)
class ClaimMatch:
    """``score``: the re-ranker's probability (0 to 1) that the text restates the claim;
    ``likely_same``: its calibrated flag, set only where such matches were right at least 9
    times in 10 on the public benchmarks' dev parts (SPEC section 6)."""

    claim_id: int
    score: float
    likely_same: bool


def texts_match(
    texts: list[str], *, limit: int, exclude: Iterable[int] = ()
) -> list[list[ClaimMatch]]:
    """For each text, the claims it may restate, best first, at most ``limit``."""
    pools = _pools(texts, set(exclude))
    return [
        [
            ClaimMatch(int(m.claim_id), m.score, m.likely_same)
            for m in rank_claims(text, pool, limit=limit)
        ]
        for text, pool in zip(texts, pools, strict=True)
    ]


def claims_match(
    *, text: str, limit: int = 10, exclude_claim_ids: Iterable[int] = ()
) -> list[tuple[Claim, float]]:
    """Existing claims that state what ``text`` states, best first, each with a score 0..1."""
    text = _validated_text(text)
    if not 1 <= limit <= 100:
        raise ValidationError({"limit": "Ask for between 1 and 100 matches."})
    (ranked,) = texts_match([text], limit=limit, exclude=exclude_claim_ids)
    claims = Claim.objects.with_related().in_bulk([m.claim_id for m in ranked])
    return [(claims[m.claim_id], m.score) for m in ranked if m.claim_id in claims]


@dataclass(frozen=True)
class CandidateMatch:
    candidate_id: int
    claim_id: int
    article_id: int


def candidates_match(*, candidates: list[Candidate]) -> list[CandidateMatch]:
    """Set or clear "possibly the same as claim #N" and its ``likely_same`` on open
    candidates. A claim made from the candidate's own sentence is not proposed for it.
    Returns the candidates that became likely the same as a claim (they were not before, or
    as another claim)."""
    if not candidates:
        return []
    own = set(
        Appearance.objects.filter(
            revision__article_id__in={c.article_id for c in candidates},
            quote__in=[c.text for c in candidates],
        ).values_list("claim_id", "quote")
    )
    ranked_all = texts_match([c.text for c in candidates], limit=1 + len(own))
    changed, newly_likely = [], []
    for candidate, ranked in zip(candidates, ranked_all, strict=True):
        best = next((m for m in ranked if (m.claim_id, candidate.text) not in own), None)
        if best is None or best.score < MATCH_THRESHOLD:
            found = (None, None, False)
        else:
            found = (best.claim_id, best.score, best.likely_same)
        before = (candidate.matched_claim_id, candidate.match_score, candidate.match_likely_same)
        if before != found:
            if found[2] and (not before[2] or before[0] != found[0]):
                newly_likely.append(
                    CandidateMatch(candidate.pk, found[0], candidate.article_id)  # type: ignore[arg-type]
                )
            candidate.matched_claim_id, candidate.match_score, candidate.match_likely_same = found
            changed.append(candidate)
    if changed:
        bulk_update_with_history(
            changed,
            Candidate,
            fields=["matched_claim", "match_score", "match_likely_same"],
            default_change_reason="Matched against existing claims",
        )
    return newly_likely
