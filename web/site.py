import logging

from celery import current_app
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article
from claims.models import Claim, ClaimStatus, Source

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest):
    counts = dict.fromkeys(ClaimStatus.values, 0)
    for row in Claim.objects.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "home.html",
        {
            "status_counts": [(ClaimStatus(s).label, s, n) for s, n in counts.items()],
            "article_count": Article.objects.count(),
            "source_count": Source.objects.count(),
        },
    )


HEALTH_CHECK_TIMEOUT = 2  # seconds for each of the cache and the broker


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        return "down"
    return "ok"


def _cache_state() -> str:
    try:
        cache.set("factcheck:healthz", "ok", HEALTH_CHECK_TIMEOUT)
        if cache.get("factcheck:healthz") != "ok":
            return "down"
    except Exception as exc:  # Each backend raises its own errors (redis, memcached, files).
        logger.warning("Health check: the cache does not answer: %s", exc)
        return "down"
    return "ok"


def _broker_state() -> str:
    try:
        # The project's app (factcheck/__init__.py makes it current), named without an import
        # of the project package, which sits above the pages in the layout.
        with current_app.connection_for_write(connect_timeout=HEALTH_CHECK_TIMEOUT) as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0.1, timeout=HEALTH_CHECK_TIMEOUT
            )
    except Exception as exc:  # kombu re-raises each transport's own connection errors.
        logger.warning("Health check: the broker does not answer: %s", exc)
        return "down"
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency's state for docker-compose, load balancers and people (SPEC section 7).
    Only the database makes the app unusable: pages and API reads go on without the cache
    (the throttle fails open) and without the broker (tasks wait), so they answer 200."""
    states = {"database": _database_state(), "cache": _cache_state(), "broker": _broker_state()}
    return JsonResponse(states, status=200 if states["database"] == "ok" else 503)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return HttpResponsePermanentRedirect(staticfiles_storage.url("favicon.svg"))
