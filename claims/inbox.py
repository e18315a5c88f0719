"""The reads of the article inbox (``/articles/``, SPEC section 8): every article with the
counts of its claims by status, its open candidates and whether a claim of it is flagged, and
the inbox's filters. Each count is a correlated subquery in the one query that lists a page, so
a page costs the same number of queries whatever its size."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article
from claims.models import Appearance, Candidate, CandidateState, ClaimStatus

# The annotation holding the count of each status, in the order the inbox shows them.
STATUS_COUNTS = {status: f"claims_{status}" for status in ClaimStatus.values}


def _count(rows: QuerySet, group_by: str, counted: str) -> Coalesce:
    """COUNT(DISTINCT counted) of the rows that belong to the outer article; 0 when none."""
    subquery = (
        rows.order_by().values(group_by).annotate(n=Count(counted, distinct=True)).values("n")
    )
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def _claims_of_article():
    # A claim belongs to an article when it appears in any of its revisions: a claim whose
    # quote left the current text is still the article's (the review page shows it orphaned).
    return Appearance.objects.filter(revision__article_id=OuterRef("pk"))


def _open_candidates():
    return Candidate.objects.filter(article_id=OuterRef("pk"), state=CandidateState.NEW)


def _flagged_claims():
    return _claims_of_article().filter(claim__needs_review=True)


def with_inbox_counts(rows: QuerySet) -> QuerySet:
    """Articles with ``claims_<status>`` for each status, ``open_candidates`` and
    ``has_flagged_claims``, and their current revision's id only (never its text)."""
    counts = {
        name: _count(
            _claims_of_article().filter(claim__status=status), "revision__article_id", "claim_id"
        )
        for status, name in STATUS_COUNTS.items()
    }
    return rows.annotate(
        **counts,
        open_candidates=_count(_open_candidates(), "article_id", "id"),
        has_flagged_claims=Exists(_flagged_claims()),
    )


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox is narrowed to; None leaves a filter out."""

    words: tuple[str, ...] = ()
    state: str | None = None
    open_candidates: bool | None = None
    flagged: bool | None = None
    feed: int | None = None


def inbox_articles(filters: InboxFilters = InboxFilters()) -> QuerySet:
    """The inbox's articles, newest first, filtered and annotated."""
    rows = Article.objects.all()
    if filters.words:
        rows = rows.search(list(filters.words))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.feed is not None:
        rows = rows.in_feed(filters.feed)
    if filters.open_candidates is not None:
        has = Exists(_open_candidates())
        rows = rows.filter(has if filters.open_candidates else ~has)
    if filters.flagged is not None:
        flagged = Exists(_flagged_claims())
        rows = rows.filter(flagged if filters.flagged else ~flagged)
    return with_inbox_counts(rows).order_by("-created_at", "-id")
