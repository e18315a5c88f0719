import hashlib
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords


class ArticleState(models.TextChoices):
    PENDING = "pending", "Pending"
    OK = "ok", "OK"
    ERROR = "error", "Error"


class ArticleQuerySet(models.QuerySet):
    def with_current_revision(self):
        return self.select_related("current_revision")

    def due(self, now):
        """Articles whose next check time has come, the most overdue first (uses the partial
        index ``article_due``)."""
        return self.filter(next_check_at__lte=now).order_by("next_check_at")

    def search(self, words: list[str]):
        """Articles in which every word occurs, in any order, in the title or the current
        text. On PostgreSQL, full text (stems, and a word's beginning is enough) through the
        GIN index ``articlerevision_search`` on the revisions' title and text, or the article's
        own title (which an editor may have changed); elsewhere each word as a substring."""
        if not words:
            return self
        if connection.vendor == "postgresql":
            query = SearchQuery(
                " & ".join(f"{word}:*" for word in words), search_type="raw", config="english"
            )
            # The same expression as the index (migration 0007), or PostgreSQL will not use it.
            revisions = (
                ArticleRevision.objects.annotate(
                    search=SearchVector("title", "text", config="english")
                )
                .filter(search=query)
                .order_by()
                .values("pk")
            )
            return self.annotate(title_search=SearchVector("title", config="english")).filter(
                Q(current_revision__in=revisions) | Q(title_search=query)
            )
        rows = self
        for word in words:
            rows = rows.filter(
                Q(title__icontains=word)
                | Q(current_revision__title__icontains=word)
                | Q(current_revision__text__icontains=word)
            )
        return rows

    def in_feed(self, feed_id: int):
        """Articles that came from this feed (an entry of it links them)."""
        return self.filter(
            Exists(FeedEntry.objects.filter(article_id=OuterRef("pk"), feed_id=feed_id))
        )


class Article(models.Model):
    """A news article, identified by its canonical URL (SPEC section 2)."""

    url = models.URLField("URL", max_length=2000, help_text="The URL as it was submitted.")
    canonical_url = models.URLField(
        "canonical URL",
        max_length=2000,
        unique=True,
        help_text="Computed from the URL: tracking parameters, fragment and host case removed.",
    )
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    authors = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(
        max_length=16, choices=ArticleState.choices, default=ArticleState.PENDING
    )
    last_error = models.TextField(
        blank=True, help_text="The full detail, for signed-in staff (it may name addresses)."
    )
    last_error_public = models.CharField(
        "last error (public)",
        max_length=300,
        blank=True,
        # As revision_count: code that predates the column can still insert.
        db_default="",
        help_text="The reason anonymous readers and API keys see, without hosts or addresses.",
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: not checked again (SPEC section 5 schedule)."
    )
    last_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the text last changed; drives the schedule."
    )
    modified_at = models.DateTimeField(
        null=True, blank=True, help_text="The modification date the page itself states."
    )
    failure_count = models.PositiveIntegerField(
        default=0, help_text="Failed checks in a row; the retry backoff grows with it."
    )
    # Validators for conditional GET, sent back exactly as the server gave them.
    etag = models.CharField("ETag", max_length=500, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=100, blank=True)
    local_path = models.CharField(
        max_length=1000,
        blank=True,
        help_text="For demo articles read from a local file: re-checks read the file again.",
    )
    current_revision = models.ForeignKey(
        "articles.ArticleRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept with the row by revision_record, so the API's article reads need no count. The
    # database default lets code that predates the column (a rolling deploy) still insert.
    revision_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history shows what editors care about; the bookkeeping of every check does not
    # belong in it (checks are listed as ArticleCheck rows).
    history = HistoricalRecords(
        excluded_fields=[
            "last_checked_at",
            "next_check_at",
            "failure_count",
            "revision_count",
            "etag",
            "last_modified",
            # Derived from last_error, which the history keeps.
            "last_error_public",
        ]
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ArticleState.values), name="article_state_valid"
            ),
        ]
        indexes = [
            # The dispatcher's query: WHERE next_check_at <= now ORDER BY next_check_at LIMIT n
            # FOR UPDATE SKIP LOCKED (core.leases.lease_due_rows). Articles never checked
            # again (next_check_at empty) stay out of the index, which keeps it small.
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="article_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.canonical_url


_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    """The text as compared between revisions: whitespace, punctuation, quote style and case
    do not count (SPEC section 5)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


class ArticleRevision(models.Model):
    """One fetched and extracted version of an article's text. Never deleted."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1 for the first revision, then 2, 3 …")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the normalized text.", editable=False
    )
    fetched_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
            # A task that runs twice stores one revision for one text.
            models.UniqueConstraint(
                fields=["article", "fingerprint"], name="revision_fingerprint_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} — revision {self.number}"


class CheckOutcome(models.TextChoices):
    NEW_REVISION = "new_revision", "New revision"
    RETURNED = "returned", "Returned to an earlier revision"
    UNCHANGED = "unchanged", "Unchanged"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    ERROR = "error", "Error"


class ArticleCheck(models.Model):
    """One check of an article: what came of it. Editors read these to see when a text changed,
    when it went back to an earlier version, and when fetching failed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=CheckOutcome.choices)
    revision = models.ForeignKey(
        ArticleRevision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CheckOutcome.values), name="articlecheck_outcome_valid"
            ),
        ]
        indexes = [models.Index(fields=["article", "-checked_at"], name="articlecheck_article")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.get_outcome_display()} at {self.checked_at:%Y-%m-%d %H:%M}"


class FetchDomain(models.Model):
    """The next moment a request to this host may be sent (FACTCHECK_FETCH_DOMAIN_DELAY). A row
    rather than a Redis key so the spacing holds across processes with SQLite too."""

    host = models.CharField(max_length=255, primary_key=True)
    next_request_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.host


# A feed is fetched like an article and is in the same states.
FeedState = ArticleState


class FeedQuerySet(models.QuerySet):
    def due(self, now):
        """Active feeds whose next check has come (uses the partial index ``feed_due``)."""
        return self.filter(paused=False, next_check_at__lte=now).order_by("next_check_at")


class Feed(models.Model):
    """An RSS or Atom feed whose new entries are ingested as articles."""

    url = models.URLField("URL", max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=FeedState.choices, default=FeedState.PENDING)
    last_error = models.TextField(blank=True)
    paused = models.BooleanField(default=False, help_text="A paused feed is not checked.")
    check_interval = models.PositiveIntegerField(
        "check every (minutes)", default=30, help_text="Minutes between two checks of the feed."
    )
    etag = models.CharField("ETag", max_length=500, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=100, blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["title", "url"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=FeedState.values), name="feed_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(check_interval__gte=5), name="feed_interval_at_least_5_minutes"
            ),
        ]
        indexes = [
            # FeedQuerySet.due, claimed by articles.schedule.claim_due.
            models.Index(
                fields=["next_check_at"],
                condition=Q(paused=False, next_check_at__isnull=False),
                name="feed_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class FeedEntry(models.Model):
    """An entry seen in a feed, so each entry is ingested once however often the feed lists it."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=1000, help_text="The entry's id, else its link.")
    link = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_entries"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "feed entries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="feedentry_once_per_feed"),
        ]

    def __str__(self) -> str:
        return self.title or self.link
