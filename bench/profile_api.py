"""Where the time of one API read goes: a claim detail, a lookup by URL and a list of 50
claims, end to end through Django's WSGI handler (middleware, authentication, throttling,
content negotiation, URL canonicalisation, the view, the queries), profiled with cProfile.

Needs the database bench/api.py seeds (run it once; ``--reuse`` keeps it), then:

    .venv/bin/python bench/profile_api.py            # --requests N, --top N, --only NAME

Prints, per request, the CPU time of this process without the profiler (the database's time
is not in it, so a machine shared with other work changes it little), the time in each stage
under the profiler (cumulative, in microseconds; stages nest, so they do not add up) and the
functions that spend most time themselves. The same CPU figure for the benchmark's floor view,
bare (bench.bare_settings, in a child process) and inside our settings, comes first: the
ratios bench/api.py holds the reads to are ratios to the bare floor's throughput.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, file name part, function name): cumulative time of these, per request.
STAGES = [
    ("whole request (WSGIHandler)", "django/core/handlers/wsgi.py", "__call__"),
    ("  middleware: sessions (request)", "sessions/middleware.py", "process_request"),
    ("  middleware: sessions (response)", "sessions/middleware.py", "process_response"),
    ("  middleware: CSRF (view)", "middleware/csrf.py", "process_view"),
    ("  middleware: CSRF (response)", "middleware/csrf.py", "process_response"),
    ("  middleware: authentication", "auth/middleware.py", "process_request"),
    ("  middleware: messages (response)", "messages/middleware.py", "process_response"),
    ("  middleware: CSP (response)", "csp/middleware.py", "process_response"),
    ("  middleware: history", "simple_history/middleware.py", "__call__"),
    ("  middleware: axes", "axes/middleware.py", "__call__"),
    ("  middleware: common (request)", "middleware/common.py", "process_request"),
    ("  middleware: security (response)", "middleware/security.py", "process_response"),
    ("  middleware: whitenoise", "whitenoise/middleware.py", "__call__"),
    ("  URL resolving", "django/urls/resolvers.py", "resolve"),
    ("  DRF dispatch", "rest_framework/views.py", "dispatch"),
    ("    DRF request wrapping", "rest_framework/views.py", "initialize_request"),
    ("    authentication", "rest_framework/views.py", "perform_authentication"),
    ("    permissions", "rest_framework/views.py", "check_permissions"),
    ("    throttling", "rest_framework/views.py", "check_throttles"),
    ("    content negotiation", "rest_framework/views.py", "perform_content_negotiation"),
    ("    finalize response", "rest_framework/views.py", "finalize_response"),
    ("    URL canonicalisation", "articles/canonical.py", "canonicalize_url"),
    ("    queries (cursor.execute)", "django/db/backends/utils.py", "execute"),
    ("  response headers/ETag", "django/utils/cache.py", "get_conditional_response"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fc_api_bench")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument(
        "--only", default="", help="only the cases whose name contains this (e.g. list)"
    )
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # the child
    return parser.parse_args()


def environ(path: str, query: str = "") -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def profile(application, requests: list[dict], top: int) -> None:
    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    for env in requests[:50]:  # warm-up: connection, caches, imports
        b"".join(application(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response))
    statuses.clear()
    # Python's own time per request, without the profiler: the CPU time of this process
    # (the database's time is not in it), so a loaded machine changes it little.
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for env in requests:
        b"".join(application(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response))
    cpu = (time.process_time() - cpu_started) / len(requests) * 1e6
    wall_plain = (time.perf_counter() - wall_started) / len(requests) * 1e6
    print(f"  without the profiler: {cpu:.0f} µs of CPU, {wall_plain:.0f} µs of wall per request")
    statuses.clear()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for env in requests:
        b"".join(application(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response))
    profiler.disable()
    wall = (time.perf_counter() - started) / len(requests) * 1e6
    print(f"  answers: {statuses}; {wall:.0f} µs per request under the profiler")
    stats = pstats.Stats(profiler)
    n = len(requests)
    for label, file_part, function in STAGES:
        total = sum(
            cumulative
            for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items()
            if name == function and file_part in filename
        )
        if total:
            print(f"  {label:38} {total / n * 1e6:8.0f} µs")
    if top <= 0:
        return
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("  functions by own time (all requests):")
    for line in lines[start : start + top + 1]:
        print("   ", line.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>")[:150])


def bare_floor(args: argparse.Namespace) -> None:
    """The floor view bare, in a child process: its settings cannot share this one's."""
    command = [sys.executable, __file__, "--bare", "--top", "0"]
    command += ["--requests", str(args.requests), "--database-url", args.database_url]
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def main() -> None:
    args = parse_args()
    settings = "bench.bare_settings" if args.bare else "bench.settings"
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE=settings,
        DJANGO_SECRET_KEY="benchmark-only-secret-key",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        FACTCHECK_ANON_RATE=os.environ.get("FACTCHECK_ANON_RATE", "none"),
        CELERY_BROKER_URL="memory://",
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.handlers.wsgi import WSGIHandler

    django.setup()
    application = WSGIHandler()
    floor = [
        environ(f"/bench/floor/{n}/")
        for n in random.Random(7).choices(range(1, 100_001), k=args.requests)
    ]
    if args.bare:
        print(f"\nbare floor (no apps, no middleware): {len(floor)} requests")
        profile(application, floor, args.top)
        return
    if not args.only or args.only in "floor":
        bare_floor(args)

    from articles.models import Article
    from claims.models import Claim

    claim_ids = list(Claim.objects.order_by("?").values_list("pk", flat=True)[: args.requests])
    urls = list(
        Article.objects.filter(canonical_url__startswith="https://news0.")
        .order_by("?")
        .values_list("canonical_url", flat=True)[: args.requests]
    )
    if not claim_ids or not urls:
        raise SystemExit("No seeded data: run bench/api.py first (it seeds the database).")
    cases = {
        "app floor (our settings and middleware)": floor,
        "claim detail": [environ(f"/api/v1/claims/{pk}/") for pk in claim_ids],
        "lookup by URL (a variant of the URL)": [
            environ(
                "/api/v1/articles/lookup/",
                "url="
                + url.replace("https://news0.", "https%3A%2F%2FNEWS0.").replace("/", "%2F")
                + "%3Futm_source%3Dx%23top",
            )
            for url in urls
        ],
        "lookup by URL (already canonical)": [
            environ(
                "/api/v1/articles/lookup/", "url=" + url.replace("/", "%2F").replace(":", "%3A")
            )
            for url in urls
        ],
        "claims list of 50": [environ("/api/v1/claims/", "page_size=50")],
    }
    for name, requests in cases.items():
        if args.only and args.only not in name:
            continue
        requests = (requests * (args.requests // len(requests) + 1))[: args.requests]
        print(f"\n{name}: {len(requests)} requests")
        profile(application, requests, args.top)


if __name__ == "__main__":
    main()
