"""Train the claim-matching re-ranker from the public benchmarks in ../shared/data.

    FACTCHECK_SHARED_DIR=../shared .venv/bin/python -m claims.text.train_matching

Reads the TRAINING parts only of CheckThat! 2020 task 2 (tweets against Snopes fact-checks)
and CheckThat! 2021 task 2B (debate sentences against PolitiFact fact-checks): for each query,
the pool of its best claims by BM25 (claims.text.retrieval), the features of every pair
(claims.text.rerank) and whether the qrels pair them. It fits a logistic regression, chooses
the ``likely_same`` threshold on out-of-fold predictions (grouped by query, so no query
helps score itself) and writes claims/text/models/matching.json. The dev parts are for
bench/matching_public.py only; the test parts are held out and never read.

Needs scikit-learn (a development dependency); the app only reads the JSON it writes.
"""

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from claims.text import rerank, sentence_encoder, train_projection
from claims.text.retrieval import BM25, POOL_SIZE, ClaimIndex, PoolClaim, clean

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The flag must be right 9 times in 10 (SPEC section 6); the threshold is chosen for a little
# more on the training parts, as dev and real texts differ from them.
TARGET_PRECISION = 0.92
# ... and at least 9 times in 10 on each benchmark alone. (At 0.92 each, the flag covered
# fewer posts for no gain in precision; the unrelated text of the project's own evaluation
# sets it then flagged scored under 0.5, which the flag now never covers.)
SET_PRECISION = 0.90
# Document frequencies kept in the model: a word in fewer claims scores as an unseen word.
MIN_DOCUMENT_FREQUENCY = 2


def shared_dir() -> Path:
    return Path(os.environ.get("FACTCHECK_SHARED_DIR", BASE_DIR.parent / "shared"))


def data_dir() -> Path:
    return shared_dir() / "data"


@dataclass
class Benchmark:
    name: str
    pool: list[PoolClaim]
    queries: dict[str, str]  # query id -> text
    qrels: dict[str, set]  # query id -> ids of the claims it restates


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


def _qrels(path: Path) -> dict[str, set]:
    found: dict[str, set] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query, _, claim, relevant = line.split("\t")
            if relevant.strip() == "1":
                found.setdefault(query, set()).add(claim)
    return found


def _unquoted(statement: str) -> str:
    # PolitiFact statements are quotations: the quotes are not part of what was said.
    statement = statement.strip()
    if len(statement) > 1 and statement[0] == statement[-1] == '"':
        statement = statement[1:-1]
    return statement.strip()


def load_clef2020(part: str) -> Benchmark:
    """CheckThat! 2020 task 2, ``part`` "train" or "dev"."""
    if part not in ("train", "dev"):
        raise ValueError("Only the train and dev parts are ever read.")
    folder = data_dir() / "clef2020-t2"
    pool = [
        PoolClaim(id=row[0], statement=row[1], title=row[2])
        for row in _read_tsv(folder / "verified_claims.docs.tsv")[1:]
    ]
    queries = {row[0]: row[1] for row in _read_tsv(folder / part / "tweets.queries.tsv")[1:]}
    qrels = _qrels(folder / part / "tweet-vclaim-pairs.qrels")
    return Benchmark(f"CheckThat! 2020 task 2 {part}", pool, queries, qrels)


def load_clef2021(part: str) -> Benchmark:
    """CheckThat! 2021 task 2B, ``part`` "train" or "dev"."""
    if part not in ("train", "dev"):
        raise ValueError("Only the train and dev parts are ever read.")
    folder = data_dir() / "clef2021-t2b"
    pool = [
        PoolClaim(id=row[0], statement=_unquoted(row[1]), title=row[2])
        for row in _read_tsv(folder / "vclaims.tsv")[1:]
    ]
    qrels = _qrels(folder / f"v1_{part}.tsv")
    texts = dict(
        line.split("\t", 1)
        for line in (folder / "v1_iclaims.queries").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    queries = {query: texts[query] for query in qrels}
    return Benchmark(f"CheckThat! 2021 task 2B {part}", pool, queries, qrels)


def document_frequencies(pools: list[list[PoolClaim]]) -> dict:
    claims = [claim for pool in pools for claim in pool]
    index = BM25([claim.text for claim in claims])
    kept = {
        term: int(index.document_frequency[column])
        for term, column in index.vocabulary.items()
        if index.document_frequency[column] >= MIN_DOCUMENT_FREQUENCY
    }
    return {
        "documents": index.documents,
        "average_length": round(index.average_length, 4),
        "document_frequency": dict(sorted(kept.items())),
    }


# Claims the second model re-ranks: the first model's best. Rules cost a parse per claim.
SHORTLIST = 15


@dataclass
class Pairs:
    """Every (query, pooled claim) pair of one benchmark's training part."""

    name: str
    texts: list[str]
    pools: list[list[PoolClaim]]
    first_rows: list[np.ndarray]  # per query, one row of FIRST_FEATURES per pooled claim
    labels: list[np.ndarray]  # per query, whether each pooled claim is a right one


def with_sentence_vectors(pool: list[PoolClaim]) -> list[PoolClaim]:
    """The pool's claims with their statements' sentence vectors, as the app reads them with
    each claim (claims.sentence_vectors), encoded once for every query."""
    vectors = sentence_encoder.encode([claim.statement for claim in pool])
    return [replace(claim, vector=vector) for claim, vector in zip(pool, vectors, strict=True)]


def pairs(benchmark: Benchmark, trained: rerank.Model) -> Pairs:
    index = ClaimIndex(with_sentence_vectors(benchmark.pool))
    found = Pairs(benchmark.name, [], [], [], [])
    for query, text in sorted(benchmark.queries.items()):
        pool = index.pool(text, POOL_SIZE)
        if not pool:
            continue
        found.texts.append(text)
        found.pools.append(pool)
        found.first_rows.append(rerank.first_features(text, pool, trained))
        relevant = benchmark.qrels.get(query, set())
        found.labels.append(np.asarray([claim.id in relevant for claim in pool], dtype=int))
    return found


def _fit(
    rows: np.ndarray,
    labels: np.ndarray,
    features: list[str],
    c: float,
    weights: np.ndarray | None = None,
) -> rerank.Stage:
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(C=c, max_iter=3000)
    classifier.fit((rows - mean) / scale, labels, sample_weight=weights)
    return rerank.Stage(features, mean, scale, classifier.coef_[0], float(classifier.intercept_[0]))


def _stage_dict(stage: rerank.Stage) -> dict:
    return {
        "features": stage.features,
        "mean": [round(float(x), 6) for x in stage.mean],
        "scale": [round(float(x), 6) for x in stage.scale],
        "coef": [round(float(x), 6) for x in stage.coef],
        "intercept": round(stage.intercept, 6),
    }


def _floor(values) -> float:
    """The least the best other claim of a pool is taken to score (rerank.LEAD_FLOOR): a
    quantile, over the pools, of the second best of each (``values``: one array per pool)."""
    second_best = [np.sort(v)[-2] for v in values if len(v) > 1]
    return round(float(np.quantile(second_best, rerank.LEAD_FLOOR)), 6)


def _first_floors(data: list[Pairs]) -> dict[str, float]:
    """The lead floors of the first features (over every pool), and the leads of the pools
    short of POOL_SIZE taken over them (rerank.floors_for)."""
    column = rerank.FIRST_FEATURES.index
    floors = {
        name: _floor(rows[:, column(name)] for part in data for rows in part.first_rows)
        for name in rerank._RELATIVE_FIRST
    }
    for part in data:
        for rows in part.first_rows:
            for name, floor in rerank.floors_for(len(rows), floors).items():
                rerank.set_relative(rows, name, floor=floor)
    return floors


def _second_rows(
    data: list[Pairs],
    first: list[rerank.Stage],
    fold_of: list[np.ndarray],
    floors: dict[str, float],
):
    """Per query: the shortlist's SECOND_FEATURES rows, labels and vetoes, the shortlist
    chosen by the first model that did not see the query (``first[fold]``)."""
    out = []
    for n, part in enumerate(data):
        for q, (text, pool) in enumerate(zip(part.texts, part.pools, strict=True)):
            stage = first[fold_of[n][q]]
            first_rows = part.first_rows[q]
            probabilities = stage.probability(first_rows)
            short = np.argsort(-probabilities, kind="stable")[:SHORTLIST]
            rows, found = rerank.second_features(
                text,
                [pool[i] for i in short],
                first_rows[short],
                probabilities[short],
                rerank.floors_for(len(pool), floors),
            )
            vetoed = np.asarray(
                [rerank.vetoed(f, pool[i]) for f, i in zip(found, short, strict=True)]
            )
            out.append((n, rows, part.labels[q][short], vetoed, len(pool)))
    return out


def _flag_rows(shortlisted: list, probabilities: list[np.ndarray], floors: dict[str, float]):
    """Per query: the best claim's FLAG_FEATURES, whether it is right, whether vetoed."""
    rows, right, vetoed = [], [], []
    for (_, second_rows, labels, vetoes, size), p in zip(shortlisted, probabilities, strict=True):
        best = int(np.argmax(p))
        floor = rerank.floors_for(size, floors).get("probability")
        rows.append(rerank.flag_row(second_rows[best], p, best, floor))
        right.append(bool(labels[best]))
        vetoed.append(bool(vetoes[best]))
    return np.vstack(rows), np.asarray(right), np.asarray(vetoed)


def choose_threshold(per_set: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The lowest threshold at which the top match is right at least TARGET_PRECISION of the
    time over all sets together and at least SET_PRECISION on each (out of fold), so the flag
    means nearly the same whatever the source."""
    candidates = np.unique(np.concatenate([best for best, _ in per_set]))
    every_best = np.concatenate([best for best, _ in per_set])
    every_right = np.concatenate([right for _, right in per_set])
    for threshold in candidates[candidates > 0]:
        flagged = every_best >= threshold
        if not flagged.sum() or every_right[flagged].mean() < TARGET_PRECISION:
            continue
        if all(
            not (best >= threshold).sum() or right[best >= threshold].mean() >= SET_PRECISION
            for best, right in per_set
        ):
            return float(threshold)
    return 1.0


def _stored(projection: np.ndarray) -> np.ndarray:
    """The projection as the model file holds it (float16), so that training reads the
    features the app will compute."""
    return rerank.projection_from_dict(rerank.projection_to_dict(projection))


def learn_projection(
    data: list[Pairs], fold_of: list[np.ndarray], folds: int, set_weight: list[float]
) -> np.ndarray:
    """The learned projection of the embeddings (claims.text.train_projection), and
    ``cosine_learned`` in every pair's row. Each query's is computed with the projection fitted
    on the other folds' queries, as for a text never trained on: with the projection that saw
    it, the feature would look more telling than it is, and both models would lean on it too
    much. The shipped projection is fitted on every query; the models are fitted on the
    out-of-fold features (what the shipped projection gives texts it has not seen)."""
    parts = [
        train_projection.queries(
            [clean(text) for text in part.texts], part.pools, part.labels, set_weight[n]
        )
        for n, part in enumerate(data)
    ]
    for fold in range(folds):
        projection = _stored(train_projection.fit(parts, [f != fold for f in fold_of]))
        for n, (part, vectors) in enumerate(zip(data, parts, strict=True)):
            for q in np.flatnonzero(fold_of[n] == fold):
                index = vectors.pools[q][vectors.pools[q] >= 0]
                rerank.set_relative(
                    part.first_rows[q],
                    "cosine_learned",
                    rerank.learned_cosines(
                        vectors.vectors[q],
                        vectors.statements[index],
                        vectors.titles[index],
                        vectors.has_title[index],
                        projection,
                    ),
                )
    return _stored(train_projection.fit(parts, [np.ones(len(f), dtype=bool) for f in fold_of]))


# Debate sentences (CheckThat! 2021 2B) are fewer than posts and harder; without more weight
# the models learn mostly what tells posts apart. Chosen among 1, 2 and 3 on the dev parts.
DEBATE_WEIGHT = 3.0


def train(
    output: Path, c: float = 1.0, folds: int = 5, debate_weight: float = DEBATE_WEIGHT
) -> dict:
    started = time.monotonic()
    benchmarks = [load_clef2020("train"), load_clef2021("train")]
    idf = document_frequencies([benchmark.pool for benchmark in benchmarks])
    # The features read the document frequencies from a model: one with no weights yet.
    untrained = rerank.Model(
        first=rerank.Stage.untrained(rerank.FIRST_FEATURES),
        second=rerank.Stage.untrained(rerank.SECOND_FEATURES),
        flag=rerank.Stage.untrained(rerank.FLAG_FEATURES),
        shortlist=SHORTLIST,
        likely_same_threshold=1.0,
        documents=idf["documents"],
        average_length=idf["average_length"],
        document_frequency=idf["document_frequency"],
    )
    data = [pairs(benchmark, untrained) for benchmark in benchmarks]
    for part in data:
        print(
            f"{part.name}: {len(part.texts)} queries, {sum(map(len, part.labels))} pairs, "
            f"right claim in the pool for {sum(y.any() for y in part.labels)}",
            file=sys.stderr,
        )
    # Folds by query, so that no query helps score itself.
    rng = np.random.default_rng(15)
    fold_of = [rng.integers(0, folds, len(part.texts)) for part in data]

    set_weight = [1.0, debate_weight]
    projection = learn_projection(data, fold_of, folds, set_weight)
    floors = _first_floors(data)

    def first_stage(skip: int | None) -> rerank.Stage:
        weights = [
            np.full(len(y), set_weight[n])
            for n, part in enumerate(data)
            for q, y in enumerate(part.labels)
            if fold_of[n][q] != skip
        ]
        rows = [
            r
            for n, part in enumerate(data)
            for q, r in enumerate(part.first_rows)
            if fold_of[n][q] != skip
        ]
        labels = [
            y
            for n, part in enumerate(data)
            for q, y in enumerate(part.labels)
            if fold_of[n][q] != skip
        ]
        return _fit(
            np.vstack(rows),
            np.concatenate(labels),
            rerank.FIRST_FEATURES,
            c,
            np.concatenate(weights),
        )

    first_out_of_fold = [first_stage(fold) for fold in range(folds)]
    floors["first_stage"] = _floor(
        first_out_of_fold[fold_of[n][q]].probability(rows)
        for n, part in enumerate(data)
        for q, rows in enumerate(part.first_rows)
    )
    # The rules' score is known once the shortlists are: their floor from a first pass.
    floors["rules_score"] = _floor(
        rows[:, rerank.SECOND_FEATURES.index("rules_score")]
        for _, rows, _, _, _ in _second_rows(data, first_out_of_fold, fold_of, floors)
    )
    shortlisted = _second_rows(data, first_out_of_fold, fold_of, floors)
    query_fold = np.concatenate(fold_of)
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(shortlisted)
    for fold in range(folds):
        fit_at = [i for i in range(len(shortlisted)) if query_fold[i] != fold]
        stage = _fit(
            np.vstack([shortlisted[i][1] for i in fit_at]),
            np.concatenate([shortlisted[i][2] for i in fit_at]),
            rerank.SECOND_FEATURES,
            c,
            np.concatenate(
                [np.full(len(shortlisted[i][2]), set_weight[shortlisted[i][0]]) for i in fit_at]
            ),
        )
        for i in range(len(shortlisted)):
            if query_fold[i] == fold:
                probabilities[i] = rerank.capped(
                    stage.probability(shortlisted[i][1]), shortlisted[i][3]
                )
    # The flag's model, out of fold as well, on the best claim of each query.
    floors["probability"] = _floor(probabilities)
    flag_rows, right, vetoed = _flag_rows(shortlisted, probabilities, floors)
    sure = np.zeros(len(right))
    for fold in range(folds):
        at = query_fold == fold
        stage = _fit(flag_rows[~at], right[~at].astype(int), rerank.FLAG_FEATURES, c)
        sure[at] = stage.probability(flag_rows[at])
    # What the flag never covers: a vetoed best claim, or one less likely than not.
    sure[
        vetoed | (flag_rows[:, rerank.FLAG_FEATURES.index("probability")] < rerank.POSSIBLY_SAME)
    ] = 0.0
    set_of = np.asarray([item[0] for item in shortlisted])
    per_set = [(sure[set_of == n], right[set_of == n]) for n in range(len(data))]
    threshold = choose_threshold(per_set)
    report = {}
    for n, part in enumerate(data):
        best, correct = per_set[n]
        flagged = best >= threshold
        report[part.name] = {
            "p_at_1_out_of_fold": round(float(correct.mean()), 4),
            "flag_precision_out_of_fold": round(float(correct[flagged].mean()), 4)
            if flagged.any()
            else None,
            "flag_coverage_out_of_fold": round(float(flagged.mean()), 4),
        }
    # The shipped models: the first on every query, the second on the shortlists it makes,
    # the flag's on the out-of-fold probabilities (what it will see: queries not trained on).
    first = first_stage(None)
    final = _second_rows(
        data, [first], [np.zeros(len(part.texts), dtype=int) for part in data], floors
    )
    second = _fit(
        np.vstack([item[1] for item in final]),
        np.concatenate([item[2] for item in final]),
        rerank.SECOND_FEATURES,
        c,
        np.concatenate([np.full(len(item[2]), set_weight[item[0]]) for item in final]),
    )
    flag = _fit(flag_rows, right.astype(int), rerank.FLAG_FEATURES, c)
    written = {
        "about": (
            "Claim-matching re-ranker (claims.text.rerank), written by "
            "`python -m claims.text.train_matching` from the training parts of CheckThat! "
            "2020 task 2 and CheckThat! 2021 task 2B (research use only)."
        ),
        "first_stage": _stage_dict(first),
        "second_stage": _stage_dict(second),
        "flag": _stage_dict(flag),
        "shortlist": SHORTLIST,
        "likely_same_threshold": round(threshold, 4),
        "training": {
            "C": c,
            "folds": folds,
            "debate_weight": debate_weight,
            "target_precision": TARGET_PRECISION,
            **report,
        },
        "idf": idf,
        "projection": rerank.projection_to_dict(projection),
        "lead_floor": floors,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"wrote {output} in {time.monotonic() - started:.0f}s; likely_same from "
        f"{threshold:.3f}; out of fold: {json.dumps(report)}",
        file=sys.stderr,
    )
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=rerank.MODEL_PATH)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument(
        "--debate-weight",
        type=float,
        default=DEBATE_WEIGHT,
        help="weight of the debate sentences' pairs against the posts' (1: the same)",
    )
    args = parser.parse_args(argv)
    if not data_dir().is_dir():
        parser.error(f"no public data at {data_dir()}: set FACTCHECK_SHARED_DIR")
    train(args.output, c=args.c, debate_weight=args.debate_weight)


if __name__ == "__main__":
    main()
