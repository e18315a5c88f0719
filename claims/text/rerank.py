"""The learned re-ranker of claim matching: which claims of a pool a text restates.

Two logistic regressions, trained on the training parts of two public benchmarks
(``python -m claims.text.train_matching``), one after the other:

1. Every claim of the pool (the best 100 by keyword search) is described by cheap features:
   BM25 of the text against the claim's statement, its title and both (with document
   frequencies learned from the public pools, so that the features do not depend on which
   index built the pool), how much of the claim's and of the text's weight of words the other
   has, shared word pairs, the cosine of their embeddings (claims.text.embeddings) as they are
   and through a projection learned on the benchmarks (claims.text.train_projection), the
   cosine of the text and the statement by a sentence encoder that reads each sentence whole
   (claims.text.sentence_encoder); each also relative to the rest of the pool (a claim's lead
   over the best other says more than its score alone; in a pool short of 100, over a floor
   as well: LEAD_FLOOR). The first model keeps the best ``shortlist`` claims.
2. Those are described again with the hand-set rules of claims.text.matching as features
   (figures on one side only or different, negation, direction of a change, opposed events,
   actors named on one side only, event coverage, the rules' overall score) beside the first
   model's probability; the second model weighs them all. Rules cost a parse of each claim,
   which is why they only run on the shortlist.

The second model's output is the match score: the probability (0 to 1) that the claim is
one the text restates. ``likely_same`` is the judgement of a third model on the best claim
alone (its row, its probability and its lead over the next): whether the best match is right.
Its threshold is chosen on the training parts, out of fold, so that the flag is right at
least 9 times in 10 on each benchmark (the probability alone means less on debate sentences
than on posts); and it is never set on a score under 0.5 (POSSIBLY_SAME) or where the rules
see a different figure, a negation, the opposite direction or the opposite event (SPEC
section 6: those are other claims, however similar the words). bench/matching_public.py
confirms it on the dev parts.

The model is a small JSON file (weights, the projection, the lead floors and the document
frequency table), read once per process on first use; scoring needs numpy only.
"""

import base64
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from claims.text import embeddings, sentence_encoder
from claims.text.matching import (
    _STOP,
    Signals,
    TextProfile,
    profile,
    rules_score,
    signals,
    stem,
)
from claims.text.retrieval import K1, POOL_SIZE, B, PoolClaim, clean, idf, tokens

_WORD = re.compile(r"[A-Za-z][A-Za-z’']*")

MODEL_PATH = Path(__file__).resolve().parent / "models" / "matching.json"

# Cheap features, for every claim of the pool; the relative ones are also taken as the lead
# over the best other claim and as whether the claim is the pool's best.
_RELATIVE_FIRST = [
    "bm25",
    "cosine",
    "cosine_learned",
    "claim_coverage",
    "soft_query",
    "soft_claim",
    "cosine_sentence",
]
FIRST_FEATURES = [
    "bm25",
    "bm25_statement",
    "bm25_title",
    "statement_coverage",
    "title_coverage",
    "claim_coverage",
    "query_coverage",
    "shared_bigrams",
    "cosine",
    "cosine_statement",
    "cosine_title",
    "cosine_learned",
    "cosine_sentence",
    "has_title",
    "soft_query",
    "soft_claim",
    "shared_numbers",
    "claim_numbers_missing",
    *[f"{name}_lead" for name in _RELATIVE_FIRST],
    *[f"{name}_top" for name in _RELATIVE_FIRST],
    "query_terms",
]
# The rules' signals (claims.text.matching.Signals), as 0/1 or 0..1.
RULES = [
    "overlap",
    "coverage",
    "figure_one_side",
    "figures_differ",
    "figures_contained",
    "figures_partial",
    "number_one_side",
    "negation_differs",
    "direction_differs",
    "opposed",
    "actors_unshared",
]
SECOND_FEATURES = [
    *FIRST_FEATURES,
    "first_stage",
    "first_stage_lead",
    "rules_score",
    "rules_score_lead",
    "rules_score_top",
    *RULES,
]
# The flag's model reads the best claim's row, its probability and its lead over the next.
FLAG_FEATURES = [*SECOND_FEATURES, "probability", "probability_lead", "logit"]
# What the flag never overlooks: the rules' signs of another claim in the same words.
# (Names on one side only and little of the event in common are left to the flag's model:
# as vetoes they cost most true matches of social posts, which name more than the claim.)
VETOES = ["figures_differ", "negation_differs", "direction_differs", "opposed"]


@dataclass(frozen=True)
class Stage:
    """One logistic regression over standardised features."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_dict(cls, data: dict, expected: list[str]) -> "Stage":
        if data["features"] != expected:
            raise ValueError(
                "The matching model was trained on other features: retrain it with "
                "`python -m claims.text.train_matching`."
            )
        return cls(
            features=data["features"],
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
        )

    @classmethod
    def untrained(cls, features: list[str]) -> "Stage":
        n = len(features)
        return cls(features, np.zeros(n), np.ones(n), np.zeros(n), 0.0)


@dataclass(frozen=True)
class Model:
    first: Stage
    second: Stage
    flag: Stage
    shortlist: int
    likely_same_threshold: float
    documents: int
    average_length: float
    document_frequency: dict[str, int]
    # The learned map of the embeddings (claims.text.train_projection), 256 x 256; None only
    # while training, which fills ``cosine_learned`` itself (out of fold).
    projection: np.ndarray | None = None
    # Per relative feature, the least its best other claim is taken to score (LEAD_FLOOR).
    lead_floor: dict[str, float] = field(default_factory=dict)

    @cached_property
    def unknown_idf(self) -> float:
        # A word none of the public claims has is as telling as the rarest that they have.
        return idf(1, self.documents)

    @cached_property
    def _idf_table(self) -> dict[str, float]:
        return {term: idf(df, self.documents) for term, df in self.document_frequency.items()}

    def idf(self, term: str) -> float:
        return self._idf_table.get(term, self.unknown_idf)

    @classmethod
    def from_dict(cls, data: dict) -> "Model":
        return cls(
            first=Stage.from_dict(data["first_stage"], FIRST_FEATURES),
            second=Stage.from_dict(data["second_stage"], SECOND_FEATURES),
            flag=Stage.from_dict(data["flag"], FLAG_FEATURES),
            shortlist=int(data["shortlist"]),
            likely_same_threshold=float(data["likely_same_threshold"]),
            documents=int(data["idf"]["documents"]),
            average_length=float(data["idf"]["average_length"]),
            document_frequency=data["idf"]["document_frequency"],
            projection=projection_from_dict(data["projection"]),
            lead_floor=data["lead_floor"],
        )


def projection_to_dict(projection: np.ndarray) -> dict:
    """The projection as JSON: float16 (128 KB, base64), precise enough for a cosine."""
    values = np.ascontiguousarray(projection, dtype="<f2")
    return {
        "shape": list(values.shape),
        "float16_base64": base64.b64encode(values.tobytes()).decode("ascii"),
    }


def projection_from_dict(data: dict) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(data["float16_base64"]), dtype="<f2")
    return values.reshape(data["shape"]).astype(np.float32)


def learned_cosines(
    query_vector: np.ndarray,
    statements: np.ndarray,
    titles: np.ndarray,
    has_title: np.ndarray,
    projection: np.ndarray,
) -> np.ndarray:
    """``cosine_learned`` of each claim: the better of its statement's and its title's cosine
    with the text, all mapped by the learned projection first (claims.text.train_projection:
    fitted so that the claim a text restates stands out from the rest of its keyword pool)."""
    query = query_vector @ projection
    length = np.linalg.norm(query)
    if not length:
        return np.zeros(len(statements))

    def cosines(vectors: np.ndarray) -> np.ndarray:
        mapped = vectors @ projection
        lengths = np.linalg.norm(mapped, axis=1)
        return (mapped @ query) / (np.where(lengths > 0, lengths, 1.0) * length)

    found = cosines(statements).astype(np.float64)
    if has_title.any():
        found[has_title] = np.maximum(found[has_title], cosines(titles[has_title]))
    return found


def set_relative(
    rows: np.ndarray, name: str, values: np.ndarray | None = None, floor: float | None = None
) -> None:
    """Write feature ``name`` of every claim of a pool (if ``values`` are given) and, for one
    of _RELATIVE_FIRST, its ``_lead`` and ``_top`` (training sets ``cosine_learned`` again
    with each fold's projection this way)."""
    column = FIRST_FEATURES.index
    if values is not None:
        rows[:, column(name)] = values
    if name in _RELATIVE_FIRST:
        lead, top = _lead_and_top(rows[:, column(name)], floor)
        rows[:, column(f"{name}_lead")] = lead
        rows[:, column(f"{name}_top")] = top


_lock = threading.Lock()
_loaded: dict[Path, Model] = {}


def model(path: Path = MODEL_PATH) -> Model:
    """The trained model, read once per process."""
    if path not in _loaded:
        with _lock:
            if path not in _loaded:
                _loaded[path] = Model.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return _loaded[path]


def _bigrams(terms: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(terms))


@dataclass(frozen=True)
class _Terms:
    statement: Counter
    title: Counter
    both: Counter
    statement_set: frozenset[str]
    title_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    words: tuple[str, ...]  # content words as written (lower case), for the soft alignment
    word_stems: tuple[str, ...]


def _content_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinct content words in lower case, and their stems (whose IDF weighs them)."""
    words = dict.fromkeys(
        lower
        for word in _WORD.findall(text)
        if len(lower := word.lower().replace("’", "'").removesuffix("'s")) > 1
        and lower not in _STOP
    )
    return tuple(words), tuple(stem(w) for w in words)


# A pool is mostly the same claims query after query: what is read of each claim is worked
# out once per process (bounded: 20,000 claims each).
@lru_cache(maxsize=20_000)
def _terms(statement: str, title: str) -> _Terms:
    statement_terms, title_terms = tokens(statement), tokens(title)
    words, word_stems = _content_words(f"{statement} {title}")
    return _Terms(
        statement=Counter(statement_terms),
        title=Counter(title_terms),
        both=Counter(statement_terms + title_terms),
        statement_set=frozenset(statement_terms),
        title_set=frozenset(title_terms),
        bigrams=frozenset(_bigrams(statement_terms) | _bigrams(title_terms)),
        words=words,
        word_stems=word_stems,
    )


@lru_cache(maxsize=20_000)
def _profile(statement: str) -> TextProfile:
    # Not matching.profile's own cache: that one is sized for an article's sentences.
    return profile.__wrapped__(statement)


def _bm25(query: Counter, counts: Counter, weights: dict[str, float], avgdl: float) -> float:
    if not counts or not query:
        return 0.0
    norm = K1 * (1 - B + B * counts.total() / avgdl)
    return sum(
        weights[term] * tf * (K1 + 1) / (tf + norm) * qf
        for term, qf in query.items()
        if (tf := counts.get(term))
    )


def _coverage(terms: frozenset[str] | set[str], other, weight) -> float:
    """The share of the IDF weight of ``terms`` that ``other`` has too."""
    total = math.fsum(weight(term) for term in terms)
    return math.fsum(weight(term) for term in terms & other) / total if total else 0.0


def _soft_alignment(text: str, known: list[_Terms], idf_of) -> tuple[np.ndarray, np.ndarray]:
    """How much of the text's word weight has a near word in each claim (``soft_query``) and
    how much of each claim's has one in the text (``soft_claim``): each word's best cosine
    with the other side's words, weighted by IDF. Paraphrases share meaning, not spelling
    ("deployed" / "sent", "jab" / "vaccine"), which exact words and stems miss."""
    query_words, query_stems = _content_words(text)
    soft_query, soft_claim = np.zeros(len(known)), np.zeros(len(known))
    if not query_words or not known:
        return soft_query, soft_claim
    query_weights = np.asarray([idf_of(s) for s in query_stems])
    # Every claim's words side by side, a claim without one holding a weightless blank, so
    # that one product and reduceat serve the whole pool.
    words: list[str] = []
    weights: list[float] = []
    starts: list[int] = []
    for terms in known:
        starts.append(len(words))
        if terms.words:
            words.extend(terms.words)
            weights.extend(idf_of(s) for s in terms.word_stems)
        else:
            words.append("")
            weights.append(0.0)
    vectors = embeddings.word_vectors(words)
    cosines = np.clip(embeddings.word_vectors(list(query_words)) @ vectors.T, 0.0, 1.0)
    best_in_claim = np.maximum.reduceat(cosines, starts, axis=1)  # query word x claim
    soft_query[:] = query_weights @ best_in_claim / query_weights.sum()
    claim_weights = np.asarray(weights)
    totals = np.add.reduceat(claim_weights, starts)
    covered = np.add.reduceat(claim_weights * cosines.max(axis=0), starts)
    soft_claim[:] = np.divide(covered, totals, out=np.zeros(len(known)), where=totals > 0)
    return soft_query, soft_claim


# The relative features compare a claim with the best of the others in its pool. The models
# learn them on pools of 100 drawn from archives of thousands, where the best other claim is
# never far behind. An archive of a few dozen claims gives pools of one or two: their best
# then leads by everything it has, and the models were sure of sentences that share a word
# with one claim (115 of 3,000 sentences of real pages flagged "likely the same" as one of
# the 36 fact-checks of the sample archive, bench/matching_small_archive.py). So in a pool
# short of POOL_SIZE (fewer claims share a word with the text than keyword search would
# hand on), a lead is taken over the best other claim or over what the runner-up of a full
# pool typically scores, whichever is higher: as if the claims an archive of thousands would
# add were there. That floor is the LEAD_FLOOR quantile of the runners-up of the training
# pools, stored in the model per feature. It left 1 such flag of 3,000, and the paraphrases of
# the project's own small evaluation sets flagged as before; applied to full pools as well,
# 13 (training then learns the floored leads as ordinary).
LEAD_FLOOR = 0.5


def _lead_and_top(values: np.ndarray, floor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each value's lead over the best of the others (or ``floor``, if higher), and whether
    it is the best."""
    if len(values) == 1:
        return (np.zeros(1) if floor is None else values - floor), np.ones(1)
    order = np.argsort(-values, kind="stable")
    best, second = values[order[0]], values[order[1]]
    others_best = np.where(np.arange(len(values)) == order[0], second, best)
    if floor is not None:
        others_best = np.maximum(others_best, floor)
    top = np.zeros(len(values))
    top[order[0]] = 1.0
    return values - others_best, top


def floors_for(pool_size: int, floors: dict[str, float]) -> dict[str, float]:
    """The lead floors (``floors``: the model's) that apply to a pool of ``pool_size``
    claims: none to a full one."""
    return floors if pool_size < POOL_SIZE else {}


def sentence_cosines(text: str, pool: Sequence[PoolClaim]) -> np.ndarray:
    """``cosine_sentence`` of each claim: the cosine of the sentence encoder's vectors of the
    text as written and of the claim's statement (claims.text.sentence_encoder; the title is
    left out: it added nothing out of fold, and would double what an import encodes)."""
    query = sentence_encoder.encode_cached([text])[0]
    missing = [claim.statement for claim in pool if claim.vector is None]
    encoded = iter(sentence_encoder.encode_cached(missing)) if missing else iter(())
    statements = np.stack(
        [claim.vector if claim.vector is not None else next(encoded) for claim in pool]
    )
    return (statements @ query).astype(np.float64)


def first_features(text: str, pool: Sequence[PoolClaim], trained: Model) -> np.ndarray:
    """One row of FIRST_FEATURES per claim of the pool."""
    floors = floors_for(len(pool), trained.lead_floor)
    rows = np.zeros((len(pool), len(FIRST_FEATURES)))
    column = {name: i for i, name in enumerate(FIRST_FEATURES)}
    rows[:, column["cosine_sentence"]] = sentence_cosines(text, pool)
    text = clean(text)
    query_tokens = tokens(text)
    query = Counter(query_tokens)
    query_terms = set(query)
    query_numbers = {term for term in query_terms if term[0].isdigit()}
    query_bigrams = _bigrams(query_tokens)
    weights = {term: trained.idf(term) for term in query}
    # BM25 is divided by what the text could score at most, so that long and short texts
    # give comparable features.
    ceiling = sum(weights[t] * (K1 + 1) * qf for t, qf in query.items()) or 1.0
    avgdl = trained.average_length
    idf_of = trained.idf
    query_vector = embeddings.embed([text])[0]
    statement_vectors = embeddings.embed_cached([claim.statement for claim in pool])
    statements = statement_vectors @ query_vector
    has_title = np.asarray([bool(claim.title) for claim in pool])
    titled = [claim.title for claim in pool if claim.title]
    title_vectors = np.zeros_like(statement_vectors)
    if titled:
        title_vectors[has_title] = embeddings.embed_cached(titled)
    titles = iter(title_vectors[has_title] @ query_vector)
    if trained.projection is not None:
        rows[:, column["cosine_learned"]] = learned_cosines(
            query_vector, statement_vectors, title_vectors, has_title, trained.projection
        )
    known_terms = [_terms(claim.statement, claim.title) for claim in pool]
    soft_query, soft_claim = _soft_alignment(text, known_terms, idf_of)
    rows[:, column["soft_query"]] = soft_query
    rows[:, column["soft_claim"]] = soft_claim
    for i, claim in enumerate(pool):
        known = known_terms[i]
        row = rows[i]
        row[column["bm25"]] = _bm25(query, known.both, weights, avgdl)
        row[column["bm25_statement"]] = _bm25(query, known.statement, weights, avgdl)
        row[column["bm25_title"]] = _bm25(query, known.title, weights, avgdl)
        # How much of the claim the text states: a post says more than the claim it repeats.
        statement_coverage = _coverage(known.statement_set, query_terms, idf_of)
        title_coverage = _coverage(known.title_set, query_terms, idf_of)
        row[column["statement_coverage"]] = statement_coverage
        row[column["title_coverage"]] = title_coverage
        row[column["claim_coverage"]] = max(statement_coverage, title_coverage)
        row[column["query_coverage"]] = _coverage(
            query_terms, known.statement_set | known.title_set, idf_of
        )
        if known.bigrams:
            shared = len(known.bigrams & query_bigrams)
            row[column["shared_bigrams"]] = shared / len(known.bigrams)
        cosine_statement = float(statements[i])
        cosine_title = float(next(titles)) if claim.title else cosine_statement
        row[column["cosine_statement"]] = cosine_statement
        row[column["cosine_title"]] = cosine_title
        row[column["cosine"]] = max(cosine_statement, cosine_title)
        row[column["has_title"]] = float(bool(claim.title))
        # Numbers ("13 angry Democrats" / "13 hardened Democrats") tell claims apart more than
        # their IDF says: a share of the text's numbers the claim has, and of the claim's
        # numbers the text lacks (a figure on one side only).
        claim_numbers = {t for t in known.statement_set | known.title_set if t[0].isdigit()}
        if query_numbers:
            row[column["shared_numbers"]] = len(query_numbers & claim_numbers) / len(query_numbers)
        if claim_numbers:
            row[column["claim_numbers_missing"]] = len(claim_numbers - query_numbers) / len(
                claim_numbers
            )
    for name in ("bm25", "bm25_statement", "bm25_title"):
        rows[:, column[name]] /= ceiling
    for name in _RELATIVE_FIRST:
        set_relative(rows, name, floor=floors.get(name))
    rows[:, column["query_terms"]] = math.log1p(len(query))
    return rows


def second_features(
    text: str,
    pool: Sequence[PoolClaim],
    first_rows: np.ndarray,
    first_stage: np.ndarray,
    floors: dict[str, float],
) -> tuple[np.ndarray, list[Signals | None]]:
    """One row of SECOND_FEATURES per claim of the shortlist, and the rules' signals
    (``floors``: the lead floors that apply to its pool, floors_for)."""
    query_profile = profile(clean(text))
    found = [signals(query_profile, _profile(claim.statement)) for claim in pool]
    extra = len(SECOND_FEATURES) - len(FIRST_FEATURES)
    rows = np.hstack([first_rows, np.zeros((len(pool), extra))])
    column = {name: i for i, name in enumerate(SECOND_FEATURES)}
    rows[:, column["first_stage"]] = first_stage
    rows[:, column["first_stage_lead"]] = _lead_and_top(first_stage, floors.get("first_stage"))[0]
    rows[:, column["rules_score"]] = [rules_score(f) for f in found]
    lead, top = _lead_and_top(rows[:, column["rules_score"]], floors.get("rules_score"))
    rows[:, column["rules_score_lead"]] = lead
    rows[:, column["rules_score_top"]] = top
    for i, pair in enumerate(found):
        if pair is not None:
            for name in RULES:
                rows[i, column[name]] = float(getattr(pair, name))
    return rows, found


def flag_row(
    second_row: np.ndarray, probabilities: np.ndarray, best: int, floor: float | None = None
) -> np.ndarray:
    """FLAG_FEATURES of the best claim of a shortlist (``floor``: the model's lead_floor of
    the probability)."""
    others = np.delete(probabilities, best)
    p = float(probabilities[best])
    # Probabilities are never negative: with no other claim and no floor, the lead is p.
    lead = p - float(others.max(initial=0.0 if floor is None else floor))
    logit = math.log(max(p, 1e-9) / max(1 - p, 1e-9))
    return np.concatenate([second_row, [p, lead, logit]])


def vetoed(found: Signals | None, claim: PoolClaim) -> bool:
    """Whether the rules see another claim: VETOES, or a claim that gives a figure the text
    does not (the figure is what gets checked; a post that gives one the fact-check leaves
    out is left to the models)."""
    return (
        found is None
        or any(getattr(found, veto) for veto in VETOES)
        or (found.figure_one_side and _profile(claim.statement).states_figure)
    )


# From this score up a claim is "possibly the same" as the text: the re-ranker finds it more
# likely than not. ``likely_same`` is never set below it, however sure the flag's model is of
# the best of a small pool (a French bakery's opening flagged as French farmers' protest at
# 0.498, among a few dozen claims).
POSSIBLY_SAME = 0.5

# A pair the rules see as another claim (``vetoed``) scores below "possibly the same" (0.5),
# however alike the words: SPEC section 6 counts another figure, a negation, the opposite
# direction or event as another claim, and a text that leaves out the figure a claim gives
# does not state that claim. On the dev parts this costs no right first match.
VETO_CEILING = 0.49


def capped(probabilities: np.ndarray, vetoes: np.ndarray) -> np.ndarray:
    """The second model's probabilities, those of vetoed pairs (``vetoes``, one bool per
    pair, from ``vetoed``) held under VETO_CEILING."""
    return np.where(vetoes, np.minimum(probabilities, VETO_CEILING), probabilities)


@dataclass(frozen=True)
class Scored:
    index: int  # in the pool
    score: float
    likely_same: bool


def score_pool(text: str, pool: Sequence[PoolClaim], trained: Model | None = None) -> list[Scored]:
    """Every claim of the pool, best first: the shortlist by the second model, then the rest
    by the first, each scored no higher than the shortlist's last. Only the best can be
    ``likely_same``."""
    if not pool:
        return []
    trained = trained or model()
    first_rows = first_features(text, pool, trained)
    first = trained.first.probability(first_rows)
    order = np.argsort(-first, kind="stable")
    short, rest = order[: trained.shortlist], order[trained.shortlist :]
    shortlisted = [pool[i] for i in short]
    floors = floors_for(len(pool), trained.lead_floor)
    rows, found = second_features(text, shortlisted, first_rows[short], first[short], floors)
    vetoes = np.asarray([vetoed(f, c) for f, c in zip(found, shortlisted, strict=True)])
    second = capped(trained.second.probability(rows), vetoes)
    ranked = sorted(range(len(short)), key=lambda j: -second[j])
    best = ranked[0]
    row = flag_row(rows[best], second, best, floors.get("probability"))
    sure = trained.flag.probability(row[None, :])[0]
    likely_same = bool(
        sure >= trained.likely_same_threshold and second[best] >= POSSIBLY_SAME and not vetoes[best]
    )
    results = [
        Scored(index=int(short[j]), score=float(second[j]), likely_same=likely_same and j == best)
        for j in ranked
    ]
    floor = min(r.score for r in results)
    results.extend(
        Scored(index=int(i), score=float(min(first[i], floor)), likely_same=False) for i in rest
    )
    return results


# The learned matching: one call for a text and its pool ------------------------------------


@dataclass(frozen=True)
class Match:
    """A claim that a text may restate: ``score`` is the re-ranker's probability (0 to 1)
    that it does; ``likely_same`` is set where that probability reaches the threshold at
    which matches were right at least 9 times in 10 on public benchmarks (SPEC section 6)."""

    claim_id: int | str
    score: float
    likely_same: bool


def rank_claims(text: str, pool, *, limit: int = 10) -> list[Match]:
    """The claims of ``pool`` that ``text`` restates, best first, at most ``limit``. The pool
    is what keyword search found (the best 100 by BM25), as claims.text.retrieval.PoolClaim
    or as ``(claim_id, statement[, title])`` tuples."""
    if not tokens(clean(text)):
        # No content word or figure ("the of and", an emoji): nothing that a claim could
        # restate, whatever the embeddings make of it.
        return []
    pool = [claim if isinstance(claim, PoolClaim) else PoolClaim(*claim) for claim in pool]
    return [
        Match(claim_id=pool[s.index].id, score=round(s.score, 4), likely_same=s.likely_same)
        for s in score_pool(text, pool)[:limit]
    ]
