"""The learned check-worthiness model: TF-IDF word and character n-grams and the rule features
of ``claims.text.scoring`` in one logistic regression (trained by ``python -m
claims.text.train``; README, "Claims from text").

The model ships as gzipped JSON (vocabularies, idf weights, coefficients), not as a pickle:
it is data anyone can read, and it needs no scikit-learn at run time. The n-grams are made
here exactly as scikit-learn's TfidfVectorizer makes them for training ("word": lower case,
tokens of two or more word characters, one and two tokens; "char_wb": two to five characters
inside space-padded words), weighted 1 + log(tf) times idf and l2-normalised, which
tests/text/test_model.py checks against scikit-learn itself. Importing scikit-learn and
SciPy took a second of the model's load; this loads in a fraction of it, once per process,
on first use.
"""

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "models" / "checkworthiness.json.gz"
FORMAT = 1
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_DIGIT = re.compile(r"\d")


def digits_as_zero(text: str) -> str:
    """ "4,200 containers" and "3,900 containers" are the same wording: which figure a sentence
    states must not move its score, only that it states one."""
    return _DIGIT.sub("0", text)


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """The character n-grams of one word, padded with a space each side."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        if len(padded) <= n:
            grams.append(padded)  # a short word counts once, whole
            break
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


@dataclass
class NgramBlock:
    """One TF-IDF vectorizer's part of the model: sublinear tf times idf, l2-normalised."""

    analyzer: str
    ngram_range: tuple[int, int]
    index: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    zero_digits: bool = False
    _word_cache: Callable[[str], tuple[int, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        low, high = self.ngram_range

        # An article repeats its words, and a process sees the same words in every article:
        # a word's character n-grams are looked up once.
        @lru_cache(maxsize=65536)
        def word_terms(word: str) -> tuple[int, ...]:
            found = (self.index.get(gram) for gram in char_wb_ngrams(word, low, high))
            return tuple(i for i in found if i is not None)

        self._word_cache = word_terms

    def counts(self, text: str) -> Counter:
        if self.zero_digits:
            text = digits_as_zero(text)
        if self.analyzer == "char_wb":
            counts: Counter = Counter()
            for word in text.lower().split():
                counts.update(self._word_cache(word))
            return counts
        found = (self.index.get(gram) for gram in word_ngrams(text, *self.ngram_range))
        return Counter(i for i in found if i is not None)

    def contribution(self, counts: Counter) -> float:
        """This block's share of the logit for a text with these n-gram counts."""
        if not counts:
            return 0.0
        terms = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1.0 + np.log(tf)) * self.idf[terms]
        return float(weights @ self.coef[terms]) / math.sqrt(float(weights @ weights))


@dataclass(frozen=True)
class CheckWorthinessModel:
    blocks: tuple[NgramBlock, ...]
    rule_weights: dict[str, float]
    intercept: float
    meta: dict

    def counts(self, text: str) -> list[Counter]:
        return [block.counts(text) for block in self.blocks]

    def wording_of_counts(self, counts: Sequence[Counter]) -> float:
        return sum(block.contribution(c) for block, c in zip(self.blocks, counts, strict=True))

    def wording(self, texts: Iterable[str]) -> list[float]:
        """The n-grams' part of the logit for each text."""
        return [self.wording_of_counts(self.counts(text)) for text in texts]


def _block(spec: dict) -> NgramBlock:
    return NgramBlock(
        analyzer=spec["analyzer"],
        ngram_range=(int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
        index={term: index for index, term in enumerate(spec["terms"])},
        idf=np.asarray(spec["idf"], dtype=np.float64),
        coef=np.asarray(spec["coef"], dtype=np.float64),
        zero_digits=bool(spec.get("digits_as_zero", False)),
    )


def load_model(path: Path = MODEL_PATH) -> CheckWorthinessModel:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        spec = json.load(stream)
    if spec.get("format") != FORMAT:
        raise ValueError(f"{path} is in model format {spec.get('format')!r}, not {FORMAT}")
    return CheckWorthinessModel(
        blocks=tuple(_block(block) for block in spec["blocks"]),
        rule_weights={name: float(weight) for name, weight in spec["rules"].items()},
        intercept=float(spec["intercept"]),
        meta=spec.get("meta", {}),
    )


@lru_cache(maxsize=1)
def shipped_model() -> CheckWorthinessModel:
    """The model in the repository, loaded on first use and kept for the process."""
    return load_model()


def save_model(path: Path, *, blocks: list[dict], rules: dict[str, float], intercept: float,
               meta: dict) -> None:  # fmt: skip
    spec = {"format": FORMAT, "blocks": blocks, "rules": rules, "intercept": intercept,
            "meta": meta}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    # No time or file name in the header: the same data gives the same bytes, so a retrain
    # shows no false diff.
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as packed:
        packed.write(json.dumps(spec, separators=(",", ":"), ensure_ascii=False).encode())
