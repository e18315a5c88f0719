"""Keyword retrieval for claim matching: BM25 over Snowball stems, in process.

The first stage of matching must not lose what keyword search finds, so the re-ranker
(claims.text.rerank) looks at a pool of the best ``POOL_SIZE`` claims by BM25: here for the
public benchmarks and the training, and in the app through claims.keyword_index, which keeps
this BM25 over the claims on record. The same tokens feed the re-ranker's own BM25 features,
so both stages agree on what a word is.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from claims.text.matching import _STOP, stem

POOL_SIZE = 100
K1 = 1.2
B = 0.75

_TOKEN = re.compile(r"[A-Za-z][A-Za-z’']*|\d+(?:[.,]\d+)*")
# What a pasted post carries that is not its claim: links, and the "(@handle) January 6, 2020"
# that ends the signature of an embedded tweet (the name before it is kept: who said it).
_LINK = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|\bwww\.\S+", re.IGNORECASE)
_SIGNATURE = re.compile(r"\(@\w+\)\s*[A-Z][a-z]+\s+\d{1,2},\s+\d{4}\s*$")
# Hashtags and handles are words run together: #DeepStateFiles, @JulianAssange, @tyler_mitchell.
_TAG = re.compile(r"#([A-Za-z0-9_]+)|(?<![\w@])@([A-Za-z0-9_]+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|_")


def _words_of_tag(match: re.Match) -> str:
    return " " + " ".join(_CAMEL.sub(" ", match.group(1) or match.group(2)).split()) + " "


def clean(text: str) -> str:
    """The text a claim is stated in, without the links and signature of a pasted post, and
    with its hashtags and handles as words."""
    text = _SIGNATURE.sub(" ", text)
    text = _LINK.sub(" ", text)
    text = _TAG.sub(_words_of_tag, text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Stems of the content words and the numbers (figures tell claims apart), in order."""
    found = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower().replace("’", "'").removesuffix("'s")
        if word[0].isdigit():
            found.append(word.replace(",", ""))
        elif len(word) > 1 and word not in _STOP:
            found.append(stem(word))
    return found


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency (the Lucene form, never negative)."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


class BM25:
    """BM25 scores of a query against every document, as one sparse product."""

    def __init__(self, documents: Sequence[str], *, like: "BM25 | None" = None):
        """``like``: weigh the documents as if they were part of that index (its number of
        documents, average length and document frequencies), so that their scores compare
        with its own: the claims changed since a large index was built."""
        row_list: list[int] = []
        col_list: list[int] = []
        count_list: list[int] = []
        self.vocabulary: dict[str, int] = {}
        lengths = np.zeros(len(documents), dtype=np.float32)
        for row, document in enumerate(documents):
            terms = Counter(tokens(document))
            lengths[row] = sum(terms.values())
            for term, count in terms.items():
                row_list.append(row)
                col_list.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
                count_list.append(count)
        counts = np.asarray(count_list, dtype=np.float32)
        rows = np.asarray(row_list, dtype=np.int64)
        cols = np.asarray(col_list, dtype=np.int64)
        self.documents = len(documents)
        self.average_length = float(lengths.mean()) if len(documents) else 1.0
        self.document_frequency = np.bincount(cols, minlength=len(self.vocabulary))
        documents_weighed, average_length = self.documents, self.average_length
        frequencies = [int(df) for df in self.document_frequency]
        if like is not None:
            documents_weighed = max(like.documents, self.documents)
            average_length = like.average_length
            known = like.vocabulary
            frequencies = [
                int(like.document_frequency[known[term]]) if term in known else df
                for term, df in zip(self.vocabulary, frequencies, strict=True)
            ]
        weights = np.array([idf(df, documents_weighed) for df in frequencies], dtype=np.float32)
        norm = K1 * (1 - B + B * lengths[rows] / max(average_length, 1e-9))
        values = weights[cols] * counts * (K1 + 1) / (counts + norm)
        # Column slices (one per query term) are what a query reads.
        self.matrix = sparse.csc_matrix(
            (values, (rows, cols)), shape=(self.documents, len(self.vocabulary))
        )

    def scores(self, query: str) -> np.ndarray:
        terms = Counter(t for t in tokens(query) if t in self.vocabulary)
        if not terms:
            return np.zeros(self.documents, dtype=np.float32)
        columns = [self.vocabulary[t] for t in terms]
        weights = np.fromiter(terms.values(), dtype=np.float32, count=len(terms))
        return np.asarray(self.matrix[:, columns] @ weights).ravel()

    def top(self, query: str, k: int = POOL_SIZE) -> list[tuple[int, float]]:
        """The ``k`` best documents with a score above 0, as (index, score), best first."""
        return best_of(self.scores(query), k)


def best_of(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` highest scores above 0, as (index, score), best first (ties: lower index)."""
    k = min(k, int(np.count_nonzero(scores > 0)))
    if k == 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((best, -scores[best]))]
    return [(int(i), float(scores[i])) for i in best]


@dataclass(frozen=True)
class PoolClaim:
    """A claim as matching sees it: its id, statement and, for fact-checks, their title;
    and, where it was read with the claim, the statement's sentence vector (else the
    re-ranker encodes the statement itself: claims.text.sentence_encoder)."""

    id: int | str
    statement: str
    title: str = ""
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return f"{self.statement} {self.title}".strip()


class ClaimIndex:
    """A fixed list of claims searched by BM25: the public benchmarks' pools, for training
    and evaluation. The app's claims, which change, are searched through
    claims.keyword_index with the same BM25, and both pools go to the same re-ranking
    (claims.text.rerank.rank_claims)."""

    def __init__(self, claims: Sequence[PoolClaim]):
        self.claims = list(claims)
        self.bm25 = BM25([claim.text for claim in self.claims])

    def pool(self, text: str, k: int = POOL_SIZE) -> list[PoolClaim]:
        return [self.claims[i] for i, _ in self.bm25.top(clean(text), k)]

    def keyword_ranking(self, text: str, k: int = POOL_SIZE) -> list[tuple[PoolClaim, float]]:
        """Plain BM25, the baseline the re-ranking is measured against."""
        return [(self.claims[i], score) for i, score in self.bm25.top(clean(text), k)]
