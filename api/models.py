"""API keys, and the status documents that serve the reads newsroom tools make at volume."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class KeyScope(models.TextChoices):
    READ = "read", "Read (GET only)"
    WRITE = "write", "Write (GET, POST and PATCH)"


class APIKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # The owner is the request's user: fetch it with the key, in one query.
        return super().get_usable_keys().select_related("owner")


class APIKey(AbstractAPIKey):
    """A newsroom tool's key, stored hashed (only its prefix is readable), revocable in the
    admin. Writes made with it are recorded as its owner's."""

    scope = models.CharField(max_length=8, choices=KeyScope.choices, default=KeyScope.READ)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="Writes made with this key are recorded in the history as this user's.",
    )

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        abstract = False
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=KeyScope.values), name="apikey_scope_valid"
            ),
        ]

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.WRITE


class ClaimDocument(models.Model):
    """The claim object exactly as the API returns it, one rendering per audience.

    Rewritten by ``api.documents`` in the transaction of every change that affects it, so a
    claim detail is one primary-key read and its ETag is ``version``.
    """

    claim = models.OneToOneField(
        "claims.Claim", primary_key=True, on_delete=models.CASCADE, related_name="document"
    )
    version = models.PositiveIntegerField(default=1)
    # The claim's own version, which If-Match compares; kept here so the ETag needs no parse.
    claim_version = models.PositiveIntegerField()
    # Anonymous users and API keys: statuses and the published verdict only.
    public_body = models.TextField()
    # Session users allowed to view verdicts: the working (possibly draft) verdict. Empty when
    # it is the same as the public one (most claims), which halves the table the hot reads
    # scan and keeps more of it in PostgreSQL's buffer cache.
    private_body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Document of claim {self.claim_id} (v{self.version})"


class ArticleDocument(models.Model):
    """The claims of an article, with their statuses, as the article objects embed them.

    The article's own columns are read from its row in the same query (a join on the primary
    key), so ingestion writing ``last_checked_at`` never leaves this stale.
    """

    article = models.OneToOneField(
        "articles.Article", primary_key=True, on_delete=models.CASCADE, related_name="document"
    )
    version = models.PositiveIntegerField(default=1)
    revision_count = models.PositiveIntegerField(default=0)
    public_claims = models.TextField(default="[]")
    # Empty when the same as public_claims (see ClaimDocument.private_body).
    private_claims = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Document of article {self.article_id} (v{self.version})"
