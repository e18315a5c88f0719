"""Speed of ``manage.py import_claims`` (SPEC section 6: 30,000 fact-checks in well under two
minutes on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench .venv/bin/python bench/import_claims.py

Runs in a throwaway test database (created and dropped here, as the test runner does). Writes
``--count`` synthetic fact-checks as JSON Lines (varied statements with figures, a third of
the claimants the name or alias of a source on record, a few bad lines), then times:

- the import (claims, history, external reviews, figures, status documents, ANALYZE);
- the same file again (every line already present: nothing is written);
- the floor: a bare ``bulk_create`` of as many claims, without history, reviews, figures or
  documents, in the same database;

and prints the ratio of the import to the floor, that the status documents match a fresh
render (``rebuild_documents --check``), and the time of a match against the imported claims.
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from claims import documents, services  # noqa: E402
from claims.matching import texts_match  # noqa: E402
from claims.models import Claim, ExternalReview, SourceKind  # noqa: E402

SUBJECTS = [
    "The city council",
    "The health ministry",
    "A viral post",
    "The opposition leader",
    "The governor",
    "Local police",
    "The central bank",
    "A school board",
    "The energy regulator",
    "The transport agency",
]
VERBS = [
    "cut spending on",
    "doubled the budget for",
    "closed",
    "banned",
    "raised taxes on",
    "hired",
    "lost track of",
    "approved",
    "delayed",
    "cancelled",
]
OBJECTS = [
    "public libraries",
    "bus routes",
    "nurses",
    "wind farms",
    "school meals",
    "bridge repairs",
    "flu vaccines",
    "housing permits",
    "river clean-ups",
    "border checks",
]
PLACES = ["Northvale", "Eastport", "Lindholm", "Marrow", "Queensford", "Tarlow", "Wexby", "Ostin"]
RATINGS = ["False", "Mostly false", "Half true", "Mostly true", "True", "Misleading"]
REVIEWERS = ["Harbour Checks", "Northwind Verify", "Plainfacts Desk"]
KNOWN = ["Government of Eastport", "Eastport government", "Northvale Police"]


def fact_check_lines(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for number in range(count):
        statement = (
            f"{rng.choice(SUBJECTS)} in {rng.choice(PLACES)} {rng.choice(VERBS)} "
            f"{rng.randint(2, 90_000):,} {rng.choice(OBJECTS)} in {rng.randint(1990, 2026)}, "
            f"{rng.choice(['about', 'over', 'under', 'nearly'])} {rng.randint(2, 99)} percent "
            f"more than {rng.choice(PLACES)}."
        )
        reviewer = REVIEWERS[number % len(REVIEWERS)]
        claimant = rng.choice(KNOWN) if number % 3 == 0 else f"Blogger {rng.randint(1, 5000)}"
        lines.append(
            json.dumps(
                {
                    "statement": statement,
                    "claimant": claimant,
                    "reviewer": reviewer,
                    "rating": rng.choice(RATINGS),
                    "url": f"https://{reviewer.split()[0].lower()}.example/checks/{number}",
                    "external_id": f"fc-{number}",
                    "published_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "title": f"Did {statement[:60].lower()}?",
                }
            )
        )
    # A few bad lines, reported and skipped (the command then exits 1).
    for position in range(0, count, max(1, count // 5)):
        lines[position] = '{"statement": "no identity"}'
    return lines


def timed_import(path: str) -> tuple[float, float, str]:
    """Wall time, this process's CPU time (what the import costs on a machine it has to
    itself, PostgreSQL's own work aside) and the command's summary."""
    out = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        call_command("import_claims", path, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        if exc.returncode != 1:
            raise
    summary = out.getvalue().strip().splitlines()[-1]
    return time.perf_counter() - started, time.process_time() - cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Note: not PostgreSQL (set DATABASE_URL); the goal is set for PostgreSQL.")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        government = services.source_create(
            name="Government of Eastport", kind=SourceKind.GOVERNMENT
        )
        services.source_alias_add(source=government, alias="Eastport government", user=_superuser())
        services.source_create(name="Northvale Police", kind=SourceKind.GOVERNMENT)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
            handle.write("\n".join(fact_check_lines(args.count)) + "\n")
            path = handle.name

        first, first_cpu, first_summary = timed_import(path)
        second, second_cpu, second_summary = timed_import(path)
        imported = ExternalReview.objects.count()
        stale = sum(1 for _ in documents.stale_documents())

        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            Claim.objects.bulk_create(
                [Claim(statement=f"Floor claim {n}", claimant_name="x") for n in range(imported)],
                batch_size=1000,
            )
            floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
            transaction.set_rollback(True)

        query = "Police in Eastport banned 4,000 school meals in 2020"
        texts_match([query], limit=5)  # load the models once
        started = time.perf_counter()
        for _ in range(20):
            texts_match([query], limit=5)
        match_ms = (time.perf_counter() - started) / 20 * 1000

        print(f"fact-checks: {args.count:,} lines, {imported:,} imported")
        print(
            f"load:        {os.getloadavg()[0]:.1f} (1-minute load average, {os.cpu_count()} cores)"
        )
        print(f"import:      {first:6.1f} s, CPU {first_cpu:5.1f} s   ({first_summary})")
        print(f"again:       {second:6.1f} s, CPU {second_cpu:5.1f} s   ({second_summary})")
        print(
            f"floor:       {floor:6.1f} s, CPU {floor_cpu:5.1f} s   "
            f"(bare bulk_create of {imported:,} claims)"
        )
        print(f"ratio:       {first / floor:6.1f}x the floor; goal: import well under 120 s")
        print(f"documents:   {'all match a fresh render' if not stale else f'{stale} stale'}")
        print(f"matching:    {match_ms:6.1f} ms a query against the imported claims")
        os.unlink(path)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _superuser():
    return User.objects.create_superuser("bench", "bench@example.org", None)


if __name__ == "__main__":
    main()
