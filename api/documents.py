"""Status documents (SPEC section 7, "How reads stay fast").

The claim object, rendered once per audience when something that affects it changes, and
stored beside the claim; each article keeps the list of its claims' objects. The services call
``claims_changed`` / ``articles_changed`` inside their own transaction, so a reader never sees
a document older than the rows it was built from.

Locking order, to avoid deadlocks between writers: claim rows (taken by the services), then
article documents in ascending id.
"""

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from api.models import ArticleDocument, ClaimDocument
from articles.models import Article, ArticleRevision
from claims.models import Appearance, Claim

BATCH = 500


def _dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _claims_for_rendering(ids: Iterable[int]):
    # Three queries whatever the number of claims: claims with claimant and verdict ratings,
    # then their appearances with the revision's article and number.
    return (
        Claim.objects.filter(pk__in=list(ids))
        .select_related("claimant", "verdict__rating", "verdict__published_rating")
        .prefetch_related(
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
            )
        )
        .order_by("pk")
    )


def render_claim(claim: Claim, *, private: bool) -> str:
    from claims.api.serializers import ClaimOutputSerializer

    return _dumps(ClaimOutputSerializer(claim, context={"private": private}).data)


def _write_claim_documents(claims: list[Claim]) -> None:
    existing = dict(
        ClaimDocument.objects.filter(claim_id__in=[c.pk for c in claims]).values_list(
            "claim_id", "version"
        )
    )
    to_create, to_update = [], []
    now = timezone.now()  # bulk_update does not apply auto_now.
    for claim in claims:
        public, private = render_claim(claim, private=False), render_claim(claim, private=True)
        document = ClaimDocument(
            claim_id=claim.pk,
            updated_at=now,
            claim_version=claim.version,
            public_body=public,
            private_body="" if private == public else private,
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


def claims_changed(claim_ids: Iterable[int], *, cascade: bool = True) -> None:
    """Rewrite the documents of these claims and, with ``cascade``, of the articles they
    appear in. Call it inside the transaction that made the change."""
    ids = sorted(set(claim_ids))
    for start in range(0, len(ids), BATCH):
        _write_claim_documents(list(_claims_for_rendering(ids[start : start + BATCH])))
    if cascade and ids:
        articles_changed(
            Appearance.objects.filter(claim_id__in=ids)
            .values_list("revision__article_id", flat=True)
            .distinct()
        )


def _claim_lists(rows: list[tuple[str, str]]) -> tuple[str, str]:
    """The public and private claim lists from (public, private-or-empty) bodies; the private
    list is empty when it would be the same as the public one."""
    public = "[" + ",".join(row[0] for row in rows) + "]"
    if not any(row[1] for row in rows):
        return public, ""
    return public, "[" + ",".join(row[1] or row[0] for row in rows) + "]"


def articles_changed(article_ids: Iterable[int]) -> None:
    """Rewrite the claim lists and revision counts of these articles' documents."""
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
        document.revision_count = ArticleRevision.objects.filter(article_id=article_id).count()
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
    revision_counts = dict(
        ArticleRevision.objects.filter(article_id__in=article_ids)
        .values("article_id")
        .annotate(n=Count("id"))
        .values_list("article_id", "n")
    )
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
                revision_count=revision_counts.get(article_id, 0),
                **dict(zip(("public_claims", "private_claims"), _claim_lists(rows), strict=True)),
                updated_at=now,
            )
        )
    ArticleDocument.objects.filter(article_id__in=article_ids).delete()
    ArticleDocument.objects.bulk_create(documents, batch_size=BATCH)


@transaction.atomic
def rebuild_all() -> tuple[int, int]:
    """Rebuild every document (after a bulk import, or to repair). Returns the counts."""
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    claims_changed(claim_ids, cascade=False)
    article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(article_ids), BATCH):
        _rebuild_article_documents(article_ids[start : start + BATCH])
    return len(claim_ids), len(article_ids)
