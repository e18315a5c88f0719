"""Claims from text (SPEC section 6): generating candidates from a revision, accepting,
rejecting or attaching them, matching text against existing claims, and merging duplicates.

Writes go through these functions so the admin, the pages, the API and the ingestion tasks
obey the same rules; the text analysis itself lives in ``claims.text``.
"""

import re
import time
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from articles.models import Article, ArticleRevision, text_fingerprint
from claims import services
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimChange,
    ClaimQuantity,
    Evidence,
    Source,
    SourceKind,
    Verdict,
)
from claims.text.analysis import analyse_text
from claims.text.matching import profile, search_terms, similarity, stem
from claims.text.quantities import Quantity
from claims.text.scoring import THRESHOLD as CANDIDATE_THRESHOLD

# A candidate whose best match scores this much shows "possibly the same as claim #N". On the
# evaluation set (bench/claims.py) every true paraphrase scores above it and every unrelated
# text and near miss (another figure, a negation, another place) below it.
MATCH_THRESHOLD = 0.5
# How many claims the full-text prefilter hands to the re-ranking.
MATCH_POOL = 50
MATCH_TEXT_MAX_LENGTH = 5000


def _require(user, permission: str, action: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(f"You do not have permission to {action}.")


def _quantity_data(quantity: Quantity) -> dict:
    def number(n: Decimal | None) -> str | None:
        return None if n is None else str(n)

    return {
        "value": number(quantity.value),
        "low": number(quantity.low),
        "high": number(quantity.high),
        "qualifier": quantity.qualifier,
        "unit": quantity.unit,
        "text": quantity.text,
    }


# Matching --------------------------------------------------------------------------------


# Lexemes in more than this share of claims say little about which claim a text restates and
# make the full-text query touch a large part of the table; they are left to the re-ranking.
COMMON_LEXEME_SHARE = 0.01
_LEXEME_STATS_TTL = 300.0
_lexeme_stats: dict = {"at": -_LEXEME_STATS_TTL, "shares": {}}


def lexeme_shares_forget() -> None:
    """Read the lexeme statistics afresh at the next match (after a bulk load and ANALYZE)."""
    _lexeme_stats.update(at=-_LEXEME_STATS_TTL, shares={})


def _lexeme_shares() -> dict[str, float]:
    """Share of claims containing each common lexeme, from the statistics ANALYZE keeps for
    the search_vector column (autovacuum refreshes them); cached for a few minutes."""
    now = time.monotonic()
    if now - _lexeme_stats["at"] > _LEXEME_STATS_TTL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'claims_claim' AND attname = 'search_vector'"
            )
            row = cursor.fetchone()
        shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        _lexeme_stats.update(at=now, shares=shares)
    return _lexeme_stats["shares"]


def _tsquery(text: str) -> str | None:
    terms = list(dict.fromkeys(p for t in search_terms(text) for p in t.split("-") if p))
    if not terms:
        return None
    shares = _lexeme_shares()
    share = {term: shares.get(stem(term), 0.0) for term in terms}
    distinctive = [term for term in terms if share[term] <= COMMON_LEXEME_SHARE]
    # Any shared distinctive word qualifies, as a paraphrase shares few words; with only
    # common words, the claims that have the rarest of them together. Terms are [a-z]+ only
    # (search_terms), so the query needs no escaping.
    return " | ".join(distinctive) if distinctive else " & ".join(sorted(terms, key=share.get)[:3])


# One statement for many texts (the candidates of an article): each text's best claims by
# ts_rank, through the GIN index claim_search_vector.
_POOLS_SQL = """
SELECT q.idx, c.id, c.statement
FROM unnest(%s::int[], %s::text[]) AS q(idx, raw)
CROSS JOIN LATERAL (
    SELECT id, statement FROM claims_claim
    WHERE search_vector @@ to_tsquery('pg_catalog.english', q.raw)
    ORDER BY ts_rank(search_vector, to_tsquery('pg_catalog.english', q.raw)) DESC, id DESC
    LIMIT %s
) AS c
"""


def _pools_postgresql(texts: list[str], exclude: set[int]) -> list[list[tuple[int, str]]]:
    pools: list[list[tuple[int, str]]] = [[] for _ in texts]
    queries = [(i, raw) for i, raw in enumerate(map(_tsquery, texts)) if raw]
    if not queries:
        return pools
    with connection.cursor() as cursor:
        cursor.execute(
            _POOLS_SQL,
            [[i for i, _ in queries], [raw for _, raw in queries], MATCH_POOL + len(exclude)],
        )
        for index, claim_id, statement in cursor.fetchall():
            if claim_id not in exclude:
                pools[index].append((claim_id, statement))
    return pools


# SQLite has no full-text index here: a substring prefilter on each text's longest words (and
# their synonyms) bounds the re-ranking to claims sharing at least one of them.
_PORTABLE_TERMS = 24
_PORTABLE_POOL = 1000


def _portable_terms(text: str) -> list[str]:
    terms = sorted(set(search_terms(text)), key=len, reverse=True)[:_PORTABLE_TERMS]
    return [term[:6] if len(term) > 6 else term for term in terms]


def _pools_portable(texts: list[str], exclude: set[int]) -> list[list[tuple[int, str]]]:
    """Each text's pool of claims, newest first, from one query for all the texts (an
    article's candidates are matched together)."""
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
        .values_list("id", "statement")[: _PORTABLE_POOL * len(texts)]
    )
    if not rows:
        return [[] for _ in texts]
    lowered = [(claim_id, statement, statement.lower()) for claim_id, statement in rows]
    return [
        [
            (claim_id, statement)
            for claim_id, statement, low in lowered
            if any(term in low for term in text_terms)
        ][:_PORTABLE_POOL]
        for text_terms in terms
    ]


def _validated_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Give the text to match against existing claims."})
    if len(text) > MATCH_TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The text is too long to match (at most {MATCH_TEXT_MAX_LENGTH} characters)."}
        )
    return text


def _ranked_ids_many(
    texts: list[str], *, limit: int, exclude: set[int]
) -> list[list[tuple[float, int]]]:
    if connection.vendor == "postgresql":
        pools = _pools_postgresql(texts, exclude)
    else:
        pools = _pools_portable(texts, exclude)
    results = []
    for text, pool in zip(texts, pools, strict=True):
        if not pool:
            results.append([])
            continue
        query = profile(text)
        ranked = sorted(
            ((similarity(query, profile(statement)), claim_id) for claim_id, statement in pool),
            key=lambda pair: (-pair[0], -pair[1]),
        )[:limit]
        results.append([(score, claim_id) for score, claim_id in ranked if score > 0])
    return results


def claims_match(
    *, text: str, limit: int = 10, exclude_claim_ids: Iterable[int] = ()
) -> list[tuple[Claim, float]]:
    """Existing claims that state what ``text`` states, best first, each with a score 0..1."""
    text = _validated_text(text)
    if not 1 <= limit <= 100:
        raise ValidationError({"limit": "Ask for between 1 and 100 matches."})
    (ranked,) = _ranked_ids_many([text], limit=limit, exclude=set(exclude_claim_ids))
    claims = Claim.objects.with_related().in_bulk([claim_id for _, claim_id in ranked])
    return [(claims[claim_id], score) for score, claim_id in ranked if claim_id in claims]


# Candidates ------------------------------------------------------------------------------


_ANALYSED_FIELDS = [
    "text",
    "start",
    "end",
    "score",
    "features",
    "suggested_claimant",
    "quantities",
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
        if analysed.score.score < CANDIDATE_THRESHOLD:
            continue
        sentence = analysed.sentence
        fingerprint = text_fingerprint(sentence.text)
        if fingerprint in kept:
            continue  # the same sentence twice in one revision: the first place counts
        fields = {
            "text": sentence.text,
            "start": sentence.start,
            "end": sentence.end,
            "score": analysed.score.score,
            "features": analysed.score.features,
            "suggested_claimant": (analysed.claimant or "")[:300],
            "quantities": [_quantity_data(q) for q in analysed.quantities],
        }
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


def candidates_match(*, candidates: list[Candidate]) -> None:
    """Set or clear "possibly the same as claim #N" on open candidates, in one query. A claim
    made from the candidate's own sentence is not proposed for it."""
    if not candidates:
        return
    own = set(
        Appearance.objects.filter(
            revision__article_id__in={c.article_id for c in candidates},
            quote__in=[c.text for c in candidates],
        ).values_list("claim_id", "quote")
    )
    pools = _ranked_ids_many(
        [c.text for c in candidates],
        limit=1 + len(own),
        exclude=set(),
    )
    changed = []
    for candidate, ranked in zip(candidates, pools, strict=True):
        best = next(
            (
                (score, claim_id)
                for score, claim_id in ranked
                if (claim_id, candidate.text) not in own
            ),
            None,
        )
        claim_id, score = (best[1], best[0]) if best else (None, None)
        if score is None or score < MATCH_THRESHOLD:
            claim_id, score = None, None
        if (candidate.matched_claim_id, candidate.match_score) != (claim_id, score):
            candidate.matched_claim_id, candidate.match_score = claim_id, score
            changed.append(candidate)
    if changed:
        bulk_update_with_history(
            changed,
            Candidate,
            fields=["matched_claim", "match_score"],
            default_change_reason="Matched against existing claims",
        )


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
    services._attribute(candidate, user, f"{CandidateState(state).label}: {reason}".strip(": "))
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
    _require(user, "claims.add_claimquantity", "record a claim's figures")
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
    _require(user, "claims.add_claim", "create claims")
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
    _require(user, "claims.change_candidate", "reject candidates")
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
    _require(user, "claims.add_appearance", "add appearances to claims")
    locked = _locked_open(candidate)
    revision, start = _anchor(locked)
    appearance = services.appearance_create(
        claim=claim, revision=revision, quote=locked.text, start=start, user=user
    )
    _add_quantities(claim, locked, revision)
    locked.claim = claim
    _decide(locked, CandidateState.ACCEPTED, user, f"Attached to claim #{claim.pk}")
    return appearance


# Claimants -------------------------------------------------------------------------------

_GOVERNMENT_WORDS = re.compile(
    r"\b(?:ministry|minister|ministers|government|president|department|authority|council|"
    r"parliament|police|army|military|forces|intelligence|governor|mayor|secretary|embassy|"
    r"agency|office|officials|cabinet|kremlin|white house|navy|prosecutor|court|service)\b",
    re.IGNORECASE,
)
_PERSON_TITLES = re.compile(
    r"^(?:(?:[A-Z]\w+\s+)?(?:President|Minister|Secretary|General|Colonel|Governor|Mayor|"
    r"Senator|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Prof\.?|Professor|spokesman|spokeswoman|leader|"
    r"director|chief)\s+)+",
)


def _source_kind(name: str) -> str:
    words = name.split()
    bare = _PERSON_TITLES.sub("", name).split()
    if (
        bare
        and len(bare) <= 3
        and all(w[0].isupper() for w in bare)
        and not _GOVERNMENT_WORDS.search(" ".join(bare))
        and not re.search(r"\b(?:union|institute|university|association|bank|group)\b", name, re.I)
        and words[0].lower() != "the"
    ):
        return SourceKind.PERSON
    if _GOVERNMENT_WORDS.search(name):
        return SourceKind.GOVERNMENT
    return SourceKind.ORGANIZATION


def _display_name(name: str) -> str:
    name = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return name[:1].upper() + name[1:]


def source_match(name: str) -> Source | None:
    """The existing Source a suggested claimant names: the same name (without "the"), else the
    longest source name found inside it ("Transport Minister Helen Achterberg" → Helen
    Achterberg)."""
    words = _display_name(name).split()
    if not words:
        return None
    phrases = {
        " ".join(words[i:j]).lower().replace("\u2019", "'")
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if any(w[0].isupper() for w in words[i:j]) or j - i > 1
    }
    # "Ukraine's Special Operations Forces" is also "Special Operations Forces of Ukraine".
    for phrase in list(phrases):
        owner, _, owned = phrase.partition("'s ")
        if owned and " " not in owner.strip():
            phrases.add(f"{owned} of {owner}")
    # A source named with a qualifier in brackets ("National Intelligence Service (South
    # Korea)") is found by its name without it.
    qualified = Q()
    for phrase in phrases:
        if len(phrase.split()) > 1:
            qualified |= Q(lname__startswith=f"{phrase} (")
    found = list(
        Source.objects.annotate(lname=Lower("name"))
        .filter(Q(lname__in=phrases) | qualified)
        .order_by("id")
        .only("id", "name", "kind", "parent_id", "root_id")
    )
    if not found:
        return None
    return max(found, key=lambda source: (len(source.name), -source.pk))


def claimant_source(*, name: str, article: Article, user=None) -> Source:
    """The Source for a suggested claimant, matched or created; an unattributed sentence is the
    outlet's own claim."""
    name = (name or "").strip()
    if not name:
        name = article.publisher or urlsplit(article.canonical_url).hostname or "Unknown outlet"
        kind = SourceKind.OUTLET
    else:
        kind = _source_kind(_display_name(name))
    existing = source_match(name)
    if existing is not None:
        return existing
    return services.source_create(name=_display_name(name)[:300], kind=kind, user=user)


# Merging ---------------------------------------------------------------------------------


@transaction.atomic
def claims_merge(*, target: Claim, duplicates: Iterable[Claim], user) -> Claim:
    """Fold duplicate claims into ``target``: their evidence, appearances, figures, status and
    verdict history and candidates move to it, the duplicates are deleted (their own history
    records the merge), and the target's status is recomputed."""
    _require(user, "claims.delete_claim", "merge claims")
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
            services._attribute(evidence, user, label)
            if same is not None:
                evidence.delete()  # the same document with the same stance is already there
            else:
                evidence.claim = target
                evidence.save()
        for appearance in Appearance.objects.filter(claim=duplicate):
            services._attribute(appearance, user, label)
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
            services._attribute(verdict, user, label)
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
        services._attribute(duplicate, user, f"Merged into claim #{target.pk}")
        duplicate.delete()
    target.needs_review_reason = "\n".join(dict.fromkeys(reasons))
    merged = ", ".join(f"#{pk}" for pk in duplicate_ids)
    return services.claim_recompute_status(
        claim=target,
        user=user,
        reason=f"Merged claim{'s' if len(duplicate_ids) > 1 else ''} {merged} into this claim",
    )
