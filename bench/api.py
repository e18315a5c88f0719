"""Benchmark of the API reads newsroom tools make at volume (SPEC section 7), as ratios to a floor.

Seeds a PostgreSQL database with 100,000 claims over 10,000 articles (10 claims each, one in
ten with a published verdict), starts the app under gunicorn (2 workers, 4 threads, gthread)
and, beside it, the same gunicorn serving a bare Django (bench.bare_settings: no apps, no
middleware). Both serve one floor view that reads one row by primary key from a table of the
same size. wrk loads each endpoint and both floors in turns (random ids and URL variants) and
the script prints requests per second, p99 latency and the ratios to the bare floor (the
goals) and to the app floor (the floor view inside our own settings and middleware).

    apt-get install wrk            # the HTTP load tool, once
    .venv/bin/python bench/api.py  # about 5 minutes on 2 cores; --help for the knobs

Goals (ratio of requests per second to the bare floor): claim detail >= 0.8, lookup by URL
>= 0.7, claims list of 50 >= 0.35. The database named by --database-url is dropped and recreated.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
BARE = "bare floor (no middleware)"
FLOOR = "app floor (our middleware)"
# Goals: requests per second as a ratio of the bare floor (issue 14).
GOALS = {"claim detail": 0.8, "lookup by URL": 0.7, "claims list of 50": 0.35}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fc_api_bench")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--duration", type=int, default=20, help="seconds of load per endpoint, over 5 rounds"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    return parser.parse_args()


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY="benchmark-only-secret-key",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        FACTCHECK_ANON_RATE="none",  # the floor is not throttled either
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


def seed(claims: int, articles: int) -> int:
    """Bulk rows (the services would take an hour for 100k claims), then the documents
    rebuilt exactly as the services write them. Returns the floor rows' payload size."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from articles.models import Article, ArticleRevision, text_fingerprint
    from claims import documents
    from claims.models import Appearance, Claim, ClaimStatus, Rating, Source, SourceKind, Verdict

    rng = random.Random(3)
    now = timezone.now()
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            Source(name=f"Source {n}", kind=SourceKind.ORGANIZATION) for n in range(200)
        )
        Source.objects.update(root_id=F("id"))
        article_rows = Article.objects.bulk_create(
            (
                Article(
                    url=f"https://news{n % 50}.example.org/2026/story-{n}?utm_source=feed",
                    canonical_url=f"https://news{n % 50}.example.org/2026/story-{n}",
                    title=f"Story {n}",
                    publisher=f"News {n % 50}",
                    state="ok",
                    published_at=now,
                )
                for n in range(articles)
            ),
            batch_size=2000,
        )
        texts = {}
        revisions = []
        for article in article_rows:
            sentences = [
                f"Sentence {i} of story {article.pk} says {rng.randint(100, 99999)} people "
                f"attended, according to officials."
                for i in range(claims // articles)
            ]
            texts[article.pk] = sentences
            text = " ".join(sentences)
            revisions.append(
                ArticleRevision(
                    article=article,
                    number=1,
                    title=article.title,
                    text=text,
                    fingerprint=text_fingerprint(text),
                    fetched_at=now,
                )
            )
        revisions = ArticleRevision.objects.bulk_create(revisions, batch_size=2000)
        for article, revision in zip(article_rows, revisions, strict=True):
            article.current_revision = revision
        Article.objects.bulk_update(article_rows, ["current_revision"], batch_size=2000)

        statuses = ClaimStatus.values
        claim_rows = []
        for n in range(claims):
            corroborates = rng.randint(0, 3)
            claim_rows.append(
                Claim(
                    statement=f"Claim {n}: about {rng.randint(100, 99999)} people attended.",
                    claimant=rng.choice(sources),
                    status=rng.choice(statuses),
                    status_explanation="Corroborated by 2 independent sources.",
                    corroborates_count=corroborates,
                    independent_corroborates_count=min(corroborates, 1),
                    disputes_count=rng.randint(0, 2),
                )
            )
        claim_rows = Claim.objects.bulk_create(claim_rows, batch_size=5000)
        appearances = []
        per_article = claims // articles
        for index, claim in enumerate(claim_rows):
            revision = revisions[index // per_article % len(revisions)]
            sentence = texts[revision.article_id][index % per_article]
            start = revision.text.index(sentence)
            appearances.append(
                Appearance(
                    claim=claim,
                    revision=revision,
                    quote=sentence,
                    start=start,
                    end=start + len(sentence),
                    prefix=revision.text[max(0, start - 32) : start],
                    suffix=revision.text[start + len(sentence) : start + len(sentence) + 32],
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
    documents.rebuild_all()

    from claims.models import ClaimDocument

    sizes = [len(b) for b in ClaimDocument.objects.values_list("public_body", flat=True)[:1000]]
    payload = max(1, sum(sizes) // len(sizes))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute("CREATE TABLE bench_floor (id bigint PRIMARY KEY, payload text NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_floor SELECT n, repeat('x', %s) FROM generate_series(1, %s) n",
            [payload, claims],
        )
        cursor.execute("ANALYZE")
    return payload


LUA = """
math.randomseed(%(seed)d)
request = function()
  local n = math.random(%(low)d, %(high)d) * %(step)d
  return wrk.format("GET", string.format("%(pattern)s", n))
end
"""


def run_wrk(url: str, script: str | None, duration: int, connections: int) -> tuple[float, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw error answers from {url}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rps, p99_ms


class Server(subprocess.Popen):
    base: str


def start_gunicorn(python: str, env: dict, settings: str, port: int) -> Server:
    """gunicorn as the app runs in production (2 workers x 4 threads, gthread), with these
    settings, answering on 127.0.0.1."""
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    server = Server(
        [
            python,
            "-m",
            "gunicorn",
            "factcheck.wsgi",
            "--workers=2",
            "--threads=4",
            "--worker-class=gthread",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        start_new_session=True,
    )
    server.base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn with {settings} did not start")
        try:
            urllib.request.urlopen(server.base + "/bench/floor/1/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn with {settings} did not answer")


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = environment(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    python = sys.executable
    started = time.monotonic()

    if not args.reuse:
        recreate_database(args.database_url)
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        print(f"seeding {args.claims} claims over {args.articles} articles …", flush=True)
        payload = seed(args.claims, args.articles)
        print(f"seeded in {time.monotonic() - started:.0f}s (floor payload {payload} bytes)")

    servers: list[Server] = []
    try:
        servers.append(start_gunicorn(python, env, "bench.settings", args.port))
        servers.append(start_gunicorn(python, env, "bench.bare_settings", 0))
        base, bare = servers[0].base, servers[1].base
        import django

        django.setup()
        from claims.models import Claim

        claim_ids = Claim.objects.order_by("pk").values_list("pk", flat=True)
        low, high = claim_ids.first(), claim_ids.last()
        scripts = Path(tempfile.mkdtemp())

        def script(name: str, pattern: str, low: int, high: int, step: int = 1) -> str:
            target = scripts / f"{name}.lua"
            target.write_text(
                LUA % {"seed": 7, "low": low, "high": high, "step": step, "pattern": pattern}
            )
            return str(target)

        # Seeded articles numbered n live on news{n % 50}.example.org: the lookup picks among
        # those of news0, and asks with a variant of the URL (host case, tracking parameters,
        # a fragment), so canonicalisation is part of what is measured.
        lookup = (
            "/api/v1/articles/lookup/?url=https%%3A%%2F%%2FNEWS0.example.org%%2F2026%%2F"
            "story-%d%%3Futm_source%%3Dx%%26fbclid%%3Dy%%23top"
        )
        floor_script = script("floor", "/bench/floor/%d/", 1, args.claims)
        cases = {
            BARE: floor_script,
            FLOOR: floor_script,
            "claim detail": script("claim", "/api/v1/claims/%d/", low, high),
            "lookup by URL": script("lookup", lookup, 0, args.articles // 50 - 1, 50),
            "claims list of 50": None,
        }
        urls = {
            name: (bare if name == BARE else base)
            + ("/api/v1/claims/?page_size=50" if lua is None else "/")
            for name, lua in cases.items()
        }
        for name, lua in cases.items():
            run_wrk(urls[name], lua, 3, args.connections)  # warm-up: connections, caches
        # The machine is shared: run the cases in turns, several rounds, so a burst of load
        # from elsewhere falls on all of them rather than on whichever ran at that moment.
        totals = {name: [0.0, []] for name in cases}
        slice_seconds = max(2, args.duration // ROUNDS)
        for _ in range(ROUNDS):
            for name, lua in cases.items():
                rps, p99 = run_wrk(urls[name], lua, slice_seconds, args.connections)
                totals[name][0] += rps / ROUNDS
                totals[name][1].append(p99)
        results = {
            name: (rps, sorted(p99s)[len(p99s) // 2]) for name, (rps, p99s) in totals.items()
        }
        for name, (rps, p99) in results.items():
            print(f"  {name:28} {rps:8.0f} req/s   p99 {p99:6.1f} ms")
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)

    bare_rps, floor_rps = results[BARE][0], results[FLOOR][0]
    print(
        f"\n{args.claims} claims over {args.articles} articles; gunicorn 2 workers x 4 threads "
        f"(gthread); wrk 2 threads, {args.connections} connections, {args.duration}s each "
        f"in {ROUNDS} rounds (req/s: mean, p99: median of rounds)\n"
    )
    print(f"{'endpoint':32} {'req/s':>8} {'p99 ms':>8} {'/bare':>6} {'goal':>6} {'/app floor':>10}")
    failed = False
    for name, (rps, p99) in results.items():
        ratio = rps / bare_rps
        goal = GOALS.get(name)
        mark = "" if goal is None else ("ok" if ratio >= goal else "BELOW")
        failed |= mark == "BELOW"
        goal_text = f"{goal:.2f}" if goal else "-"
        print(
            f"{name:32} {rps:8.0f} {p99:8.1f} {ratio:6.2f} {goal_text:>6} "
            f"{rps / floor_rps:10.2f} {mark}"
        )
    print(f"\ntotal {time.monotonic() - started:.0f}s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
