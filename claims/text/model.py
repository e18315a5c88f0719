"""The learned check-worthiness model: TF-IDF word and character n-grams and the rule features
of ``claims.text.scoring`` in one logistic regression (trained by ``python -m
claims.text.train``; README, "Claims from text").

The model ships as gzipped JSON (vocabularies, idf weights, coefficients), not as a pickle:
it is data anyone can read, and it loads the same whatever scikit-learn version is installed,
since only CountVectorizer's tokenising is used here and the weighting is done below. It is
loaded once per process, on first use.
"""

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer

MODEL_PATH = Path(__file__).resolve().parent / "models" / "checkworthiness.json.gz"
FORMAT = 1


@dataclass(frozen=True)
class NgramBlock:
    """One TF-IDF vectorizer's part of the model: sublinear tf times idf, l2-normalised."""

    counter: CountVectorizer
    idf: np.ndarray
    coef: np.ndarray

    def contributions(self, texts: list[str]) -> np.ndarray:
        counts = csr_matrix(self.counter.transform(texts), dtype=np.float64)
        counts.data = 1.0 + np.log(counts.data)
        weighted = counts.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return np.asarray(weighted @ self.coef).ravel() / norms


@dataclass(frozen=True)
class CheckWorthinessModel:
    blocks: tuple[NgramBlock, ...]
    rule_weights: dict[str, float]
    intercept: float
    meta: dict

    def wording(self, texts: list[str]) -> np.ndarray:
        """The n-grams' part of the logit for each text."""
        total = np.zeros(len(texts))
        for block in self.blocks:
            total += block.contributions(texts)
        return total

    def probability(self, wording: float, rules: list[str]) -> float:
        z = self.intercept + wording + sum(self.rule_weights.get(name, 0.0) for name in rules)
        return 1 / (1 + math.exp(-z))


def _block(spec: dict) -> NgramBlock:
    terms = spec["terms"]
    counter = CountVectorizer(
        analyzer=spec["analyzer"],
        ngram_range=tuple(spec["ngram_range"]),
        lowercase=True,
        vocabulary={term: index for index, term in enumerate(terms)},
        dtype=np.float64,
    )
    return NgramBlock(
        counter=counter,
        idf=np.asarray(spec["idf"], dtype=np.float64),
        coef=np.asarray(spec["coef"], dtype=np.float64),
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
    # mtime=0: the same training data gives the same bytes, so a retrain shows no false diff.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(json.dumps(spec, separators=(",", ":"), ensure_ascii=False).encode())
