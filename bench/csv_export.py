"""Benchmark of the CSV export (SPEC section 10): a 100,000-claim export streams in constant
memory.

Seeds a PostgreSQL database with 100,000 claims (bulk inserts, then the status documents
rebuilt as the services write them; the first 1,000 claims have a claimant of their own, so
``?claimant=`` selects exactly 1,000), starts the app under gunicorn as production runs it
(gthread), and for each export size starts a fresh server, makes one JSON request (the
baseline: the process with everything imported), then streams ``GET /api/v1/claims/?format=csv``
through HTTP, reading it back with Python's csv module. Prints, per size, the worker's peak
resident memory (VmHWM from /proc) before and after, the rows, the bytes and rows per second,
and beside it a floor measured in the same run: the same documents read straight from
PostgreSQL by psycopg (no HTTP, no flattening).

    .venv/bin/python bench/csv_export.py           # a few minutes on 2 cores; --help
    .venv/bin/python bench/csv_export.py --reuse   # keep the seeded database

Goal: the peak memory an export adds is the same for 100,000 rows as for 1,000 (within a few
MB), where holding the rows would take hundreds of MB. The database named by --database-url
is dropped and recreated unless --reuse.
"""

import argparse
import csv
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fc_csv_bench")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    return parser.parse_args()


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="factcheck.settings",
        DJANGO_SECRET_KEY="benchmark-only-secret-key",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        FACTCHECK_ANON_RATE="none",
        CELERY_BROKER_URL="memory://",
        PYTHONPATH=str(ROOT),
    )
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(claims: int) -> None:
    """Bulk rows, then every document rebuilt (the services would take an hour)."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from articles.models import Article, ArticleRevision, text_fingerprint
    from claims.models import Appearance, Claim, ClaimStatus, Rating, Source, SourceKind, Verdict

    rng = random.Random(5)
    now = timezone.now()
    per_article = 100
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            Source(name=f"Source {n} — Київ", kind=SourceKind.ORGANIZATION) for n in range(200)
        )
        Source.objects.update(root_id=F("id"))
        small, others = sources[0], sources[1:]
        articles = Article.objects.bulk_create(
            (
                Article(
                    url=f"https://news.example.org/story-{n}",
                    canonical_url=f"https://news.example.org/story-{n}",
                    title=f"Story {n}",
                    publisher="News",
                    state="ok",
                    published_at=now,
                )
                for n in range(claims // per_article)
            ),
            batch_size=2000,
        )
        sentences = [
            f"Sentence {i} says {rng.randint(100, 99999)} people came." for i in range(per_article)
        ]
        text = " ".join(sentences)
        revisions = ArticleRevision.objects.bulk_create(
            (
                ArticleRevision(
                    article=article,
                    number=1,
                    title=article.title,
                    text=text,
                    fingerprint=text_fingerprint(text),
                    fetched_at=now,
                )
                for article in articles
            ),
            batch_size=2000,
        )
        for article, revision in zip(articles, revisions, strict=True):
            article.current_revision = revision
            article.revision_count = 1
        Article.objects.bulk_update(articles, ["current_revision", "revision_count"], 2000)
        claim_rows = Claim.objects.bulk_create(
            (
                Claim(
                    # Some cells a spreadsheet would read as formulas, and non-ASCII text.
                    statement=(
                        f"{'=' if n % 97 == 0 else ''}Claim {n}: about {rng.randint(100, 99999)}"
                        " people attended the rally in Zürich, officials said."
                    ),
                    claimant=small if n < SMALL else rng.choice(others),
                    status=rng.choice(ClaimStatus.values),
                    status_explanation="Corroborated by 2 independent sources.",
                    corroborates_count=2,
                    independent_corroborates_count=1,
                )
                for n in range(claims)
            ),
            batch_size=5000,
        )
        appearances = []
        for index, claim in enumerate(claim_rows):
            revision = revisions[index // per_article % len(revisions)]
            sentence = sentences[index % per_article]
            start = text.index(sentence)
            appearances.append(
                Appearance(
                    claim=claim,
                    revision=revision,
                    quote=sentence,
                    start=start,
                    end=start + len(sentence),
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[start + len(sentence) : start + len(sentence) + 32],
                )
            )
        Appearance.objects.bulk_create(appearances, batch_size=5000)
        ratings = list(Rating.objects.all())
        Verdict.objects.bulk_create(
            (
                Verdict(
                    claim=claim,
                    rating=(rating := rng.choice(ratings)),
                    explanation="Checked against the official record and two witnesses.",
                    state="published",
                    published_rating=rating,
                    published_explanation="Checked against the official record.",
                    published_at=now,
                )
                for claim in claim_rows[::10]
            ),
            batch_size=5000,
        )
    write_documents()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def write_documents() -> None:
    """The claims' status documents. ``documents.rebuild_all`` renders every claim through
    its serializer, twice: a quarter of an hour for 100,000 claims on a busy 2-core machine.
    The seeded claims are regular enough to be written straight in the serializer's shape, and
    a sample is checked against the real rendering so the shortcut cannot drift from it."""
    import json

    from django.db import transaction

    from claims.documents import claim_public_url
    from claims.models import Claim, ClaimDocument

    def iso(value):
        return value.isoformat().replace("+00:00", "Z") if value else None

    claims = (
        Claim.objects.select_related("claimant", "verdict__published_rating")
        .prefetch_related("appearances__revision")
        .order_by("pk")
    )
    with transaction.atomic():
        batch = []
        for claim in claims.iterator(chunk_size=2000):
            verdict = getattr(claim, "verdict", None)
            body = {
                "id": claim.pk,
                "url": claim_public_url(claim.pk),
                "statement": claim.statement,
                "claimant": {"id": claim.claimant_id, "name": claim.claimant.name},
                "status": claim.status,
                "status_explanation": claim.status_explanation,
                "evidence_counts": {
                    "corroborates": claim.corroborates_count,
                    "disputes": claim.disputes_count,
                    "context": claim.context_count,
                    "independent_corroborates": claim.independent_corroborates_count,
                },
                "verdict": None
                if verdict is None
                else {
                    "rating": verdict.published_rating.ordinal,
                    "label": verdict.published_rating.label,
                    "explanation": verdict.published_explanation,
                    "published_at": iso(verdict.published_at),
                    "state": "published",
                },
                "needs_review": claim.needs_review,
                "appearances": [
                    {
                        "article": a.revision.article_id,
                        "revision": a.revision.number,
                        "quote": a.quote,
                        "start": a.start,
                        "end": a.end,
                        "anchor_state": a.anchor_state,
                    }
                    for a in claim.appearances.all()
                ],
                "version": claim.version,
                "created_at": iso(claim.created_at),
                "updated_at": iso(claim.updated_at),
            }
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            # Public bodies only: the benchmark reads as an anonymous reader does.
            batch.append(ClaimDocument(claim=claim, claim_version=claim.version, public_body=text))
            if len(batch) == 5000:
                ClaimDocument.objects.bulk_create(batch)
                batch = []
        ClaimDocument.objects.bulk_create(batch)
    check_documents()


def check_documents() -> None:
    """A sample of the stored documents against the real rendering (``render_claim``)."""
    import json

    from claims.documents import render_claim
    from claims.models import Claim, ClaimDocument

    sample = list(Claim.objects.order_by("?")[:50])
    stored = dict(
        ClaimDocument.objects.filter(claim__in=sample).values_list("claim_id", "public_body")
    )
    for claim in sample:
        if json.loads(stored[claim.pk]) != json.loads(render_claim(claim, working_verdicts=False)):
            raise SystemExit(f"seeded document of claim {claim.pk} differs from its rendering")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


def start_server(env: dict, port: int) -> subprocess.Popen:
    # As docker-compose runs it (gthread), with one worker so there is one process to watch.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "factcheck.wsgi",
            "--workers=1",
            "--threads=4",
            "--worker-class=gthread",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def stream_csv(url: str) -> tuple[int, int, float, list[str]]:
    """(rows, bytes, seconds, header) of the export, read back with the csv module."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        counted = _CountingReader(response)
        reader = csv.reader(io.TextIOWrapper(counted, encoding="utf-8", newline=""))
        header = next(reader)
        rows = sum(1 for _ in reader)
    return rows, counted.bytes, time.perf_counter() - started, header


class _CountingReader(io.RawIOBase):
    def __init__(self, response):
        self.response = response
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.response.read(len(buffer))
        self.bytes += len(data)
        buffer[: len(data)] = data
        return len(data)


def floor_rows_per_second(database_url: str) -> float:
    """The documents read straight from PostgreSQL, newest first: the database's share."""
    import psycopg

    from claims.models import ClaimDocument

    table = ClaimDocument._meta.db_table
    started = time.perf_counter()
    count = 0
    with psycopg.connect(database_url) as connection, connection.cursor("floor") as cursor:
        cursor.itersize = 1000
        cursor.execute(f"SELECT claim_id, public_body FROM {table} ORDER BY claim_id DESC")
        for _ in cursor:
            count += 1
    return count / (time.perf_counter() - started)


def measure(env: dict, query: str) -> dict:
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            try:
                # The baseline: one JSON list request, so every module the export needs is loaded.
                urllib.request.urlopen(base + "/api/v1/claims/?page_size=100", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        worker = worker_pid(server.pid)
        before = peak_rss_mb(worker)
        rows, size, seconds, header = stream_csv(f"{base}/api/v1/claims/?format=csv{query}")
        after = peak_rss_mb(worker)
        return {
            "rows": rows,
            "bytes": size,
            "seconds": seconds,
            "before": before,
            "after": after,
            "columns": len(header),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    args = parse_args()
    env = environment(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        started = time.monotonic()
        recreate_database(args.database_url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"seeding {args.claims:,} claims …", flush=True)
        seed(args.claims)
        print(f"seeded in {time.monotonic() - started:.0f}s", flush=True)

    import django

    django.setup()
    from claims.models import ClaimDocument, Source

    if not ClaimDocument.objects.exists():
        print("writing the status documents …", flush=True)
        write_documents()
    check_documents()

    small = Source.objects.order_by("pk").values_list("pk", flat=True).first()
    floor = floor_rows_per_second(args.database_url)
    results = {
        f"{SMALL:,} rows (?claimant=)": measure(env, f"&claimant={small}"),
        f"{args.claims:,} rows (all)": measure(env, ""),
    }
    print()
    print(
        f"{'export':<26}{'rows':>9}{'MB sent':>9}{'s':>7}{'rows/s':>9}{'of floor':>9}"
        f"{'RSS before':>12}{'peak RSS':>10}{'added':>8}"
    )
    for name, r in results.items():
        rate = r["rows"] / r["seconds"]
        print(
            f"{name:<26}{r['rows']:>9,}{r['bytes'] / 1e6:>9.1f}{r['seconds']:>7.1f}{rate:>9,.0f}"
            f"{rate / floor:>9.2f}{r['before']:>10.1f}MB{r['after']:>8.1f}MB"
            f"{r['after'] - r['before']:>6.1f}MB"
        )
    print(f"floor: psycopg reading the same documents, {floor:,.0f} rows/s")
    small_added, large_added = (r["after"] - r["before"] for r in results.values())
    large = list(results.values())[1]
    print(
        f"memory added by the export: {small_added:.1f} MB for {SMALL:,} rows, "
        f"{large_added:.1f} MB for {large['rows']:,} rows ({large['bytes'] / 1e6:.0f} MB of CSV)"
    )
    ok = large["rows"] == args.claims and large_added - small_added < 20
    print("constant memory: " + ("yes" if ok else "NO"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
