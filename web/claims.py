"""The review queue and the public claim pages (SPEC section 8)."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from articles.models import Article, ArticleState
from claims import services
from claims.claimreview import NotPublished, claimreview_document
from claims.models import (
    Appearance,
    Candidate,
    Claim,
    ClaimChange,
    ClaimFigure,
    Evidence,
    LinkState,
    ReviewState,
    Source,
    Verdict,
)
from web.templatetags.factcheck_tags import articles_of
from webhooks.models import Subscription

# Review queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    article: int | None = None
    source: int | None = None
    assignee: int | None = None

    @classmethod
    def from_query(cls, params) -> "QueueFilters":
        def number(name: str) -> int | None:
            value = params.get(name, "")
            return int(value) if value.isdigit() else None

        return cls(number("article"), number("source"), number("assignee"))

    def as_query(self) -> str:
        pairs = [(k, v) for k, v in vars(self).items() if v is not None]
        return "&".join(f"{k}={v}" for k, v in pairs)


def _appearances_with_articles() -> Prefetch:
    return Prefetch(
        "appearances",
        queryset=Appearance.objects.select_related("revision__article").only(
            "id",
            "claim_id",
            "quote",
            "anchor_state",
            "anchor_diff",
            "revision__id",
            "revision__fetched_at",
            "revision__article__id",
            "revision__article__title",
            "revision__article__canonical_url",
            "revision__article__publisher",
            "revision__article__published_at",
        ),
    )


def _claims_needing_review(f: QueueFilters) -> QuerySet:
    rows = Claim.objects.needing_review().select_related("claimant", "assignee")
    if f.article:
        rows = rows.filter(appearances__revision__article_id=f.article).distinct()
    if f.source:
        rows = rows.filter(claimant_id=f.source)
    if f.assignee:
        rows = rows.filter(assignee_id=f.assignee)
    # Oldest first: what has waited longest comes first.
    return rows.prefetch_related(_appearances_with_articles()).order_by("updated_at", "id")


def _verdicts_in_review(f: QueueFilters) -> QuerySet:
    rows = Verdict.objects.filter(state=ReviewState.IN_REVIEW).select_related(
        "claim", "claim__claimant", "claim__assignee", "rating", "written_by"
    )
    if f.article:
        rows = rows.filter(claim__appearances__revision__article_id=f.article).distinct()
    if f.source:
        rows = rows.filter(claim__claimant_id=f.source)
    if f.assignee:
        # The claim's assignee, not the verdict's author: the assignee follows the claim
        # through review, and the author may not publish it anyway.
        rows = rows.filter(claim__assignee_id=f.assignee)
    return rows.order_by("submitted_at", "id")


def _returned_to_me(f: QueueFilters, user) -> QuerySet:
    """Verdicts returned to their writer: drafts this user wrote whose last review step was
    someone else taking them out of review (or back from publication), as the return events
    that say so (the reason, the returner, when). A writer who revises or withdraws their
    own verdict is the actor of that step, so it is not listed as returned to them."""
    last_step = (
        ClaimChange.objects.filter(claim_id=OuterRef("claim_id"), field=ClaimChange.Field.VERDICT)
        .order_by("-id")
        .values("id")[:1]
    )
    drafts = Verdict.objects.filter(state=ReviewState.DRAFT, written_by=user).annotate(
        last_step=Subquery(last_step)
    )
    rows = ClaimChange.objects.filter(
        pk__in=drafts.values("last_step"),
        to_value=ReviewState.DRAFT,
        from_value__in=[ReviewState.IN_REVIEW, ReviewState.PUBLISHED],
    ).exclude(actor=user)
    if f.article:
        rows = rows.filter(claim__appearances__revision__article_id=f.article).distinct()
    if f.source:
        rows = rows.filter(claim__claimant_id=f.source)
    if f.assignee:
        rows = rows.filter(claim__assignee_id=f.assignee)
    rows = rows.select_related(
        "actor", "claim", "claim__claimant", "claim__assignee", "claim__verdict__rating"
    )
    return rows.prefetch_related(
        Prefetch("claim__appearances", queryset=_appearances_with_articles().queryset)
    ).order_by("created_at", "id")


def _broken_links(f: QueueFilters) -> QuerySet:
    rows = Evidence.objects.filter(link_state__in=[LinkState.BROKEN, LinkState.CHANGED])
    if f.article:
        rows = rows.filter(claim__appearances__revision__article_id=f.article).distinct()
    if f.source:
        rows = rows.filter(claim__claimant_id=f.source)
    if f.assignee:
        rows = rows.filter(claim__assignee_id=f.assignee)
    rows = rows.select_related("claim", "claim__claimant", "claim__assignee", "source")
    return rows.prefetch_related(
        Prefetch("claim__appearances", queryset=_appearances_with_articles().queryset)
    ).order_by("link_checked_at", "id")


def _new_candidates(f: QueueFilters) -> QuerySet:
    rows = Candidate.objects.open().select_related("article", "revision", "matched_claim")
    if f.article:
        rows = rows.filter(article_id=f.article)
    # A candidate has no claimant or assignee until it is accepted: those filters leave this
    # tab alone. Oldest first, and within one article in reading order.
    return rows.order_by("created_at", "article_id", "start", "id")


def _checked_before(f: QueueFilters) -> QuerySet:
    """Open candidates likely the same as a claim checked before (its verdict published, or an
    imported fact-check): an article repeats it (SPEC section 10). The assignee and source
    filters are the matched claim's."""
    rows = Candidate.objects.checked_before()
    if f.article:
        rows = rows.filter(article_id=f.article)
    if f.source:
        rows = rows.filter(matched_claim__claimant_id=f.source)
    if f.assignee:
        rows = rows.filter(matched_claim__assignee_id=f.assignee)
    rows = rows.select_related(
        "article",
        "matched_claim",
        "matched_claim__claimant",
        "matched_claim__assignee",
        "matched_claim__verdict__published_rating",
        "matched_claim__external_review",
    )
    # Newest first (the partial index candidate_open_likely_same): a claim coming back now.
    return rows.order_by("-created_at", "-id")


def _failed_fetches(f: QueueFilters) -> QuerySet:
    rows = Article.objects.filter(state=ArticleState.ERROR)
    if f.article:
        rows = rows.filter(pk=f.article)
    # An article has neither a claimant nor an assignee: those filters leave this tab alone.
    return rows.order_by("last_checked_at", "id")


@dataclass(frozen=True)
class QueueTab:
    """One tab of the queue: a key, a label, a queryset of rows for the filters and a row
    template. The first tab is the one shown when none is asked for."""

    key: str
    label: str
    rows: Callable[..., QuerySet]
    template: str
    empty: str
    filters: tuple[str, ...] = ("article", "source", "assignee")
    # A tab of one's own work: its rows depend on who asks (``rows(filters, user)``), and it
    # is shown only to a role with this permission.
    mine: bool = False
    permission: str | None = None

    def queryset(self, filters: QueueFilters, user) -> QuerySet:
        return self.rows(filters, user) if self.mine else self.rows(filters)

    def shown_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


QUEUE_TABS = [
    QueueTab(
        "candidates",
        "New candidates",
        _new_candidates,
        "claims/queue/candidates.html",
        "No candidate is waiting for a decision.",
        filters=("article",),
    ),
    QueueTab(
        "checked",
        "Checked before",
        _checked_before,
        "claims/queue/checked_before.html",
        "No new candidate repeats a claim checked before.",
    ),
    QueueTab(
        "claims",
        "Claims needing review",
        _claims_needing_review,
        "claims/queue/claims.html",
        "No claim is flagged for review.",
    ),
    QueueTab(
        "verdicts",
        "Verdicts awaiting a second editor",
        _verdicts_in_review,
        "claims/queue/verdicts.html",
        "No verdict is waiting for review.",
    ),
    QueueTab(
        "returned",
        "Returned to me",
        _returned_to_me,
        "claims/queue/returned.html",
        "No verdict of yours has been returned.",
        mine=True,
        permission="claims.change_verdict",
    ),
    QueueTab(
        "links",
        "Broken evidence links",
        _broken_links,
        "claims/queue/links.html",
        "Every checked evidence link still works.",
    ),
    QueueTab(
        "fetches",
        "Failed fetches",
        _failed_fetches,
        "claims/queue/fetches.html",
        "Every article's last fetch succeeded.",
        filters=("article",),
    ),
]
QUEUE_PAGE_SIZE = 50


@require_safe
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilters.from_query(request.GET)
    shown = [tab for tab in QUEUE_TABS if tab.shown_to(request.user)]
    tabs = {tab.key: tab for tab in shown}
    current = tabs.get(request.GET.get("tab", ""), shown[0])
    counts = [(tab, tab.queryset(filters, request.user).count()) for tab in shown]
    page = Paginator(current.queryset(filters, request.user), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if current.key == "verdicts":
        # Each verdict offers only the steps this user may take (SPEC section 8).
        page.object_list = list(page.object_list)
        for verdict in page.object_list:
            verdict.steps = services.verdict_steps_allowed(verdict=verdict, user=request.user)
    user_model = get_user_model()
    return render(
        request,
        "claims/queue.html",
        {
            "tabs": counts,
            "current": current,
            "page": page,
            "filters": filters,
            "filter_query": filters.as_query(),
            "articles": Article.objects.only("id", "title", "canonical_url").order_by("title"),
            "sources": Source.objects.filter(claims__isnull=False)
            .distinct()
            .only("id", "name")
            .order_by("name"),
            "assignees": user_model.objects.filter(is_staff=True).order_by("username"),
            "second_review": settings.FACTCHECK_SECOND_REVIEW,
            "can_publish": request.user.has_perm("claims.publish_verdict"),
            # The user's own paused webhook subscriptions, to be resumed (SPEC section 10).
            "paused_subscriptions": Subscription.objects.filter(
                owner=request.user, paused_at__isnull=False
            ).only("id", "url", "description", "paused_at"),
        },
    )


# Public claim pages -----------------------------------------------------------------------

# Escapes that keep a JSON document from closing its <script> element or opening a comment.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _published() -> QuerySet:
    return Claim.objects.filter(
        verdict__published_at__isnull=False, verdict__published_rating__isnull=False
    )


# What the public search looks in.
_SEARCHED = ("statement", "claimant__name", "verdict__published_explanation")
# Words are runs of letters and digits: anything else in the box (NUL, quotes, the tsquery
# operators & | ! : *) separates words and never reaches the database, so the PostgreSQL
# query needs no escaping and odd input cannot make it fail.
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SEARCH_MAX_WORDS = 10


def search_words(query: str) -> list[str]:
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:SEARCH_MAX_WORDS]


def _search(rows: QuerySet, words: list[str]) -> QuerySet:
    """Claims in which every word occurs, in any order, in any of the searched fields."""
    if not words:
        return rows.none()
    if connection.vendor == "postgresql":
        # Full text: stems ("captured" finds "capture") and prefixes ("auth" finds
        # "Authority"), over the published claims only.
        vector = SearchVector(*_SEARCHED, config="english")
        prefixes = " & ".join(f"{word}:*" for word in words)
        return rows.annotate(search=vector).filter(
            search=SearchQuery(prefixes, search_type="raw", config="english")
        )
    for word in words:
        rows = rows.filter(
            Q(statement__icontains=word)
            | Q(claimant__name__icontains=word)
            | Q(verdict__published_explanation__icontains=word)
        )
    return rows


@require_safe
def claim_list(request: HttpRequest) -> HttpResponse:
    query = _CONTROL.sub(" ", request.GET.get("q", "")).strip()[:200]
    rows = _published().select_related("claimant", "verdict__published_rating")
    if query:
        rows = _search(rows, search_words(query))
    page = Paginator(rows.order_by("-verdict__published_at", "-id"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "claims/public_list.html", {"page": page, "query": query})


@require_safe
def claim_public(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(
        Claim.objects.select_related(
            "claimant__parent", "verdict__published_rating", "external_review"
        ).prefetch_related(_appearances_with_articles()),
        pk=pk,
    )
    verdict = getattr(claim, "verdict", None)
    published = verdict is not None and verdict.published_at is not None
    jsonld = evidence = None
    if published:
        try:
            document = claimreview_document(claim, request=request)
        except NotPublished:
            published = False
        else:
            text = json.dumps(document, ensure_ascii=False, indent=2).translate(_SCRIPT_SAFE)
            jsonld = mark_safe(text)  # escaped above: no "<", ">" or "&" remains
            evidence = Evidence.objects.filter(claim=claim).select_related("source")
    history = ClaimChange.objects.filter(claim=claim, is_public=True).order_by("id")
    return render(
        request,
        "claims/public_detail.html",
        {
            "claim": claim,
            "published": published,
            "verdict": verdict if published else None,
            "evidence": evidence,
            "history": history,
            # The figures come from the article text the claim quotes, which is public; a
            # newer figure for the same thing is listed beside the older one.
            "figures": ClaimFigure.objects.filter(claim=claim).order_by("stated_at", "id"),
            "articles": articles_of(claim),
            "jsonld": jsonld,
            "external_review": getattr(claim, "external_review", None),
        },
    )
