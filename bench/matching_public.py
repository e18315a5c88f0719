"""Claim matching on public benchmarks (issue 15), in process, beside plain BM25.

    FACTCHECK_SHARED_DIR=../shared .venv/bin/python bench/matching_public.py

Reads the DEV parts of CheckThat! 2020 task 2 (tweets against 10,375 Snopes fact-checks) and
CheckThat! 2021 task 2B (debate sentences against 19,250 PolitiFact fact-checks) from
../shared/data (the test parts are held out). Each query is matched with the functions the
app uses: the best ``POOL_SIZE`` claims by BM25 (claims.text.retrieval.ClaimIndex), then the
trained re-ranker (claims.text.rerank.rank_claims). Prints, for ours and for plain BM25 in
the same run, P@1, MRR and MAP@5, the ``likely_same`` flag's precision (share of flagged top
matches that are right) and coverage (share of queries flagged), and the per-query matching
time (p50/p95) against the benchmark's pool and against 100,000 claims (the two pools and
claims made of their halves). Then the project's own evaluation sets (bench/claims_eval*/):
top-1 and MRR of their paraphrase pairs, and whether unrelated texts and near misses ever
get the flag.

With ``--postgres`` (DATABASE_URL a PostgreSQL URL), the app's own path as well, in a
throwaway test database: each benchmark's pool bulk-inserted as claims, every dev query sent
to ``POST /api/v1/claims/match/`` (P@1, MAP@5, the flag, status codes and time per request),
then claims made of the pools' halves added up to ``--claims`` and ``claims_match`` timed
against them (p50/p95; the goal is p95 <= 50 ms).

Options: --claims N (size of the speed pool), --skip-speed, --show-misses N, --postgres.
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

# The benchmark sends hundreds of anonymous requests a second: not what the throttle is for.
settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from claims import matching, sentence_vectors  # noqa: E402
from claims.keyword_index import keyword_index  # noqa: E402
from claims.models import Claim, ExternalReview, Source, SourceKind  # noqa: E402
from claims.text import rerank  # noqa: E402
from claims.text.rerank import rank_claims  # noqa: E402
from claims.text.retrieval import POOL_SIZE, ClaimIndex, PoolClaim  # noqa: E402
from claims.text.train_matching import (  # noqa: E402
    Benchmark,
    data_dir,
    load_clef2020,
    load_clef2021,
    with_sentence_vectors,
)

# Goals of issue 15 on the dev parts, with the 0.02 to spare it asks for.
GOALS = {
    "CheckThat! 2020 task 2 dev": {"p_at_1": 0.82, "map_at_5": 0.85},
    "CheckThat! 2021 task 2B dev": {"p_at_1": 0.42, "map_at_5": 0.44},
}
FLAG_PRECISION_GOAL = 0.9
FLAG_COVERAGE_GOAL = 0.3


def average_precision_at(ranked: list, relevant: set, k: int = 5) -> float:
    """AP@k as CheckThat! scores it: precision at each right claim in the first k, over the
    number of right claims."""
    hits, total = 0, 0.0
    for position, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in relevant:
            hits += 1
            total += hits / position
    return total / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: list, relevant: set) -> float:
    return next((1 / p for p, c in enumerate(ranked, start=1) if c in relevant), 0.0)


def evaluate(benchmark: Benchmark, index: ClaimIndex, misses: int = 0) -> dict:
    ours = {"p1": [], "rr": [], "ap5": [], "flagged": [], "ms": []}
    bm25 = {"p1": [], "rr": [], "ap5": []}
    shown = 0
    for query, text in sorted(benchmark.queries.items()):
        relevant = benchmark.qrels[query]
        started = time.perf_counter()
        pool = index.pool(text, POOL_SIZE)
        results = rank_claims(text, pool, limit=POOL_SIZE)
        ours["ms"].append((time.perf_counter() - started) * 1000)
        ranked = [match.claim_id for match in results]
        ours["p1"].append(bool(ranked) and ranked[0] in relevant)
        ours["rr"].append(reciprocal_rank(ranked, relevant))
        ours["ap5"].append(average_precision_at(ranked, relevant))
        ours["flagged"].append(bool(results) and results[0].likely_same)
        keyword = [claim.id for claim, _ in index.keyword_ranking(text, POOL_SIZE)]
        bm25["p1"].append(bool(keyword) and keyword[0] in relevant)
        bm25["rr"].append(reciprocal_rank(keyword, relevant))
        bm25["ap5"].append(average_precision_at(keyword, relevant))
        if shown < misses and not ours["p1"][-1]:
            shown += 1
            by_id = {claim.id: claim for claim in pool}
            top = by_id[ranked[0]].statement if ranked else "(nothing)"
            right = [ranked.index(c) + 1 for c in relevant if c in ranked]
            print(f"   - {text[:100]!r}\n     got {top[:100]!r}, right one at {right or 'none'}")
    flagged = [right for right, flag in zip(ours["p1"], ours["flagged"], strict=True) if flag]
    return {
        "queries": len(ours["p1"]),
        "ours": {k: statistics.fmean(ours[k]) for k in ("p1", "rr", "ap5")},
        "bm25": {k: statistics.fmean(bm25[k]) for k in ("p1", "rr", "ap5")},
        "flag_precision": statistics.fmean(flagged) if flagged else None,
        "flag_coverage": len(flagged) / len(ours["p1"]),
        "flagged": len(flagged),
        "flag_right": sum(flagged),
        "ms": ours["ms"],
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _mark(value: float, goal: float | None) -> str:
    if goal is None:
        return ""
    return f" (goal >= {goal:.2f}: {'met' if value >= goal else 'NOT met'})"


def print_benchmark(name: str, result: dict) -> None:
    goals = GOALS.get(name, {})
    ours, bm25 = result["ours"], result["bm25"]
    print(f"\n== {name}: {result['queries']} queries ==")
    print(f"  {'':8} {'P@1':>6} {'MRR':>6} {'MAP@5':>6}")
    print(f"  {'ours':8} {ours['p1']:6.3f} {ours['rr']:6.3f} {ours['ap5']:6.3f}")
    print(f"  {'BM25':8} {bm25['p1']:6.3f} {bm25['rr']:6.3f} {bm25['ap5']:6.3f}")
    print(
        f"  P@1{_mark(ours['p1'], goals.get('p_at_1'))}; "
        f"MAP@5{_mark(ours['ap5'], goals.get('map_at_5'))}"
    )
    precision = result["flag_precision"]
    print(
        f"  likely_same on {result['flagged']} queries ({result['flag_coverage']:.1%}), right "
        f"{result['flag_right']} times = "
        + (f"{precision:.3f}" if precision is not None else "n/a")
        + f"{_mark(precision or 0.0, FLAG_PRECISION_GOAL)}"
    )
    ms = result["ms"]
    print(
        f"  time per query (pool + re-ranking, pool of {POOL_SIZE}): p50 "
        f"{_percentile(ms, 0.5):.1f} ms, p95 {_percentile(ms, 0.95):.1f} ms"
    )


def speed(benchmarks: list[Benchmark], total: int, queries: int) -> None:
    """Matching time against ``total`` claims: the pools, and claims made of their halves
    (real vocabulary, no true match) up to the size asked for."""
    claims = [claim for benchmark in benchmarks for claim in benchmark.pool]
    random.seed(15)
    halves = [claim.statement.split() for claim in claims]
    while len(claims) < total:
        first, second = random.choice(halves), random.choice(halves)
        statement = " ".join(first[: len(first) // 2] + second[len(second) // 2 :])
        claims.append(PoolClaim(id=f"filler-{len(claims)}", statement=statement))
    # Each claim with its statement's sentence vector, as the app stores them.
    started = time.perf_counter()
    claims = with_sentence_vectors(claims)
    print(
        f"\n(sentence vectors of {len(claims):,} claims in {time.perf_counter() - started:.0f} s)"
    )
    started = time.perf_counter()
    index = ClaimIndex(claims)
    print(
        f"\n== Speed against {len(claims):,} claims (index built in "
        f"{time.perf_counter() - started:.1f} s) =="
    )
    texts = [text for benchmark in benchmarks for text in benchmark.queries.values()]
    random.shuffle(texts)
    texts = texts[:queries]
    # Twice over the same texts: first with claims this process has never analysed (as after
    # a restart, or a pool of claims never matched before), then with them in its caches.
    for label in ("cold", "warm"):
        timings: dict[str, list[float]] = {"retrieval": [], "total": [], "floor": []}
        for text in texts:
            started = time.perf_counter()
            pool = index.pool(text, POOL_SIZE)
            retrieved = time.perf_counter()
            rank_claims(text, pool)
            done = time.perf_counter()
            # A floor measured in the same run: plain BM25 alone, the baseline's cost.
            index.keyword_ranking(text, POOL_SIZE)
            timings["retrieval"].append((retrieved - started) * 1000)
            timings["total"].append((done - started) * 1000)
            timings["floor"].append((time.perf_counter() - done) * 1000)
        print(f"  {label}, {len(texts)} queries:")
        names = {"retrieval": "BM25 pool", "total": "pool + re-ranking", "floor": "plain BM25"}
        for name, values in timings.items():
            print(
                f"    {names[name]:18} p50 {_percentile(values, 0.5):6.1f} ms  "
                f"p95 {_percentile(values, 0.95):6.1f} ms"
            )
        p95 = _percentile(timings["total"], 0.95)
        floor = max(_percentile(timings["floor"], 0.95), 1e-6)
        print(
            f"    p95 {p95:.1f} ms (goal <= 50 ms: {'met' if p95 <= 50 else 'NOT met'}), "
            f"{p95 / floor:.1f}x plain BM25's p95"
        )


def _fillers(benchmarks: list[Benchmark], total: int) -> list[str]:
    """Statements made of the halves of the pools' claims (real vocabulary, no true match)."""
    claims = [claim for benchmark in benchmarks for claim in benchmark.pool]
    rng = random.Random(15)
    halves = [claim.statement.split() for claim in claims]
    made = []
    while len(claims) + len(made) < total:
        first, second = rng.choice(halves), rng.choice(halves)
        made.append(" ".join(first[: len(first) // 2] + second[len(second) // 2 :]))
    return made


def _insert(statements: list[str], claimant: Source) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(statements), 5000):
        rows = Claim.objects.bulk_create(
            Claim(statement=statement, claimant=claimant)
            for statement in statements[start : start + 5000]
        )
        ids += [row.pk for row in rows]
    # Their sentence vectors, as an import stores them (claims.sentence_vectors).
    sentence_vectors.store_for_claims(ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    return ids


def _index_megabytes() -> float:
    """The keyword index's arrays (ids, stamps, the BM25 matrix) in memory."""
    matrix = keyword_index.bm25.matrix
    arrays = [keyword_index.ids, keyword_index.stamps, matrix.data, matrix.indices, matrix.indptr]
    return sum(array.nbytes for array in arrays) / 1e6


def _import(benchmark: Benchmark) -> dict[int, str]:
    """The benchmark's pool through ``manage.py import_claims`` as JSON Lines (statement,
    title, the pool's id as external_id), as a newsroom imports an archive; claim id -> the
    pool's id."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as archive:
        for claim in benchmark.pool:
            line = {
                "statement": claim.statement,
                "title": claim.title,
                "reviewer": benchmark.name,
                "external_id": str(claim.id),
            }
            archive.write(json.dumps(line) + "\n")
        archive.flush()
        call_command("import_claims", archive.name, stdout=io.StringIO())
    original = {str(claim.id): claim.id for claim in benchmark.pool}
    return {
        claim_id: original[external_id]
        for claim_id, external_id in ExternalReview.objects.filter(
            reviewer=benchmark.name
        ).values_list("claim_id", "external_id")
    }


def postgres(benchmarks: list[Benchmark], total: int, queries: int) -> None:
    """The app's path on PostgreSQL: the API against each real pool, then matching against
    ``total`` claims."""
    if connection.vendor != "postgresql":
        sys.exit("--postgres needs DATABASE_URL=postgres://... (a throwaway test database).")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        claimant = Source.objects.create(name="Public fact-checks", kind=SourceKind.OUTLET)
        client = Client()
        for benchmark in benchmarks:
            Claim.objects.all().delete()
            started = time.perf_counter()
            public_id = _import(benchmark)
            print(
                f"\n== {benchmark.name} through POST /api/v1/claims/match/ on PostgreSQL "
                f"({len(public_id):,} fact-checks imported by import_claims in "
                f"{time.perf_counter() - started:.1f} s) =="
            )
            client.post("/api/v1/claims/match/", {"text": "warm up"}, "application/json")
            p1, ap5, flagged, right, ms, statuses = [], [], 0, 0, [], {}
            for query, text in sorted(benchmark.queries.items()):
                relevant = benchmark.qrels[query]
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/claims/match/", {"text": text, "limit": 5}, "application/json"
                )
                ms.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                results = response.json().get("results", []) if response.status_code == 200 else []
                ranked = [public_id[r["claim"]["id"]] for r in results]
                p1.append(bool(ranked) and ranked[0] in relevant)
                ap5.append(average_precision_at(ranked, relevant))
                if results and results[0]["likely_same"]:
                    flagged += 1
                    right += p1[-1]
            print(
                f"  P@1 {statistics.fmean(p1):.3f}  MAP@5 {statistics.fmean(ap5):.3f}; "
                f"likely_same on {flagged} ({flagged / len(p1):.1%}), right {right}; "
                f"status codes {statuses}"
            )
            p95 = _percentile(ms, 0.95)
            print(
                f"  per request p50 {_percentile(ms, 0.5):.1f} ms, p95 {p95:.1f} ms "
                f"(goal <= 100 ms: {'met' if p95 <= 100 else 'NOT met'})"
            )
        if total:
            Claim.objects.all().delete()
            statements = [c.statement for b in benchmarks for c in b.pool]
            statements += _fillers(benchmarks, total)
            started = time.perf_counter()
            ids = _insert(statements, claimant)
            print(
                f"\n== Speed of claims_match against {len(statements):,} claims on PostgreSQL "
                f"(inserted in {time.perf_counter() - started:.1f} s) =="
            )
            # The first match in a process builds its keyword index (claims.keyword_index).
            keyword_index.forget()
            started = time.perf_counter()
            matching.claims_match(text="warm up the keyword index", limit=5)
            print(
                f"  first match, building the keyword index: "
                f"{(time.perf_counter() - started) * 1000:.0f} ms, "
                f"{_index_megabytes():.0f} MB"
            )
            texts = [text for benchmark in benchmarks for text in benchmark.queries.values()]
            random.Random(15).shuffle(texts)
            texts = [text[: matching.MATCH_TEXT_MAX_LENGTH] for text in texts[:queries]]
            for label in ("cold", "warm"):
                timings, floor = [], []
                for text in texts:
                    started = time.perf_counter()
                    matching.claims_match(text=text, limit=5)
                    done = time.perf_counter()
                    # The floor, in the same run: one claim read by primary key.
                    Claim.objects.filter(pk=ids[0]).first()
                    timings.append((done - started) * 1000)
                    floor.append((time.perf_counter() - done) * 1000)
                p95 = _percentile(timings, 0.95)
                print(
                    f"  {label}, {len(texts)} queries: p50 {_percentile(timings, 0.5):.1f} ms, "
                    f"p95 {p95:.1f} ms (goal <= 50 ms: {'met' if p95 <= 50 else 'NOT met'}); "
                    f"floor (a claim by primary key) p50 {_percentile(floor, 0.5):.2f} ms"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def own_sets() -> None:
    """The project's evaluation sets, matched among their own claims by the new ranking."""
    for folder in sorted((ROOT / "bench").glob("claims_eval*/")):
        data = json.loads((folder / "matching.json").read_text(encoding="utf-8"))
        index = ClaimIndex(
            [PoolClaim(id=i, statement=text) for i, text in enumerate(data["claims"])]
        )
        ranks, flagged = [], 0
        for pair in data["pairs"]:
            results = rank_claims(pair["text"], index.pool(pair["text"]), limit=10)
            ids = [match.claim_id for match in results]
            ranks.append(ids.index(pair["claim"]) + 1 if pair["claim"] in ids else None)
            flagged += bool(results) and results[0].likely_same and ids[0] == pair["claim"]
        unrelated = sum(
            any(m.likely_same for m in rank_claims(text, index.pool(text)))
            for text in data["unrelated"]
        )
        near = sum(
            any(
                m.likely_same and m.claim_id == item["claim"]
                for m in rank_claims(item["text"], index.pool(item["text"]))
            )
            for item in data["near_misses"]
        )
        top1 = sum(r == 1 for r in ranks) / len(ranks)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        print(
            f"  {folder.name:24} top-1 {top1:.3f}  MRR {mrr:.3f} over {len(ranks)} pairs; "
            f"flagged right {flagged}; unrelated flagged {unrelated}/{len(data['unrelated'])}; "
            f"near misses flagged as their claim {near}/{len(data['near_misses'])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--skip-public", action="store_true", help="only the --postgres part")
    args = parser.parse_args()
    if not data_dir().is_dir():
        sys.exit(f"No public data at {data_dir()}: set FACTCHECK_SHARED_DIR (see README).")
    print(
        f"Model {rerank.MODEL_PATH.relative_to(ROOT)} "
        f"({rerank.MODEL_PATH.stat().st_size / 1e6:.2f} MB), likely_same from "
        f"{rerank.model().likely_same_threshold:.3f}; data {data_dir()} "
        f"(FACTCHECK_SHARED_DIR={os.environ.get('FACTCHECK_SHARED_DIR', 'unset')})"
    )
    benchmarks = [load_clef2020("dev"), load_clef2021("dev")]
    if args.postgres:
        postgres(benchmarks, 0 if args.skip_speed else args.claims, args.queries)
        if args.skip_public:
            return
    totals = {"flagged": 0, "right": 0, "queries": 0}
    for benchmark in benchmarks:
        index = ClaimIndex(with_sentence_vectors(benchmark.pool))
        # First query pays for loading the embeddings and the model: not a matching time.
        rank_claims("warm up", index.pool("warm up the index"))
        result = evaluate(benchmark, index, misses=args.show_misses)
        print_benchmark(benchmark.name, result)
        totals["flagged"] += result["flagged"]
        totals["right"] += result["flag_right"]
        totals["queries"] += result["queries"]
    print(
        f"\n  likely_same over both: on {totals['flagged']}/{totals['queries']} queries "
        f"({totals['flagged'] / totals['queries']:.1%}, goal >= {FLAG_COVERAGE_GOAL:.0%}), "
        f"right {totals['right']}/{totals['flagged']} = "
        f"{totals['right'] / max(1, totals['flagged']):.3f} (goal >= {FLAG_PRECISION_GOAL})"
    )
    print("\n== The project's evaluation sets (bench/claims_eval*/), re-ranked ==")
    own_sets()
    if not args.skip_speed:
        speed(benchmarks, args.claims, args.queries)


if __name__ == "__main__":
    main()
