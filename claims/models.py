from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from articles.models import Article, ArticleRevision
from core.text import shorten


class SourceKind(models.TextChoices):
    OUTLET = "outlet", "Outlet"
    ORGANIZATION = "organization", "Organization"
    GOVERNMENT = "government", "Government body"
    PERSON = "person", "Person"
    DOCUMENT = "document", "Document"
    SOCIAL_ACCOUNT = "social_account", "Social-media account"


class SourceQuerySet(models.QuerySet):
    def search(self, words: str):
        """Sources whose name or one of whose aliases contains the words (the admin's, the
        API's and the pages' source search)."""
        words = " ".join((words or "").split())
        if not words:
            return self
        matching = SourceAlias.objects.filter(alias__icontains=words).values("source_id")
        return self.filter(Q(name__icontains=words) | Q(pk__in=matching))


class Source(models.Model):
    """Who or what information comes from. May belong to a parent Source (SPEC section 2)."""

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The top of the parent chain (itself when it has no parent), kept by the source services.
    # The independence rule compares roots, so status computation needs no recursive query.
    # DO_NOTHING: the only rows whose root is a source that can be deleted are the source
    # itself (a top-level source is its own root) and its descendants, which ``parent``
    # protects; PROTECT here made every top-level source undeletable.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", editable=False
    )
    url = models.URLField("URL", max_length=2000, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="source_not_own_parent"
            ),
            # Two sources with one name are allowed only under different parents.
            models.UniqueConstraint(
                models.functions.Lower("name"),
                "parent",
                condition=Q(parent__isnull=False),
                name="source_name_unique_under_parent",
                violation_error_message="A source with this name already exists under this parent.",
            ),
            models.UniqueConstraint(
                models.functions.Lower("name"),
                condition=Q(parent__isnull=True),
                name="source_name_unique_top_level",
                violation_error_message="A top-level source with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Source"]:
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class SourceAlias(models.Model):
    """Another name a source goes by ("Kremlin" for the Government of Russia): a suggested
    claimant resolves to its source through names and aliases (SPEC section 6), so an agency
    named another way is not taken for a new, independent source. Written only by the source
    services."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["alias", "id"]
        verbose_name_plural = "source aliases"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("alias"),
                "source",
                name="source_alias_unique_per_source",
                violation_error_message="This source already has this alias.",
            ),
            models.CheckConstraint(condition=~Q(alias=""), name="source_alias_not_blank"),
        ]
        indexes = [
            # claims.claimants.source_match looks aliases up by their lower-cased text.
            models.Index(models.functions.Lower("alias"), name="source_alias_lower"),
        ]

    def __str__(self) -> str:
        return self.alias


class ClaimStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    CORROBORATED = "corroborated", "Corroborated"
    DISPUTED = "disputed", "Disputed"
    CONTESTED = "contested", "Contested"


def checked_condition(prefix: str = "") -> Q:
    """A claim checked before (ClaimQuerySet.checked), reached through ``prefix`` from
    another model ("matched_claim__")."""
    return Q(**{f"{prefix}verdict__published_at__isnull": False}) | Q(
        **{f"{prefix}external_review__isnull": False}
    )


class ClaimQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("claimant", "verdict", "verdict__rating", "external_review")

    def needing_review(self):
        return self.filter(needs_review=True)

    def imported(self):
        """Fact-checks imported from another organisation's archive (``claims.imports``)."""
        return self.filter(external_review__isnull=False)

    def checked(self):
        """Claims checked before: the newsroom's verdict is published, or the claim is a
        fact-check imported with another organisation's review (SPEC sections 6 and 10)."""
        return self.filter(checked_condition())


class Claim(models.Model):
    """One checkable statement, in an editor's words, with its claimant (SPEC section 2).

    ``status``, its explanation and the evidence counts are computed by
    ``claims.services.claim_recompute_status`` in the transaction that changes the evidence;
    nothing else writes them.
    """

    statement = models.TextField()
    # Required for the newsroom's own claims (the services, the API and the pages ask for it);
    # an imported fact-check whose claimant is no source on record has none, and keeps the
    # name its archive gives in ``claimant_name`` (SPEC section 6: no source is created).
    claimant = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    claimant_name = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="The claimant as an imported archive names it.",
    )
    # The parties the claim is about ("Russian forces killed wounded North Korean soldiers" is
    # about the Government of Russia): their evidence is interested, not independent (SPEC
    # section 3). Written only by the claim services, which recompute the status.
    about = models.ManyToManyField(
        Source,
        blank=True,
        related_name="claims_about",
        help_text="The parties the claim is about: evidence from them (or from the bodies "
        "they belong to) is not independent.",
    )
    status = models.CharField(
        max_length=16,
        choices=ClaimStatus.choices,
        default=ClaimStatus.UNVERIFIED,
        editable=False,
    )
    status_explanation = models.CharField(
        max_length=300, default="Unverified: no evidence yet.", editable=False
    )
    corroborates_count = models.PositiveIntegerField(default=0, editable=False)
    disputes_count = models.PositiveIntegerField(default=0, editable=False)
    context_count = models.PositiveIntegerField(default=0, editable=False)
    independent_corroborates_count = models.PositiveIntegerField(default=0, editable=False)
    independent_disputes_count = models.PositiveIntegerField(default=0, editable=False)
    needs_review = models.BooleanField(default=False)
    needs_review_reason = models.TextField(blank=True)
    # Who is responsible for checking the claim now; the review queue filters by it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        limit_choices_to={"is_staff": True},
        help_text="The fact-checker or editor responsible for this claim.",
    )
    # Optimistic concurrency: every write checks and bumps it, so a save based on a stale
    # copy is refused instead of silently overwriting another editor's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=["about"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(independent_corroborates_count__lte=models.F("corroborates_count")),
                name="claim_independent_within_corroborates",
            ),
            models.CheckConstraint(
                condition=Q(independent_disputes_count__lte=models.F("disputes_count")),
                name="claim_independent_within_disputes",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="claim_status_updated"),
            models.Index(fields=["updated_at"], name="claim_updated"),
            # The review queue lists flagged claims only; most claims are not flagged.
            models.Index(
                fields=["updated_at"], condition=Q(needs_review=True), name="claim_needs_review"
            ),
        ]

    def __str__(self) -> str:
        return shorten(self.statement)

    @property
    def claimant_label(self) -> str:
        """Who made the claim, for people: the source on record, else the archive's name."""
        return self.claimant.name if self.claimant is not None else self.claimant_name


class ExternalReview(models.Model):
    """The review of an imported fact-check by the organisation that checked it (SPEC section
    6): who reviewed it, their rating as they word it, and the link. Written only by
    ``claims.imports``. A fact-check is identified by its reviewer's id for it or by its URL,
    both unique, so importing an archive twice finds the same rows."""

    claim = models.OneToOneField(
        Claim, primary_key=True, on_delete=models.CASCADE, related_name="external_review"
    )
    reviewer = models.CharField(max_length=300, blank=True)
    rating = models.CharField(max_length=300, blank=True)
    url = models.URLField("URL", max_length=2000, blank=True)
    external_id = models.CharField("external id", max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The fact-check's headline, which often words the claim another way (matching may read it).
    title = models.CharField(max_length=1000, blank=True)
    # The statement as the archive words it. A later import changes the claim's statement only
    # while it is still this one: an editor's rewording is never overwritten.
    claim_reviewed = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "claim_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "external_id"],
                condition=~Q(external_id=""),
                name="external_review_id_once_per_reviewer",
            ),
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="external_review_url_once"
            ),
            models.CheckConstraint(
                condition=~Q(external_id="") | ~Q(url=""), name="external_review_identified"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer or 'Reviewer unknown'}: {self.rating or 'no rating'}"


class AnchorState(models.TextChoices):
    EXACT = "exact", "Exact"
    MOVED = "moved", "Moved"
    FUZZY = "fuzzy", "Fuzzy"
    CHANGED = "changed", "Changed"
    ORPHANED = "orphaned", "Orphaned"


# Characters kept on each side of an appearance's quote, to find it again in a new revision
# (SPEC section 5: quote + 32 characters of prefix and suffix + position).
QUOTE_CONTEXT = 32


class Appearance(models.Model):
    """Where a claim appears: an article revision, the exact quote and its position."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    revision = models.ForeignKey(
        ArticleRevision, on_delete=models.PROTECT, related_name="appearances"
    )
    quote = models.TextField()
    prefix = models.CharField(max_length=QUOTE_CONTEXT, blank=True)
    suffix = models.CharField(max_length=QUOTE_CONTEXT, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    anchor_state = models.CharField(
        max_length=16, choices=AnchorState.choices, default=AnchorState.EXACT
    )
    anchor_diff = models.TextField(
        blank=True,
        help_text="For a changed or orphaned passage: how it read before and how it reads now.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["revision", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "revision"], name="appearance_one_per_claim_revision"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="appearance_span"),
            models.CheckConstraint(
                condition=Q(anchor_state__in=AnchorState.values), name="appearance_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.quote[:60]}” in {self.revision}"


class Stance(models.TextChoices):
    CORROBORATES = "corroborates", "Corroborates"
    DISPUTES = "disputes", "Disputes"
    CONTEXT = "context", "Context"


class LinkState(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "OK"
    BROKEN = "broken", "Broken"
    CHANGED = "changed", "Changed since the snapshot"


class EvidenceQuerySet(models.QuerySet):
    def link_check_due(self, now):
        """Evidence whose link is due a check; never-checked links first (the partial index
        ``evidence_link_due`` serves it)."""
        return self.filter(link_next_check_at__lte=now).order_by("link_next_check_at")


class Evidence(models.Model):
    """A document or statement linked to a claim with a stance (SPEC section 2)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    stance = models.CharField(max_length=16, choices=Stance.choices)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    url = models.URLField("URL", max_length=2000)
    title = models.CharField(max_length=500)
    quote = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The link check (claims.evidence_links): the first good fetch is kept as a snapshot, so
    # the evidence survives link rot and a later change of the document can be noticed.
    link_state = models.CharField(
        max_length=16, choices=LinkState.choices, default=LinkState.UNCHECKED, editable=False
    )
    link_error = models.TextField(blank=True, editable=False)
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_next_check_at = models.DateTimeField(
        null=True, blank=True, editable=False, default=timezone.now
    )
    link_failure_count = models.PositiveIntegerField(default=0, editable=False)
    snapshot_text = models.TextField(blank=True, editable=False)
    snapshot_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    snapshot_at = models.DateTimeField(null=True, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The snapshot text is large and the check times change daily: neither belongs in history;
    # the link state does, so a link that broke shows up there.
    history = HistoricalRecords(
        excluded_fields=[
            "snapshot_text",
            "link_checked_at",
            "link_next_check_at",
            "link_failure_count",
        ]
    )
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["claim", "created_at", "id"]
        indexes = [
            # EvidenceQuerySet.link_check_due, claimed by articles.schedule.claim_due.
            models.Index(
                fields=["link_next_check_at"],
                condition=Q(link_next_check_at__isnull=False),
                name="evidence_link_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="evidence_stance_valid"
            ),
            models.CheckConstraint(
                condition=Q(link_state__in=LinkState.values), name="evidence_link_state_valid"
            ),
            models.UniqueConstraint(
                fields=["claim", "url"],
                name="evidence_url_once_per_claim",
                violation_error_message="This document is already linked to this claim.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.title}"


class Rating(models.Model):
    """One step of the newsroom's rating scale; the scale is data (SPEC section 4)."""

    label = models.CharField(max_length=100, unique=True)
    # Higher is better; null for ratings outside the scale (Unproven).
    ordinal = models.PositiveSmallIntegerField(null=True, blank=True, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("ordinal").desc(nulls_last=True), "label"]

    def __str__(self) -> str:
        return self.label


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Verdict(models.Model):
    """An editor's rating of a claim with a written explanation, reviewed before publishing.

    ``rating`` and ``explanation`` are the working copy; ``published_rating`` and
    ``published_explanation`` are what the public sees, so revising a published verdict never
    shows a draft to anyone without access.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT, editable=False
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The last person who wrote the rating or explanation.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    published_explanation = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_verdict", "Can publish verdicts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ReviewState.values), name="verdict_state_valid"
            ),
            # A published verdict always has what the public is shown.
            models.CheckConstraint(
                condition=~Q(state=ReviewState.PUBLISHED)
                | Q(published_at__isnull=False, published_rating__isnull=False),
                name="verdict_published_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="verdict_state_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.rating} ({self.get_state_display()}) — {self.claim}"

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class ClaimChange(models.Model):
    """Every change of a claim's status or verdict, and the end of a claim (deleted, or merged
    into another): who, when, from, to, why (SPEC sections 3 and 7).

    The id orders the feed that newsroom tools poll (``/api/v1/changes/``). Events outlive
    their claim (SPEC section 7: a deleted claim's history and feed events stay, a ``deleted``
    event last), so the reference is not a database constraint and a claim's deletion leaves
    them: ``claim_id`` keeps the id of a claim that may be gone.
    """

    class Field(models.TextChoices):
        STATUS = "status", "Status"
        VERDICT = "verdict", "Verdict"
        CLAIM = "claim", "Claim"

    # The ``to_value`` of a ``claim`` event: the claim's end.
    DELETED = "deleted"
    MERGED = "merged"

    claim = models.ForeignKey(
        Claim,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="changes",
    )
    merged_into = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For a claim merged into another: the id of the claim it was merged into.",
    )
    field = models.CharField(max_length=16, choices=Field.choices)
    from_value = models.CharField(max_length=100, blank=True)
    to_value = models.CharField(max_length=100)
    rating_label = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # Status changes and publications are public; draft and review steps are not.
    is_public = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=["status", "verdict", "claim"]),
                name="claimchange_field_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["claim", "id"], name="claimchange_claim"),
            # The anonymous changes feed reads public events only, in id order.
            models.Index(fields=["id"], condition=Q(is_public=True), name="claimchange_public"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.field} {self.from_value or '—'} → {self.to_value}"


# Claims from text (SPEC section 6) -------------------------------------------------------


class CandidateState(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class CandidateQuerySet(models.QuerySet):
    def best_first(self):
        return self.order_by("-score", "start", "id")

    def open(self):
        return self.filter(state=CandidateState.NEW)

    def checked_before(self):
        """Open candidates likely the same as a claim checked before (ClaimQuerySet.checked):
        an article repeats what was checked (SPEC section 10)."""
        return (
            self.open().filter(match_likely_same=True).filter(checked_condition("matched_claim__"))
        )


class Candidate(models.Model):
    """A sentence the system thinks is check-worthy, awaiting an editor's accept or reject.

    One row per article and sentence text: a sentence that survives into a new revision keeps
    its row (and its decision), and ``revision``, ``start`` and ``end`` follow it to the newest
    revision it appears in. Written only by ``claims.candidates``.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="candidates"
    )
    first_revision = models.ForeignKey(
        ArticleRevision, on_delete=models.PROTECT, related_name="+", editable=False
    )
    revision = models.ForeignKey(
        ArticleRevision,
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text="The newest revision the sentence appears in; start and end index its text.",
    )
    text = models.TextField()
    fingerprint = models.CharField(max_length=64, editable=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    score = models.FloatField()
    features = models.JSONField(default=dict, blank=True)
    suggested_claimant = models.CharField(max_length=300, blank=True)
    # Parsed figures as [{"value", "low", "high", "qualifier", "unit", "text"}], numbers as
    # strings so no precision is lost. They become ClaimFigure rows when accepted.
    figures = models.JSONField(default=list, blank=True)
    matched_claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_candidates",
        help_text="An existing claim that possibly states the same thing.",
    )
    match_score = models.FloatField(null=True, blank=True)
    match_likely_same = models.BooleanField(
        default=False,
        help_text="The matched claim is likely the same claim: the learned matching's "
        "calibrated flag, right at least 9 times in 10 on public benchmarks.",
    )
    state = models.CharField(
        max_length=16, choices=CandidateState.choices, default=CandidateState.NEW
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        help_text="The claim created from it, or the claim it was attached to.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-score", "start"]
        constraints = [
            # Deduplication across revisions: generating twice, or for a revision that repeats
            # a sentence, finds the same row.
            models.UniqueConstraint(
                fields=["article", "fingerprint"], name="candidate_sentence_once_per_article"
            ),
            models.CheckConstraint(
                condition=Q(state__in=CandidateState.values), name="candidate_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="candidate_score_0_1"
            ),
            models.CheckConstraint(
                condition=Q(match_score__isnull=True) | Q(match_score__gte=0, match_score__lte=1),
                name="candidate_match_score_0_1",
            ),
            # "Likely the same" is said of a match: never without the matched claim.
            models.CheckConstraint(
                condition=Q(match_likely_same=False) | Q(matched_claim__isnull=False),
                name="candidate_likely_same_has_match",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="candidate_span"),
            # A decision always says when it was taken; an open candidate has none.
            models.CheckConstraint(
                condition=Q(state=CandidateState.NEW, decided_at__isnull=True)
                | (~Q(state=CandidateState.NEW) & Q(decided_at__isnull=False)),
                name="candidate_decision_dated",
            ),
        ]
        indexes = [
            # The article's candidates, best first (review page and the candidates endpoint).
            models.Index(fields=["article", "-score"], name="candidate_article_score"),
            # The review queue lists open candidates only.
            models.Index(fields=["-score"], condition=Q(state="new"), name="candidate_open_score"),
            # The review queue's "Checked before" tab: open candidates likely the same as a
            # claim on record, newest first.
            models.Index(
                fields=["-created_at"],
                condition=Q(state="new", match_likely_same=True),
                name="candidate_open_likely_same",
            ),
        ]

    def __str__(self) -> str:
        return shorten(self.text)


class Qualifier(models.TextChoices):
    NONE = "", "exact"
    ABOUT = "about", "about"
    OVER = "over", "over"
    UNDER = "under", "under"
    AT_LEAST = "at least", "at least"
    UP_TO = "up to", "up to"


class ClaimFigure(models.Model):
    """A figure a claim states, as stated on a date: a newer figure for the same thing
    (11,000 troops, later 12,000) is another row, so both are seen side by side."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="figures")
    value = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    low = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    qualifier = models.CharField(max_length=16, choices=Qualifier.choices, blank=True)
    unit = models.CharField(max_length=100, blank=True, help_text="The counted thing: troops …")
    text = models.CharField(max_length=300, blank=True, help_text="The figure as written.")
    stated_at = models.DateTimeField(help_text="When the figure was stated: its revision's date.")
    revision = models.ForeignKey(
        ArticleRevision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "unit", "stated_at", "id"]
        verbose_name_plural = "claim figures"
        constraints = [
            models.CheckConstraint(
                condition=Q(qualifier__in=Qualifier.values), name="figure_qualifier_valid"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(low__isnull=False) | Q(high__isnull=False),
                name="figure_has_a_number",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=models.F("high")),
                name="figure_low_within_high",
            ),
        ]

    def __str__(self) -> str:
        return self.text or f"{self.value} {self.unit}"


class ClaimDocument(models.Model):
    """The claim object exactly as the API returns it, one rendering per audience.

    Rewritten by ``claims.documents`` in the transaction of every change that affects it, so a
    claim detail is one primary-key read and its ETag is ``version``.
    """

    claim = models.OneToOneField(
        Claim, primary_key=True, on_delete=models.CASCADE, related_name="document"
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

    class Meta:
        # Created by the api app before the documents moved here; the table kept its name.
        db_table = "api_claimdocument"

    def __str__(self) -> str:
        return f"Document of claim {self.claim_id} (v{self.version})"


class SentenceVector(models.Model):
    """A text's vector from the sentence encoder of claim matching
    (claims.text.sentence_encoder), found by a hash of the encoder's version and the text:
    a claim's statement is encoded once (when imported, or at the first match that reads it),
    never again while its words stay the same, and a changed statement simply has another key.
    Written only by ``claims.sentence_vectors``."""

    key = models.CharField(max_length=64, primary_key=True)
    vector = models.BinaryField()  # float16, little-endian
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Sentence vector {self.key[:12]}"


class ArticleDocument(models.Model):
    """The claims of an article, with their statuses, as the article objects embed them.

    The article's own columns are read from its row in the same query (a join on the primary
    key), so ingestion writing ``last_checked_at`` never leaves this stale.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="document"
    )
    version = models.PositiveIntegerField(default=1)
    public_claims = models.TextField(default="[]")
    # Empty when the same as public_claims (see ClaimDocument.private_body).
    private_claims = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "api_articledocument"

    def __str__(self) -> str:
        return f"Document of article {self.article_id} (v{self.version})"


class ClaimNote(models.Model):
    """An internal comment on a claim (SPEC section 8): who wrote it, when, and whether it was
    edited. Written only by ``claims.notes``: its author may correct it for a few minutes
    (``NOTE_EDIT_WINDOW``), and it is never deleted while its claim exists (its claim's
    deletion takes it along; the history keeps every version). Never in the API."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    # SET_NULL: a note outlives its author's account, shown as "a former user".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="claimnote_text_not_blank"),
        ]
        indexes = [
            # The notes of one claim, oldest first (the review page and the claim edit page).
            models.Index(fields=["claim", "created_at"], name="claimnote_claim_created"),
        ]

    def __str__(self) -> str:
        return shorten(self.text)
