"""schema.org ClaimReview for a claim's published verdict, shared by the public claim page
and the API (``/api/v1/claims/{id}/claimreview/``).

Only the published fields of the verdict are read, never the working copy, so a verdict under
revision keeps showing what was published.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Max, Min
from django.urls import reverse

from claims.models import Claim, Rating, SourceKind


class NotPublished(Exception):
    """The claim has no published verdict, so there is no review to describe."""


def _absolute(path: str, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return urljoin(settings.FACTCHECK_NEWSROOM_URL, path)


def claimreview_document(claim: Claim, *, request=None) -> dict:
    """The ClaimReview JSON-LD object for the claim's published verdict.

    Expects ``claim.verdict`` (with ``published_rating``), ``claim.claimant`` and the claim's
    appearances with their revisions and articles to be loaded or loadable. Raises
    ``NotPublished`` when there is no published verdict.
    """
    verdict = getattr(claim, "verdict", None)
    if verdict is None or verdict.published_at is None or verdict.published_rating is None:
        raise NotPublished(f"Claim {claim.pk} has no published verdict.")
    rating = verdict.published_rating

    review_rating = {"@type": "Rating", "alternateName": rating.label}
    if rating.ordinal is not None:
        # The scale is data (SPEC section 4), so its ends are read, not assumed.
        scale = Rating.objects.filter(ordinal__isnull=False).aggregate(
            best=Max("ordinal"), worst=Min("ordinal")
        )
        review_rating.update(
            ratingValue=rating.ordinal, bestRating=scale["best"], worstRating=scale["worst"]
        )

    claimant = claim.claimant
    claimant_doc: dict | None = None
    if claimant is not None:
        claimant_doc = {
            "@type": "Person" if claimant.kind == SourceKind.PERSON else "Organization",
            "name": claimant.name,
        }
        if claimant.url:
            claimant_doc["url"] = claimant.url
    # An imported fact-check's claimant that is no source on record is a name alone, with no
    # kind to tell a person from an organisation, so schema.org's author is left out.

    appearances, first_seen = [], None
    seen_articles = set()
    for appearance in claim.appearances.all():
        article = appearance.revision.article
        stated = article.published_at or appearance.revision.fetched_at
        if first_seen is None or (stated and stated < first_seen):
            first_seen = stated
        if article.pk in seen_articles:
            continue
        seen_articles.add(article.pk)
        work = {"@type": "CreativeWork", "url": article.canonical_url}
        if article.title:
            work["headline"] = article.title
        if article.publisher:
            work["publisher"] = {"@type": "Organization", "name": article.publisher}
        if article.published_at:
            work["datePublished"] = article.published_at.date().isoformat()
        appearances.append(work)

    item_reviewed: dict = {"@type": "Claim"}
    if claimant_doc is not None:
        item_reviewed["author"] = claimant_doc
    if first_seen is not None:
        item_reviewed["datePublished"] = first_seen.date().isoformat()
    if appearances:
        item_reviewed["appearance"] = appearances
        item_reviewed["firstAppearance"] = appearances[0]

    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": _absolute(reverse("claim_public", args=[claim.pk]), request),
        "claimReviewed": claim.statement,
        "datePublished": verdict.published_at.date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": settings.FACTCHECK_NEWSROOM_NAME,
            "url": settings.FACTCHECK_NEWSROOM_URL,
        },
        "reviewRating": review_rating,
        "itemReviewed": item_reviewed,
    }
