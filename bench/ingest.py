"""Benchmark: the full ingestion pipeline against plain trafilatura extraction, same pages,
same run (STYLE.md: a ratio against a floor, never a timed unit test).

    .venv/bin/python bench/ingest.py ../shared/pages [--limit N] [--rounds R]

The folder holds gzipped HTML pages (*.html.gz). They are served gzip-encoded by a local HTTP
server on 127.0.0.1; the pipeline fetches each one through the safe fetcher, extracts it,
stores the revision, schedules the next check and queues the task that finds the revision's
candidates, as a worker's ``ingest_article`` does (SQLite in a temporary folder unless
DATABASE_URL is set; the embedded broker's queue in that folder). The floor is trafilatura's
own extraction of the same bytes with the same options. Goals: the pipeline at least
half as fast (time ratio <= 2.0) and its text no worse (identical to trafilatura's on every
page).

The queued candidate task (claims from text, SPEC section 6) is then run for every new
revision, as a worker would, and timed on its own; the ratio of both together is printed too,
for the whole cost of a new article. It has no goal here: its speed is measured against the
text's length by bench/claims.py.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.split("?", 1)[0].lstrip("/")
            path = folder / name
            if name == "robots.txt" or not name.endswith(".html.gz") or not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of *.html.gz pages")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each side")
    args = parser.parse_args()
    pages = sorted(args.folder.glob("*.html.gz"))
    if args.limit:
        pages = pages[: args.limit]
    if not pages:
        print(f"No *.html.gz pages in {args.folder}", file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="factcheck-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("FACTCHECK_VAR_DIR", workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ["FACTCHECK_FETCH_ALLOW_PRIVATE"] = "1"
    os.environ["FACTCHECK_FETCH_DOMAIN_DELAY"] = "0"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    import trafilatura
    from django.core.management import call_command

    from articles.extract import extract_html
    from articles.models import Article, ArticleRevision, CheckOutcome
    from articles.services import article_get_or_create
    from claims.models import Candidate
    from pipeline.ingest import article_check
    from pipeline.tasks import generate_candidates, queue_candidates

    call_command("migrate", verbosity=0)
    server, port = _serve(args.folder)
    htmls = {p.name: gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in pages}

    def bare_round() -> tuple[float, dict[str, str]]:
        texts = {}
        begin = time.perf_counter()
        for name, html in htmls.items():
            document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
            texts[name] = ((document.text if document else "") or "").strip()
        return time.perf_counter() - begin, texts

    def pipeline_round(round_no: int) -> tuple[float, dict[str, str], int, list[int]]:
        # Fresh URLs each round, so every page makes a first revision (the costly case).
        articles = {
            name: article_get_or_create(url=f"http://127.0.0.1:{port}/{name}?round={round_no}")[0]
            for name in htmls
        }
        begin = time.perf_counter()
        errors = 0
        for article in articles.values():
            # The body of the worker's ingest_article task, whose report we need here.
            report = article_check(article=article)
            if report.outcome == CheckOutcome.NEW_REVISION:
                queue_candidates(report.revision.pk)
            errors += report.error is not None and not report.message.startswith("No article")
        elapsed = time.perf_counter() - begin
        texts, revision_ids = {}, []
        for name, article in articles.items():
            revision = ArticleRevision.objects.filter(article=article).first()
            texts[name] = revision.text if revision else ""
            if revision:
                revision_ids.append(revision.pk)
        return elapsed, texts, errors, revision_ids

    def candidates_round(revision_ids: list[int]) -> float:
        # What the worker does with each queued message, in this process.
        begin = time.perf_counter()
        for revision_id in revision_ids:
            generate_candidates(revision_id)
        return time.perf_counter() - begin

    bare_times, pipe_times, candidate_times = [], [], []
    bare_texts: dict[str, str] = {}
    pipe_texts: dict[str, str] = {}
    errors = 0
    extract_html("<html><body><p>warm up the extractor</p></body></html>" * 3)
    for round_no in range(args.rounds):
        elapsed, bare_texts = bare_round()
        bare_times.append(elapsed)
        elapsed, pipe_texts, errors, revision_ids = pipeline_round(round_no)
        pipe_times.append(elapsed)
        candidate_times.append(candidates_round(revision_ids))
    server.shutdown()

    bare, pipe = statistics.median(bare_times), statistics.median(pipe_times)
    candidates = statistics.median(candidate_times)
    identical = sum(bare_texts[n] == pipe_texts[n] for n in htmls)
    with_text = sum(bool(bare_texts[n]) for n in htmls)
    ratio = pipe / bare
    print(f"pages: {len(htmls)} ({with_text} with text), rounds: {args.rounds}")
    print(f"plain trafilatura extraction: {bare:.2f} s ({len(htmls) / bare:.1f} pages/s)")
    print(
        f"full pipeline (fetch, extract, revision, schedule, candidate task queued): {pipe:.2f} s "
        f"({len(htmls) / pipe:.1f} pages/s)"
    )
    print(f"time ratio pipeline/plain: {ratio:.2f} (goal <= 2.00)")
    print(
        f"candidate task after each new revision: {candidates:.2f} s "
        f"({candidates / len(htmls) * 1000:.1f} ms a page, "
        f"{Candidate.objects.count() / max(1, len(candidate_times)):.0f} candidates a round)"
    )
    print(f"time ratio pipeline and candidate task/plain: {(pipe + candidates) / bare:.2f}")
    print(f"text identical to trafilatura's: {identical}/{len(htmls)} (goal: all)")
    print(f"fetch errors: {errors}; articles stored: {Article.objects.count()}")
    ok = ratio <= 2.0 and identical == len(htmls) and errors == 0
    print("GOAL MET" if ok else "GOAL NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
