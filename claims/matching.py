"""Has this been checked before? Text matched against the claims on record (SPEC section 6).

One path for every caller (``/api/v1/claims/match/``, the analysis API, candidates): keyword
retrieval hands a pool of the best ``MATCH_POOL`` claims (PostgreSQL's full-text index, or on
SQLite a substring prefilter and BM25 in process) to the learned re-ranker
(``claims.text.rerank.rank_claims``: BM25 features, embeddings, the rules as weighed features),
whose probability is the score and whose calibrated flag is ``likely_same``. Open candidates
carry their best match, and are matched again when claims are added or edited
(``candidates_rematch``)."""

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from simple_history.utils import bulk_update_with_history

from claims.models import (
    Appearance,
    Candidate,
    Claim,
    ExternalReview,
)
from claims.text.matching import search_terms, stem
from claims.text.rerank import rank_claims
from claims.text.retrieval import K1, B, ClaimIndex, PoolClaim, clean

# A candidate whose best match scores this much shows "possibly the same as claim #N": the
# re-ranker finds it more likely than not that the sentence restates the claim.
MATCH_THRESHOLD = 0.5
# How many claims keyword retrieval hands to the re-ranking: enough that what keyword search
# finds is not lost (the right fact-check is in the best 100 for nearly every public query).
MATCH_POOL = 100
MATCH_TEXT_MAX_LENGTH = 5000

# Lexemes in more than this share of claims say little about which claim a text restates and
# make the full-text query touch a large part of the table; they are left to the re-ranking.
COMMON_LEXEME_SHARE = 0.05
# At most this many claims are read per word of a text (a word common before the statistics
# know it is): bounds the work of one match whatever the table holds.
HITS_PER_TERM = 5000
_STATS_TTL = 300.0
_stats: dict = {"at": -_STATS_TTL, "shares": {}, "claims": 1, "average_lexemes": 1.0}


def lexeme_shares_forget() -> None:
    """Read the lexeme statistics afresh at the next match (after a bulk load and ANALYZE)."""
    _stats.update(at=-_STATS_TTL, shares={})


def _corpus_stats() -> dict:
    """Share of claims containing each common lexeme (the statistics ANALYZE keeps for the
    search_vector column; autovacuum refreshes them), the number of claims and their average
    number of lexemes, for BM25; cached for a few minutes."""
    now = time.monotonic()
    if now - _stats["at"] > _STATS_TTL:
        with connection.cursor() as cursor:
            # One statement: a sample is enough for the average length (reading every row
            # would cost a scan), and the planner's row estimate for the number of claims.
            cursor.execute(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
                "(SELECT reltuples FROM pg_class WHERE relname = 'claims_claim'), "
                "sample.n, sample.average FROM "
                "(SELECT count(*) AS n, avg(length(search_vector)) AS average FROM "
                "(SELECT search_vector FROM claims_claim LIMIT 5000) AS rows) AS sample "
                "LEFT JOIN pg_stats s ON s.tablename = 'claims_claim' "
                "AND s.attname = 'search_vector'"
            )
            elems, freqs, estimate, sampled, average = cursor.fetchone()
        claims = int(estimate) if estimate and estimate > 0 else sampled
        _stats.update(
            at=now,
            shares=dict(zip(elems, freqs, strict=False)) if elems else {},
            claims=max(1, claims or 0),
            average_lexemes=float(average or 1.0),
        )
    return _stats


_NUMBER = re.compile(r"(?<![\d,.])\d+(?:\.\d+)?(?![\d,])")


def _tsqueries(text: str) -> list[str]:
    """The text's words for full-text search, each a query of its own so that each can
    weigh as much as it tells (its IDF): the distinctive ones, and the plain numbers (a
    figure tells claims apart). With only common words, the claims that have the rarest three
    together. Terms are [a-z]+ (search_terms) or digits, so they need no escaping."""
    text = clean(text)
    terms = list(dict.fromkeys(p for t in search_terms(text) for p in t.split("-") if p))
    numbers = list(dict.fromkeys(n for n in _NUMBER.findall(text) if len(n) > 1))
    if not terms:
        return numbers
    shares = _corpus_stats()["shares"]
    share = {term: shares.get(stem(term), 0.0) for term in terms}
    distinctive = [term for term in terms if share[term] <= COMMON_LEXEME_SHARE]
    if not distinctive:
        return [" & ".join(sorted(terms, key=share.get)[:3]), *numbers]
    return distinctive + numbers


# One statement for many texts (the candidates of an article): each text's best claims by
# BM25 (every term once in a claim; claims are a sentence or two), each term through the GIN
# index claim_search_vector, its document frequency counted from its own hits.
_POOLS_SQL = """
WITH queries AS (
    SELECT * FROM unnest(%(idx)s::int[], %(raw)s::text[]) AS q(idx, raw)
), hits AS (
    SELECT q.idx, q.raw, c.id, c.lexemes, count(*) OVER (PARTITION BY q.idx, q.raw) AS n
    FROM queries q
    CROSS JOIN LATERAL (
        SELECT id, length(search_vector) AS lexemes FROM claims_claim
        WHERE search_vector @@ to_tsquery('pg_catalog.english', q.raw)
          AND NOT (id = ANY(%(exclude)s::int[]))
        LIMIT %(hits)s
    ) AS c
), scored AS (
    SELECT idx, id,
           sum(ln(1 + (greatest(%(claims)s, n) - n + 0.5) / (n + 0.5)))
             * (%(k1)s + 1) / (1 + %(k1)s * (1 - %(b)s + %(b)s * max(lexemes) / %(avgdl)s))
             AS score
    FROM hits GROUP BY idx, id
), ranked AS (
    SELECT idx, id, score,
           row_number() OVER (PARTITION BY idx ORDER BY score DESC, id DESC) AS place
    FROM scored
)
SELECT r.idx, c.id, c.statement
FROM ranked r JOIN claims_claim c ON c.id = r.id
WHERE r.place <= %(pool)s
ORDER BY r.idx, r.place
"""


def _pools_postgresql(texts: list[str], exclude: set[int]) -> list[list[PoolClaim]]:
    pools: list[list[PoolClaim]] = [[] for _ in texts]
    pairs = [(i, raw) for i, text in enumerate(texts) for raw in _tsqueries(text)]
    if not pairs:
        return pools
    stats = _corpus_stats()
    with connection.cursor() as cursor:
        cursor.execute(
            _POOLS_SQL,
            {
                "idx": [i for i, _ in pairs],
                "raw": [raw for _, raw in pairs],
                "exclude": sorted(exclude),
                "hits": HITS_PER_TERM,
                "claims": stats["claims"],
                "avgdl": max(stats["average_lexemes"], 1.0),
                "k1": K1,
                "b": B,
                "pool": MATCH_POOL,
            },
        )
        for index, claim_id, statement in cursor.fetchall():
            pools[index].append(PoolClaim(claim_id, statement))
    return pools


# SQLite has no full-text index here: a substring prefilter on each text's longest words (and
# their synonyms) bounds the re-ranking to claims sharing at least one of them.
_PORTABLE_TERMS = 24
_PORTABLE_ROWS = 2000


def _portable_terms(text: str) -> list[str]:
    terms = sorted(set(search_terms(text)), key=len, reverse=True)[:_PORTABLE_TERMS]
    return [term[:6] if len(term) > 6 else term for term in terms]


def _pools_portable(texts: list[str], exclude: set[int]) -> list[list[PoolClaim]]:
    """Each text's pool of claims from one query for all the texts (an article's candidates
    are matched together): the claims sharing a word with any of them (newest first, at most
    ``_PORTABLE_ROWS``), then each text's best ``MATCH_POOL`` of those by BM25."""
    terms = [_portable_terms(text) for text in texts]
    every = sorted({term for text_terms in terms for term in text_terms})
    if not every:
        return [[] for _ in texts]
    # One regular expression rather than an OR of LIKEs: an article has hundreds of distinct
    # words, more than SQLite's limit on the depth of an expression. Terms are [a-z-] only.
    rows = list(
        Claim.objects.filter(statement__iregex="|".join(map(re.escape, every)))
        .exclude(pk__in=exclude)
        .order_by("-updated_at", "-id")
        .values_list("id", "statement")[:_PORTABLE_ROWS]
    )
    if not rows:
        return [[] for _ in texts]
    index = ClaimIndex([PoolClaim(claim_id, statement) for claim_id, statement in rows])
    return [index.pool(text, MATCH_POOL) for text in texts]


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
    pools = (
        _pools_postgresql(texts, exclude)
        if connection.vendor == "postgresql"
        else _pools_portable(texts, exclude)
    )
    return _with_titles(pools)


def _with_titles(pools: list[list[PoolClaim]]) -> list[list[PoolClaim]]:
    """Imported fact-checks carry their review's title into the re-ranker, as the training
    pairs did (claims.text.train_matching): one query for every pool."""
    ids = {claim.id for pool in pools for claim in pool}
    titles = dict(
        ExternalReview.objects.filter(claim_id__in=ids)
        .exclude(title="")
        .values_list("claim_id", "title")
    )
    if not titles:
        return pools
    return [
        [PoolClaim(c.id, c.statement, titles[c.id]) if c.id in titles else c for c in pool]
        for pool in pools
    ]


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
