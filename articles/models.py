import hashlib
import re
import unicodedata

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class ArticleState(models.TextChoices):
    PENDING = "pending", "Pending"
    OK = "ok", "OK"
    ERROR = "error", "Error"


class ArticleQuerySet(models.QuerySet):
    def with_current_revision(self):
        return self.select_related("current_revision")


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
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    current_revision = models.ForeignKey(
        "articles.ArticleRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["last_checked_at", "next_check_at"])
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ArticleState.values), name="article_state_valid"
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
