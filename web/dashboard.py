"""The dashboard (SPEC section 8): counts and activity as charts, in a fixed number of
queries whatever the size of the database."""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article
from claims.models import Claim, ClaimChange, ClaimStatus, Evidence, ReviewState, Stance, Verdict
from web.charts import Bar, BarChart, ColumnChart

WEEKS = 12
TOP = 8


def _status_chart() -> tuple[BarChart, int]:
    counts = dict.fromkeys(ClaimStatus.values, 0)
    for row in Claim.objects.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    bars = [Bar(ClaimStatus(code).label, n, css=f"status-{code}") for code, n in counts.items()]
    return BarChart("Claims by status", bars, unit="claims"), sum(counts.values())


def _verdict_chart(total_claims: int) -> BarChart:
    rows = list(
        Verdict.objects.filter(state=ReviewState.PUBLISHED)
        .order_by()
        .values("published_rating__label", "published_rating__ordinal")
        .annotate(n=Count("id"))
    )
    rows.sort(
        key=lambda r: (
            r["published_rating__ordinal"] is None,
            -(r["published_rating__ordinal"] or 0),
        )
    )
    bars = [
        Bar(
            r["published_rating__label"],
            r["n"],
            css=f"rating-{r['published_rating__ordinal'] or 'none'}",
        )
        for r in rows
    ]
    unrated = total_claims - sum(r["n"] for r in rows)
    bars.append(Bar("No published verdict", unrated, css="rating-unpublished"))
    return BarChart("Claims by published verdict", bars, unit="claims")


def _weekly_chart(now) -> ColumnChart:
    this_week = (now - timedelta(days=now.weekday())).date()
    weeks = [this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(weeks[0], time.min))
    rows = (
        ClaimChange.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week")
        .annotate(
            checked=Count("claim", distinct=True, filter=Q(field=ClaimChange.Field.STATUS)),
            published=Count(
                "id",
                filter=Q(field=ClaimChange.Field.VERDICT, to_value=ReviewState.PUBLISHED),
            ),
        )
    )
    by_week = {}
    for row in rows:
        week = row["week"]
        by_week[week.date() if hasattr(week, "date") else week] = row
    checked = [by_week.get(w, {}).get("checked", 0) for w in weeks]
    published = [by_week.get(w, {}).get("published", 0) for w in weeks]
    return ColumnChart(
        "Claims checked and verdicts published per week",
        [f"{w.day} {w:%b}" for w in weeks],
        [
            ("Claims whose status changed", "series-checked", checked),
            ("Verdicts published", "series-published", published),
        ],
    )


def _sources_chart() -> BarChart:
    rows = (
        Evidence.objects.order_by()
        .values("source_id", "source__name")
        .annotate(
            total=Count("id"),
            corroborates=Count("id", filter=Q(stance=Stance.CORROBORATES)),
            disputes=Count("id", filter=Q(stance=Stance.DISPUTES)),
        )
        .order_by("-total", "source__name")[:TOP]
    )
    bars = [
        Bar(
            r["source__name"],
            r["total"],
            part=r["disputes"],
            css="cited",
        )
        for r in rows
    ]
    chart = BarChart(
        "Most cited evidence sources",
        bars,
        unit="citations",
        part_label="disputes",
        rest_label="corroborates or context",
    )
    chart.details = [
        {
            "name": r["source__name"],
            "total": r["total"],
            "corroborates": r["corroborates"],
            "disputes": r["disputes"],
            "context": r["total"] - r["corroborates"] - r["disputes"],
        }
        for r in rows
    ]
    return chart


def _open_claims_chart() -> BarChart:
    # Open: no published verdict yet. Counted in the current revision, the text people read.
    unpublished = Q(current_revision__appearances__claim__verdict__published_at__isnull=True)
    rows = (
        Article.objects.annotate(
            open_claims=Count(
                "current_revision__appearances__claim", filter=unpublished, distinct=True
            )
        )
        .filter(open_claims__gt=0)
        .only("id", "title", "canonical_url")
        .order_by("-open_claims", "id")[:TOP]
    )
    bars = [
        Bar(
            a.title or a.canonical_url,
            a.open_claims,
            css="open",
            href=reverse("article_review", args=[a.pk]),
        )
        for a in rows
    ]
    return BarChart("Articles with the most open claims", bars, unit="open claims")


def _headline_counts() -> dict:
    claims = Claim.objects.aggregate(needs_review=Count("id", filter=Q(needs_review=True)))
    verdicts = Verdict.objects.aggregate(
        in_review=Count("id", filter=Q(state=ReviewState.IN_REVIEW)),
        published=Count("id", filter=Q(published_at__isnull=False)),
    )
    return {**claims, **verdicts}


@require_safe
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    status_chart, total = _status_chart()
    return render(
        request,
        "dashboard.html",
        {
            "total_claims": total,
            "headline": _headline_counts(),
            "status_chart": status_chart,
            "verdict_chart": _verdict_chart(total),
            "weekly_chart": _weekly_chart(timezone.now()),
            "sources_chart": _sources_chart(),
            "open_chart": _open_claims_chart(),
        },
    )
