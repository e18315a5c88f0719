from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article
from claims.models import Claim, ClaimStatus, Source


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


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for docker-compose and load balancers: the app answers and reaches its DB."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return HttpResponsePermanentRedirect(staticfiles_storage.url("favicon.svg"))
