"""Train the check-worthiness model shipped in claims/text/models (README, "Claims from text").

    python -m claims.text.train                 # the training parts of ../shared/data
    python -m claims.text.train --claimbuster my.jsonl --clef2019 a.tsv b.tsv --out model.json.gz

With no files named it trains on the training split of ``claims.text.datasets`` (never on the
development split the benchmark measures). Named files, in any of the three formats, are used
whole: a newsroom can retrain on data it may use.
"""

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from claims.text.claimants import attribution
from claims.text.datasets import (
    Labelled,
    load_splits,
    read_claimbuster,
    read_clef2019,
    read_clef2020,
    shared_dir,
)
from claims.text.figures import parse_figures
from claims.text.model import MODEL_PATH, digits_as_zero, save_model
from claims.text.scoring import LEARNED_RULES, rule_features

# How much each set counts, each set's classes balanced within it first: ClaimBuster's labels
# ("a factual claim the public would want checked") are the closest to ours, so it counts
# double; CheckThat! 2019 marks only what fact-checkers happened to check. These weights and C
# were chosen among a few by their figures on the development split (bench/claims_public.py),
# which therefore flatters them a little.
SOURCE_WEIGHTS = {"claimbuster": 2.0, "clef2019": 1.0, "clef2020": 1.0}
C = 1.0
WORD_NGRAMS = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 40_000}
SMALL_DATA = 500
CHAR_NGRAMS = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "max_features": 60_000}


def rule_matrix(texts: Sequence[str]) -> csr_matrix:
    """One column per learned rule feature, 1 where the rules find it in the text alone."""
    rows = []
    for text in texts:
        found = set(rule_features(text, claimant=attribution(text), figures=parse_figures(text)))
        rows.append([1.0 if name in found else 0.0 for name in LEARNED_RULES])
    return csr_matrix(np.array(rows, dtype=np.float64).reshape(len(rows), len(LEARNED_RULES)))


def sample_weights(rows: Sequence[Labelled]) -> np.ndarray:
    sources = np.array([row.source for row in rows])
    labels = np.array([row.label for row in rows])
    weights = np.zeros(len(rows))
    present = [source for source in SOURCE_WEIGHTS if (sources == source).any()]
    for source in present:
        for label in (0, 1):
            mask = (sources == source) & (labels == label)
            if mask.any():
                # Each class of each set weighs half its set's share of the whole.
                weights[mask] = SOURCE_WEIGHTS[source] * len(rows) / (2 * len(present) * mask.sum())
    return weights


def _short(values: np.ndarray) -> list[float]:
    # Six significant digits: the scores do not change at three decimals, the file halves.
    return [float(f"{value:.6g}") for value in values]


def block_spec(vectorizer: TfidfVectorizer, coef: np.ndarray, *, zero_digits: bool) -> dict:
    """A fitted vectorizer and its coefficients as ``claims.text.model`` reads them;
    ``zero_digits`` when it was fitted on texts passed through ``digits_as_zero``."""
    return {
        "digits_as_zero": zero_digits,
        "analyzer": vectorizer.analyzer,
        "ngram_range": list(vectorizer.ngram_range),
        "terms": [str(term) for term in vectorizer.get_feature_names_out()],
        "idf": _short(vectorizer.idf_),
        "coef": _short(coef),
    }


def train(rows: Sequence[Labelled]) -> dict:
    """Fit the model on ``rows``; the spec that ``claims.text.model.save_model`` writes."""
    texts = [row.text for row in rows]
    labels = np.array([row.label for row in rows])
    # A small file of one's own (a newsroom's first few hundred labels) keeps every n-gram.
    min_df = {} if len(rows) >= SMALL_DATA else {"min_df": 1}
    vectorizers = [
        TfidfVectorizer(sublinear_tf=True, dtype=np.float64, **(params | min_df))
        for params in (WORD_NGRAMS, CHAR_NGRAMS)
    ]
    ngram_texts = [digits_as_zero(text) for text in texts]
    matrices = [vectorizer.fit_transform(ngram_texts) for vectorizer in vectorizers]
    matrices.append(rule_matrix(texts))
    classifier = LogisticRegression(C=C, max_iter=5000)
    classifier.fit(hstack(matrices).tocsr(), labels, sample_weight=sample_weights(rows))
    coef = classifier.coef_.ravel()
    blocks, offset = [], 0
    for vectorizer in vectorizers:
        width = len(vectorizer.vocabulary_)
        blocks.append(block_spec(vectorizer, coef[offset : offset + width], zero_digits=True))
        offset += width
    rules = dict(zip(LEARNED_RULES, _short(coef[offset:]), strict=True))
    return {"blocks": blocks, "rules": rules, "intercept": float(classifier.intercept_[0])}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="folder laid out as ../shared/data")
    parser.add_argument("--claimbuster", nargs="*", type=Path, default=[],
                        help='JSON Lines: {"text", "check_worthy"} a line')  # fmt: skip
    parser.add_argument("--clef2019", nargs="*", type=Path, default=[],
                        help="TSV: line, speaker, text, label (1 = check-worthy)")  # fmt: skip
    parser.add_argument("--clef2020", nargs="*", type=Path, default=[],
                        help="TSV, header naming tweet_text and check_worthiness")  # fmt: skip
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    named = [*args.claimbuster, *args.clef2019, *args.clef2020]
    if named:
        rows = [row for path in args.claimbuster for row in read_claimbuster(path)]
        rows += [row for path in args.clef2019 for row in read_clef2019(path)]
        rows += [row for path in args.clef2020 for row in read_clef2020(path)]
        origin = [path.name for path in named]
    else:
        data = args.data or shared_dir() / "data"
        rows = load_splits(data).train
        origin = [f"training split of {os.path.relpath(data)}"]
    if len({row.label for row in rows}) < 2:
        print("The training data needs both check-worthy and other sentences.", file=sys.stderr)
        return 2
    spec = train(rows)
    meta = {
        "trained_on": origin,
        "sentences": len(rows),
        "check_worthy": sum(row.label for row in rows),
        "source_weights": SOURCE_WEIGHTS,
        "C": C,
    }
    save_model(args.out, meta=meta, **spec)
    size = args.out.stat().st_size / 1e6
    print(f"Trained on {len(rows)} sentences in {time.perf_counter() - started:.0f} s: "
          f"{args.out} ({size:.1f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
