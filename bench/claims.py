"""Quality and speed of claims from text (SPEC section 6), on the evaluation set in
bench/claims_eval.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench .venv/bin/python bench/claims.py

Runs in a throwaway test database (created and dropped here, as the test runner does), so it
never touches real data. Prints:

- candidates: recall and precision of sentences flagged at 0.5, per article and overall;
- claimant accuracy on attributed check-worthy sentences, and figure accuracy;
- matching: top-1 accuracy and MRR of the paraphrase pairs, the true matches' worst score
  against the unrelated texts' best (and the near misses'), with only the set's claims and
  again among the seeded claims;
- speed: candidates for a 1,000-word article, and matching against ``--claims`` seeded claims
  (100,000 by default; on PostgreSQL with DATABASE_URL), each beside a floor measured in the
  same run (sentence splitting alone; a claim fetched by primary key).

Options: --eval-dir DIR (another evaluation set), --claims N, --queries N, --skip-seed.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings_test")

import django  # noqa: E402

django.setup()

from claims_eval_set import DEFAULT_DIR, load_articles, load_matching  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from articles.services import article_get_or_create, revision_record  # noqa: E402
from claims import candidates, matching, services  # noqa: E402
from claims.models import Claim, SourceKind  # noqa: E402
from claims.text.analysis import analyse_text  # noqa: E402
from claims.text.matching import profile, stem  # noqa: E402
from claims.text.scoring import THRESHOLD  # noqa: E402
from claims.text.sentences import _segment, split_sentences  # noqa: E402

# Text quality ------------------------------------------------------------------------------


def _norm(name: str) -> str:
    name = name.lower().replace("’", "'").strip(" .,")
    return name.removeprefix("the ")


def _claimant_ok(predicted: str | None, labels: list[str]) -> bool:
    if predicted is None:
        return False
    guess = _norm(predicted)
    # A title before the labelled name ("Transport Minister Helen Achterberg") is the same
    # claimant; anything else must be the labelled name itself.
    return any(
        guess == _norm(label) or (len(label.split()) > 1 and guess.endswith(" " + _norm(label)))
        for label in labels
    )


def _unit_ok(unit: str, labels: list[str]) -> bool:
    return any(
        label == "*" or unit.rstrip("s") == label.rstrip("s") or unit == label for label in labels
    )


def evaluate_text(folder: Path) -> dict:
    articles = load_articles(folder)
    totals = {"tp": 0, "fp": 0, "fn": 0, "claimant_ok": 0, "claimant_n": 0, "false_attr": 0}
    totals |= {"unattributed": 0, "qty_ok": 0, "qty_n": 0, "qty_extra": 0}
    per_article = []
    misses = []
    for article in articles:
        analysed = {a.sentence.text: a for a in analyse_text(article.text)}
        tp = fp = fn = 0
        for labelled in article.sentences:
            found = analysed.get(labelled.text)
            if found is None:
                misses.append(f"not split as labelled: {labelled.text[:70]}")
                fn += labelled.checkworthy
                continue
            flagged = found.score.score >= THRESHOLD
            tp += flagged and labelled.checkworthy
            fp += flagged and not labelled.checkworthy
            fn += (not flagged) and labelled.checkworthy
            if flagged != labelled.checkworthy:
                misses.append(
                    f"{'missed' if labelled.checkworthy else 'flagged'} "
                    f"({found.score.score:.2f}): {labelled.text[:70]}"
                )
            if not labelled.checkworthy:
                continue
            if labelled.claimants:
                totals["claimant_n"] += 1
                if _claimant_ok(found.claimant, labelled.claimants):
                    totals["claimant_ok"] += 1
                else:
                    misses.append(f"claimant {found.claimant!r} not {labelled.claimants}")
            else:
                totals["unattributed"] += 1
                totals["false_attr"] += found.claimant is not None
            predicted = list(found.figures)
            for expected in labelled.figures:
                totals["qty_n"] += 1
                match = next(
                    (
                        q
                        for q in predicted
                        if (q.value, q.low, q.high, q.qualifier)
                        == (expected.value, expected.low, expected.high, expected.qualifier)
                        and _unit_ok(q.unit, expected.units)
                    ),
                    None,
                )
                if match is None:
                    misses.append(f"figure {expected} not in {predicted} ({labelled.text[:40]})")
                else:
                    totals["qty_ok"] += 1
                    predicted.remove(match)
            totals["qty_extra"] += len(predicted)
        totals["tp"] += tp
        totals["fp"] += fp
        totals["fn"] += fn
        per_article.append((article.name, tp, fp, fn))
    return {"totals": totals, "per_article": per_article, "misses": misses}


def print_text_quality(result: dict) -> None:
    t = result["totals"]
    print("\n== Candidates (threshold 0.5) ==")
    for name, tp, fp, fn in result["per_article"]:
        print(
            f"  {name:<18} recall {tp / max(1, tp + fn):.2f}  precision {tp / max(1, tp + fp):.2f}"
        )
    recall = t["tp"] / max(1, t["tp"] + t["fn"])
    precision = t["tp"] / max(1, t["tp"] + t["fp"])
    print(
        f"  overall            recall {recall:.3f}  precision {precision:.3f} "
        f"(goal: recall >= 0.9, precision >= 0.8)  [{t['tp']} TP, {t['fp']} FP, {t['fn']} FN]"
    )
    print("\n== Claimants ==")
    print(
        f"  attributed check-worthy sentences: {t['claimant_ok']}/{t['claimant_n']} right = "
        f"{t['claimant_ok'] / max(1, t['claimant_n']):.3f} (goal >= 0.7)"
    )
    print(
        f"  unattributed check-worthy sentences given a claimant anyway: "
        f"{t['false_attr']}/{t['unattributed']}"
    )
    print("\n== Figures ==")
    print(
        f"  labelled figures parsed exactly (value, low, high, qualifier, unit): "
        f"{t['qty_ok']}/{t['qty_n']} = {t['qty_ok'] / max(1, t['qty_n']):.3f}; "
        f"extra figures found: {t['qty_extra']}"
    )
    for miss in result["misses"]:
        print("   -", miss)


# Matching quality --------------------------------------------------------------------------


def evaluate_matching(data: dict, claims: list[Claim]) -> dict:
    ranks, true_scores, missed = [], [], []
    for pair in data["pairs"]:
        results = matching.claims_match(text=pair["text"], limit=10)
        ids = [claim.pk for claim, _ in results]
        target = claims[pair["claim"]].pk
        rank = ids.index(target) + 1 if target in ids else None
        ranks.append(rank)
        if rank != 1:
            missed.append((pair["text"], claims[pair["claim"]].statement, rank))
        true_scores.append({c.pk: s for c, s in results}.get(target, 0.0))
    unrelated = [
        max((s for _, s in matching.claims_match(text=t)), default=0.0) for t in data["unrelated"]
    ]
    near = []
    for item in data["near_misses"]:
        target = claims[item["claim"]].pk
        scores = {c.pk: s for c, s in matching.claims_match(text=item["text"])}
        near.append(scores.get(target, 0.0))
    return {
        "top1": sum(r == 1 for r in ranks) / len(ranks),
        "mrr": sum(1 / r for r in ranks if r) / len(ranks),
        "worst_true": min(true_scores),
        "best_unrelated": max(unrelated),
        "best_near_miss": max(near),
        "pairs": len(ranks),
        "missed": missed,
    }


def print_matching(label: str, m: dict) -> None:
    separated = m["best_unrelated"] < m["worst_true"]
    print(f"\n== Matching: {label} ==")
    print(
        f"  top-1 {m['top1']:.3f}  MRR {m['mrr']:.3f} over {m['pairs']} pairs (goal top-1 >= 0.9)"
    )
    print(
        f"  true matches' worst score {m['worst_true']:.3f} vs unrelated texts' best "
        f"{m['best_unrelated']:.3f}: {'separated' if separated else 'NOT separated'}"
    )
    print(
        f"  near misses (other figure, negation, direction, place) best score vs their claim: "
        f"{m['best_near_miss']:.3f} (threshold {matching.MATCH_THRESHOLD})"
    )
    for text, statement, rank in m["missed"]:
        where = f"ranked {rank}" if rank else "not found"
        print(f"   - {where}: {text[:90]!r} -> claim {statement[:90]!r}")


# Seeding -----------------------------------------------------------------------------------


def _words(text: str, separator: str | None = None) -> list[str]:
    return [" ".join(word.split()) for word in text.split(separator)]


PLACES = [
    "Aldmoor",
    "Brackenford",
    "Castelnau",
    "Dunmere",
    "Elmstead",
    "Farrowgate",
    "Glenholt",
    "Harwick",
    "Islay",
    "Jarrow",
    "Kestrel",
    "Lowfield",
    "Marsden",
    "Northby",
    "Oakhurst",
    "Pellham",
    "Quarry",
    "Ravensworth",
    "Saltash",
    "Thornbury",
    "Upwell",
    "Varley",
    "Westerham",
    "Yarrow",
    "Zennor",
    "Ashby",
    "Barton",
    "Crowland",
    "Dalby",
    "Easton",
    "Fenwick",
    "Grantley",
    "Holbeck",
    "Ingleby",
    "Kirkby",
    "Langley",
    "Milton",
    "Netherby",
    "Ormsby",
    "Preston",
    "Redhill",
    "Stanton",
    "Tilford",
    "Ulverston",
    "Wickham",
]
UNITS = [
    "patients",
    "homes",
    "jobs",
    "cars",
    "schools",
    "flights",
    "teachers",
    "nurses",
    "tonnes",
    "containers",
    "houses",
    "beds",
    "buses",
    "trains",
    "students",
    "farms",
    "shops",
    "companies",
    "refugees",
    "visitors",
    "cases",
    "arrests",
    "permits",
    "complaints",
    "vaccines",
    "trees",
    "wells",
    "bridges",
    "roads",
]
VERBS = [
    "closed",
    "opened",
    "built",
    "lost",
    "cancelled",
    "approved",
    "recorded",
    "treated",
    "hired",
    "registered",
    "inspected",
    "repaired",
    "sold",
    "evacuated",
    "delivered",
]
ORGS = [
    "The council",
    "The ministry",
    "The agency",
    "The regulator",
    "The company",
    "The union",
    "The hospital\ntrust",
    "The police force",
    "The university",
    "The charity",
    "The airport",
    "The port",
    "The water\nboard",
    "The housing association",
    "The transport authority",
]
METRICS = [
    "Unemployment",
    "Inflation",
    "Turnout",
    "The vacancy rate",
    "The crime rate",
    "The birth\nrate",
    "Average rent",
    "Bus ridership",
    "Recycling",
    "The poverty rate",
    "Homelessness",
    "Waiting time",
]
DIRECTIONS = ["rose", "fell", "climbed", "dropped", "increased", "decreased"]
PERIODS = [
    "in the first quarter",
    "last year",
    "in March",
    "over the summer",
    "in 2024",
    "in the past decade",
    "since 2019",
    "this spring",
]


def _seed_statement(rng: random.Random) -> str:
    kind = rng.randrange(4)
    n = f"{rng.randrange(2, 90_000):,}"
    place = rng.choice(PLACES)
    if kind == 0:
        return f"{n} {rng.choice(UNITS)} were {rng.choice(VERBS)} in {place} {rng.choice(PERIODS)}."
    if kind == 1:
        return (
            f"{rng.choice(ORGS).strip()} in {place} {rng.choice(VERBS)} {n} "
            f"{rng.choice(UNITS)} {rng.choice(PERIODS)}."
        )
    if kind == 2:
        return (
            f"{rng.choice(METRICS).strip()} in {place} {rng.choice(DIRECTIONS)} to "
            f"{rng.randrange(1, 300) / 10} percent {rng.choice(PERIODS)}."
        )
    return (
        f"{rng.choice(ORGS).strip()} spent £{rng.randrange(1, 900)} million on "
        f"{rng.choice(UNITS)} in {place} {rng.choice(PERIODS)}."
    )


def seed_claims(count: int, claimant) -> None:
    rng = random.Random(5)
    batch = 5000
    for start in range(0, count, batch):
        Claim.objects.bulk_create(
            [
                Claim(statement=_seed_statement(rng), claimant=claimant)
                for _ in range(min(batch, count - start))
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")


# Speed -------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def thousand_word_article(folder: Path) -> str:
    paragraphs = [p for a in load_articles(folder) for p in a.text.split("\n")]
    chosen, words = [], 0
    while words < 1000:
        paragraph = paragraphs[len(chosen) % len(paragraphs)]
        chosen.append(paragraph)
        words += len(paragraph.split())
    return "\n".join(chosen)


def forget_text_caches() -> None:
    """Each timed run sees the article as new: the caches of split lines, text profiles and
    stems would otherwise hold the same article from the run before."""
    _segment.cache_clear()
    profile.cache_clear()
    stem.cache_clear()


def time_candidates(text: str, runs: int = 15) -> dict:
    for _ in range(2):
        analyse_text(text)
    floor = []
    analysis = []
    for _ in range(runs):
        forget_text_caches()
        t = time.perf_counter()
        split_sentences(text)
        floor.append(time.perf_counter() - t)
        forget_text_caches()
        t = time.perf_counter()
        analyse_text(text)
        analysis.append(time.perf_counter() - t)
    stored = []
    for i in range(runs):
        article, _ = article_get_or_create(url=f"https://bench.example.org/speed/{i}")
        revision, _ = revision_record(article=article, text=text)
        forget_text_caches()
        t = time.perf_counter()
        candidates.candidates_generate(revision=revision)
        stored.append(time.perf_counter() - t)
    return {
        "words": len(text.split()),
        "floor": statistics.median(floor),
        "analysis": statistics.median(analysis),
        "generate_median": statistics.median(stored),
        "generate_max": max(stored),
    }


def time_matching(data: dict, queries: int) -> dict:
    rng = random.Random(7)
    texts = [p["text"] for p in data["pairs"]] + data["unrelated"]
    texts += [_seed_statement(rng).replace(" were ", " have been ") for _ in range(40)]
    first_id = Claim.objects.order_by("id").values_list("id", flat=True).first()
    last_id = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    for text in texts[:10]:
        matching.claims_match(text=text)
    timings, floor = [], []
    for i in range(queries):
        text = texts[i % len(texts)] + ("" if i < len(texts) else f" {i}")
        t = time.perf_counter()
        matching.claims_match(text=text)
        timings.append(time.perf_counter() - t)
        t = time.perf_counter()
        Claim.objects.filter(pk=rng.randint(first_id, last_id)).first()
        floor.append(time.perf_counter() - t)
    return {
        "p50": _percentile(timings, 0.5),
        "p95": _percentile(timings, 0.95),
        "max": max(timings),
        "floor_p50": _percentile(floor, 0.5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()

    print(f"Evaluation set: {args.eval_dir}")
    print_text_quality(evaluate_text(args.eval_dir))

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        data = load_matching(args.eval_dir)
        outlet = services.source_create(name="Bench Outlet", kind=SourceKind.OUTLET)
        claims = [services.claim_create(statement=s, claimant=outlet) for s in data["claims"]]
        print_matching(
            f"the set's {len(claims)} claims only ({connection.vendor})",
            evaluate_matching(data, claims),
        )

        text = thousand_word_article(args.eval_dir)
        speed = time_candidates(text)
        print(
            f"\n== Speed: candidates for a {speed['words']}-word article ({connection.vendor},"
            f" {Claim.objects.count()} claims) =="
        )
        print(
            f"  floor (sentence splitting alone) {speed['floor'] * 1000:.1f} ms; analysis "
            f"{speed['analysis'] * 1000:.1f} ms; candidates_generate (stored, matched) median "
            f"{speed['generate_median'] * 1000:.1f} ms, max {speed['generate_max'] * 1000:.1f}"
            f" ms = {speed['generate_median'] / speed['floor']:.1f}x the floor (goal < 200 ms)"
        )

        if not args.skip_seed and args.claims:
            t = time.perf_counter()
            seed_claims(args.claims, outlet)
            print(f"\nSeeded {args.claims:,} claims in {time.perf_counter() - t:.1f} s")
            print_matching(
                f"among {Claim.objects.count():,} claims", evaluate_matching(data, claims)
            )
            speed = time_candidates(text, runs=7)
            print(
                f"\n== Speed: candidates for a {speed['words']}-word article, "
                f"{Claim.objects.count():,} claims =="
            )
            print(
                f"  candidates_generate median {speed['generate_median'] * 1000:.1f} ms, "
                f"max {speed['generate_max'] * 1000:.1f} ms (goal < 200 ms)"
            )
            match = time_matching(data, args.queries)
            print(
                f"\n== Speed: matching against {Claim.objects.count():,} claims "
                f"({connection.vendor}, {args.queries} queries) =="
            )
            print(
                f"  p50 {match['p50'] * 1000:.1f} ms  p95 {match['p95'] * 1000:.1f} ms  "
                f"max {match['max'] * 1000:.1f} ms (goal p95 < 50 ms); floor (claim by primary "
                f"key) p50 {match['floor_p50'] * 1000:.2f} ms; p95 = "
                f"{match['p95'] / match['floor_p50']:.0f}x the floor"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
