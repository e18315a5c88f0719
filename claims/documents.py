"""Status documents (SPEC section 7, "How reads stay fast").

The claim object, rendered once per audience when something that affects it changes, and
stored beside the claim; each article keeps the list of its claims' objects. The services call
``claims_changed`` / ``articles_changed`` inside their own transaction, so a reader never sees
a document older than the rows it was built from.

Locking order, to avoid deadlocks between writers: sources and ratings, then claim rows (both
taken by the services: see ``claims.services``), then claim documents, then article documents
in ascending id.
"""

import json
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article
from claims.models import (
    AnchorState,
    Appearance,
    ArticleDocument,
    Claim,
    ClaimDocument,
    ClaimStatus,
    Source,
)

BATCH = 500


# The claim object of SPEC section 7, as every audience gets it ---------------------------
# A DRF serializer, so the API's schema describes exactly what the documents hold.


def claim_public_url(claim_id: int) -> str:
    """The public claim page (SPEC section 8), on the newsroom's own address."""
    return urljoin(settings.FACTCHECK_NEWSROOM_URL, f"claims/{claim_id}/")


# Output -----------------------------------------------------------------------------------


class SourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClaimantSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True,
        help_text="The source on record; null for an imported fact-check's claimant that is "
        "no source on record (by name or alias), of which only the name is kept.",
    )
    name = serializers.CharField()


class ExternalReviewSerializer(serializers.Serializer):
    reviewer = serializers.CharField(help_text="Who checked it, such as “Harbour Checks”.")
    rating = serializers.CharField(help_text="Their rating, in their words.")
    url = serializers.CharField(help_text="Their fact-check.")
    external_id = serializers.CharField(help_text="Their id for it (may be empty).")
    published_at = serializers.DateTimeField(allow_null=True)


class EvidenceCountsSerializer(serializers.Serializer):
    corroborates = serializers.IntegerField()
    disputes = serializers.IntegerField()
    context = serializers.IntegerField()
    independent_corroborates = serializers.IntegerField(
        help_text="Corroborating evidence from sources neither on the claimant's side nor a "
        "party the claim is about."
    )
    independent_disputes = serializers.IntegerField(
        help_text="Disputing evidence from independent sources (a retraction by the "
        "claimant's own side is not independent, though it makes the claim disputed)."
    )


class VerdictOutputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(
        allow_null=True,
        help_text="The rating's place on the scale, higher is better; null for Unproven.",
    )
    label = serializers.CharField(help_text="The rating's name, such as “Mostly accurate”.")
    explanation = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(
        choices=["draft", "in_review", "published"],
        help_text="Always `published` for anonymous users and API keys.",
    )


class AppearanceOutputSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="revision.article_id")
    revision = serializers.IntegerField(source="revision.number")
    quote = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    anchor_state = serializers.ChoiceField(choices=AnchorState.choices)


class ClaimOutputSerializer(serializers.Serializer):
    """The claim object of SPEC section 7. ``context["working_verdicts"]`` chooses whether the
    verdict shown is the working copy (editors) or the published one (everyone else)."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The public claim page.")
    statement = serializers.CharField()
    claimant = serializers.SerializerMethodField()
    about = serializers.SerializerMethodField(
        help_text="The ids of the sources (parties) the claim is about; their evidence is not "
        "independent."
    )
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_explanation = serializers.CharField()
    evidence_counts = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    needs_review = serializers.BooleanField()
    appearances = AppearanceOutputSerializer(many=True)
    external_review = serializers.SerializerMethodField(
        help_text="For a fact-check imported from another organisation's archive: their "
        "review. Null for the newsroom's own claims."
    )
    version = serializers.IntegerField(
        help_text="Bumped by every edit; send it (or this claim's ETag) as If-Match."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, claim: Claim) -> str:
        return claim_public_url(claim.pk)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_about(self, claim: Claim) -> list[int]:
        return sorted(party.pk for party in claim.about.all())

    @extend_schema_field(ClaimantSerializer(allow_null=True))
    def get_claimant(self, claim: Claim) -> dict | None:
        if claim.claimant is not None:
            return {"id": claim.claimant.pk, "name": claim.claimant.name}
        if claim.claimant_name:
            return {"id": None, "name": claim.claimant_name}
        return None

    @extend_schema_field(ExternalReviewSerializer(allow_null=True))
    def get_external_review(self, claim: Claim) -> dict | None:
        review = getattr(claim, "external_review", None)
        if review is None:
            return None
        return {
            "reviewer": review.reviewer,
            "rating": review.rating,
            "url": review.url,
            "external_id": review.external_id,
            "published_at": _iso(review.published_at),
        }

    @extend_schema_field(EvidenceCountsSerializer)
    def get_evidence_counts(self, claim: Claim) -> dict:
        return {
            "corroborates": claim.corroborates_count,
            "disputes": claim.disputes_count,
            "context": claim.context_count,
            "independent_corroborates": claim.independent_corroborates_count,
            "independent_disputes": claim.independent_disputes_count,
        }

    @extend_schema_field(VerdictOutputSerializer(allow_null=True))
    def get_verdict(self, claim: Claim) -> dict | None:
        verdict = getattr(claim, "verdict", None)
        if verdict is None:
            return None
        if self.context.get("working_verdicts"):
            return {
                "rating": verdict.rating.ordinal,
                "label": verdict.rating.label,
                "explanation": verdict.explanation,
                "published_at": _iso(verdict.published_at),
                "state": verdict.state,
            }
        # The public sees only what was published, never the working copy being revised.
        if verdict.published_at is None or verdict.published_rating is None:
            return None
        return {
            "rating": verdict.published_rating.ordinal,
            "label": verdict.published_rating.label,
            "explanation": verdict.published_explanation,
            "published_at": _iso(verdict.published_at),
            "state": "published",
        }


def _iso(value) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


# Writing the documents ---------------------------------------------------------------------


def _dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _claims_for_rendering(ids: Iterable[int]):
    # Three queries whatever the number of claims: claims with claimant and verdict ratings,
    # then the parties they are about, then their appearances with the revision's article
    # and number.
    return (
        Claim.objects.filter(pk__in=list(ids))
        .select_related(
            "claimant", "verdict__rating", "verdict__published_rating", "external_review"
        )
        .prefetch_related(
            Prefetch("about", queryset=Source.objects.only("id")),
            Prefetch(
                "appearances",
                queryset=Appearance.objects.select_related("revision").only(
                    "id",
                    "claim_id",
                    "quote",
                    "start",
                    "end",
                    "anchor_state",
                    "revision__id",
                    "revision__number",
                    "revision__article_id",
                ),
            ),
        )
        .order_by("pk")
    )


def render_claim(claim: Claim, *, working_verdicts: bool) -> str:
    return _dumps(ClaimOutputSerializer(claim, context={"working_verdicts": working_verdicts}).data)


def _render_many(claims: list[Claim], *, working_verdicts: bool) -> list[str]:
    """``render_claim`` of each claim, through one list serializer: its fields are built once
    rather than once per claim, which was most of the time of rendering many (an import)."""
    data = ClaimOutputSerializer(
        claims, many=True, context={"working_verdicts": working_verdicts}
    ).data
    return [_dumps(item) for item in data]


def _write_claim_documents(claims: list[Claim]) -> None:
    existing = dict(
        ClaimDocument.objects.filter(claim_id__in=[c.pk for c in claims]).values_list(
            "claim_id", "version"
        )
    )
    to_create, to_update = [], []
    now = timezone.now()  # bulk_update does not apply auto_now.
    for claim, public, working in zip(
        claims,
        _render_many(claims, working_verdicts=False),
        _render_many(claims, working_verdicts=True),
        strict=True,
    ):
        document = ClaimDocument(
            claim_id=claim.pk,
            updated_at=now,
            claim_version=claim.version,
            public_body=public,
            private_body="" if working == public else working,
        )
        if claim.pk in existing:
            document.version = existing[claim.pk] + 1
            to_update.append(document)
        else:
            to_create.append(document)
    if to_create:
        ClaimDocument.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        ClaimDocument.objects.bulk_update(
            to_update,
            ["version", "claim_version", "public_body", "private_body", "updated_at"],
            batch_size=BATCH,
        )


def documents_of_new_claims(claims: list[Claim]) -> list[ClaimDocument]:
    """The documents of claims just created in bulk with nothing attached to them yet (no
    appearance, no verdict: an import), rendered from the objects in hand rather than read
    back, for the caller to insert in the same transaction. Each claim's ``claimant`` (when it
    has one) and ``external_review`` must be set on it. With no verdict, what editors see is
    what everyone sees, so one rendering serves both (``rebuild_documents --check`` compares
    them with a fresh render after an import in the tests)."""
    # Nothing can refer to a claim created a moment ago in this transaction: telling the ORM
    # so, as prefetch_related would (an evaluated empty queryset, no verdict), saves two
    # queries per claim. The empty queryset is only read, so one serves them all.
    appearances = Appearance.objects.none()
    appearances._result_cache = []
    appearances._prefetch_done = True
    for claim in claims:
        claim._prefetched_objects_cache = {"appearances": appearances}
        Claim.verdict.related.set_cached_value(claim, None)
    now = timezone.now()
    return [
        ClaimDocument(
            claim_id=claim.pk,
            version=1,
            claim_version=claim.version,
            public_body=body,
            private_body="",
            updated_at=now,
        )
        for claim, body in zip(claims, _render_many(claims, working_verdicts=False), strict=True)
    ]


def claims_changed(
    claim_ids: Iterable[int], *, cascade: bool = True, articles: Iterable[int] = ()
) -> None:
    """Rewrite the documents of these claims and, with ``cascade``, of the articles they
    appear in, plus ``articles`` (those a claim no longer appears in). Call it inside the
    transaction that made the change."""
    ids = sorted(set(claim_ids))
    for start in range(0, len(ids), BATCH):
        _write_claim_documents(list(_claims_for_rendering(ids[start : start + BATCH])))
    article_ids = set(articles)
    if cascade and ids:
        article_ids.update(
            Appearance.objects.filter(claim_id__in=ids)
            .values_list("revision__article_id", flat=True)
            .distinct()
        )
    # One call, so every article document is locked in ascending id.
    articles_changed(article_ids)


def _claim_lists(rows: list[tuple[str, str]]) -> tuple[str, str]:
    """The public and private claim lists from (public, private-or-empty) bodies; the private
    list is empty when it would be the same as the public one."""
    public = "[" + ",".join(row[0] for row in rows) + "]"
    if not any(row[1] for row in rows):
        return public, ""
    return public, "[" + ",".join(row[1] or row[0] for row in rows) + "]"


def articles_changed(article_ids: Iterable[int]) -> None:
    """Rewrite the claim lists of these articles' documents."""
    ids = sorted(set(article_ids))
    for article_id in ids:
        # Locking the document first makes a concurrent writer wait, then read the claim
        # documents as they are after our commit (READ COMMITTED takes a new snapshot per
        # statement), so two claims changing at once in one article never lose an update.
        document, created = ArticleDocument.objects.select_for_update().get_or_create(
            article_id=article_id
        )
        claim_ids = (
            Appearance.objects.filter(revision__article_id=article_id)
            .values_list("claim_id", flat=True)
            .distinct()
        )
        rows = list(
            ClaimDocument.objects.filter(claim_id__in=claim_ids)
            .order_by("claim_id")
            .values_list("public_body", "private_body")
        )
        document.public_claims, document.private_claims = _claim_lists(rows)
        if not created:
            document.version += 1
        document.save()


def _rebuild_article_documents(article_ids: list[int]) -> None:
    """``articles_changed`` for many articles at once, in a constant number of queries per
    batch; for rebuilds, where no other writer runs."""
    claims_of: dict[int, set[int]] = {article_id: set() for article_id in article_ids}
    for article_id, claim_id in Appearance.objects.filter(
        revision__article_id__in=article_ids
    ).values_list("revision__article_id", "claim_id"):
        claims_of[article_id].add(claim_id)
    bodies = {
        claim_id: (public, private)
        for claim_id, public, private in ClaimDocument.objects.filter(
            claim_id__in=set().union(*claims_of.values())
        ).values_list("claim_id", "public_body", "private_body")
    }
    versions = dict(
        ArticleDocument.objects.filter(article_id__in=article_ids).values_list(
            "article_id", "version"
        )
    )
    now = timezone.now()
    documents = []
    for article_id in article_ids:
        rows = [bodies[c] for c in sorted(claims_of[article_id]) if c in bodies]
        documents.append(
            ArticleDocument(
                article_id=article_id,
                version=versions.get(article_id, 0) + 1,
                **dict(zip(("public_claims", "private_claims"), _claim_lists(rows), strict=True)),
                updated_at=now,
            )
        )
    ArticleDocument.objects.filter(article_id__in=article_ids).delete()
    ArticleDocument.objects.bulk_create(documents, batch_size=BATCH)


# ``ClaimDocument.claim_version`` of a document a migration marked outdated: no claim has
# version 0, so ``stale_documents`` reports it too until it is rendered again.
OUTDATED = 0


@transaction.atomic
def rebuild_outdated() -> int:
    """Render the documents that are missing or that a migration marked outdated, and the
    documents of the articles those claims appear in; return how many claims. One query when
    there are none."""
    ids = list(
        Claim.objects.filter(Q(document__isnull=True) | Q(document__claim_version=OUTDATED))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        claims_changed(batch, cascade=False)
        article_ids = sorted(
            set(
                Appearance.objects.filter(claim_id__in=batch).values_list(
                    "revision__article_id", flat=True
                )
            )
        )
        for first in range(0, len(article_ids), BATCH):
            _rebuild_article_documents(article_ids[first : first + BATCH])
    return len(ids)


def after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """``post_migrate`` of the claims app: once ``migrate`` has applied migrations forward and
    the database is fully migrated (so these models match its tables), render the documents
    a migration marked outdated. A flush (no plan), a backwards or a partial migrate does
    nothing."""
    if not plan or any(backwards for _migration, backwards in plan):
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    rebuild_outdated()


@transaction.atomic
def rebuild_all() -> tuple[int, int]:
    """Rebuild every document (after a bulk import, or to repair). Returns the counts."""
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    claims_changed(claim_ids, cascade=False)
    article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(article_ids), BATCH):
        _rebuild_article_documents(article_ids[start : start + BATCH])
    return len(claim_ids), len(article_ids)


def stale_documents() -> Iterator[str]:
    """What a rebuild would change, one line per stored document that differs from a fresh
    render of the rows (or a claim with no document). Changes nothing: for operators
    (``rebuild_documents --check``) and for tests that every write path keeps documents true.
    An article with no document is served by a fresh render, so only a stored one is checked."""
    fresh: dict[int, tuple[str, str]] = {}  # the stale claims' bodies as they should be
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(claim_ids), BATCH):
        claims = list(_claims_for_rendering(claim_ids[start : start + BATCH]))
        stored = {
            claim_id: (public, private, claim_version)
            for claim_id, public, private, claim_version in ClaimDocument.objects.filter(
                claim_id__in=[claim.pk for claim in claims]
            ).values_list("claim_id", "public_body", "private_body", "claim_version")
        }
        for claim in claims:
            public = render_claim(claim, working_verdicts=False)
            working = render_claim(claim, working_verdicts=True)
            private = "" if working == public else working
            have = stored.get(claim.pk)
            if have is None:
                differs = ["no document"]
            else:
                differs = [
                    name
                    for name, stored_value, value in (
                        ("public body", have[0], public),
                        ("private body", have[1], private),
                        ("claim version", have[2], claim.version),
                    )
                    if stored_value != value
                ]
            if differs:
                fresh[claim.pk] = (public, private)
                yield f"claim {claim.pk}: {', '.join(differs)}"

    article_ids = list(ArticleDocument.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(article_ids), BATCH):
        batch = article_ids[start : start + BATCH]
        claims_of: dict[int, set[int]] = {article_id: set() for article_id in batch}
        for article_id, claim_id in Appearance.objects.filter(
            revision__article_id__in=batch
        ).values_list("revision__article_id", "claim_id"):
            claims_of[article_id].add(claim_id)
        bodies = {
            claim_id: (public, private)
            for claim_id, public, private in ClaimDocument.objects.filter(
                claim_id__in=set().union(*claims_of.values())
            ).values_list("claim_id", "public_body", "private_body")
        }
        bodies.update((claim_id, body) for claim_id, body in fresh.items())
        for article_id, public_claims, private_claims in ArticleDocument.objects.filter(
            pk__in=batch
        ).values_list("article_id", "public_claims", "private_claims"):
            rows = [bodies[c] for c in sorted(claims_of[article_id]) if c in bodies]
            expected = _claim_lists(rows)
            differs = [
                name
                for name, stored_value, value in (
                    ("public claims", public_claims, expected[0]),
                    ("private claims", private_claims, expected[1]),
                )
                if stored_value != value
            ]
            if differs:
                yield f"article {article_id}: {', '.join(differs)}"
