"""What an event says: ``{"type", "timestamp", "data"}``, where ``data`` is the claim's or the
article's document as the API serves it to newsroom tools (the public rendering API keys get),
plus the event's own fields (SPEC section 10).

Built inside the transaction of the change, after the service rewrote the documents, so the
data is the state the change committed; the body is stored once and sent unchanged on every
retry (its signature covers it)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from articles.models import Article
from claims.documents import render_claim
from claims.models import ArticleDocument, Claim, ClaimDocument, Evidence, Verdict

# The article object's own fields, in the API's order (api.articles.serializers.ARTICLE_FIELDS,
# which this layer may not import; tests/webhooks checks that the two agree).
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "publisher",
    "published_at",
    "state",
    "last_error",
    "last_checked_at",
    "next_check_at",
    "revision_count",
)
_DATETIMES = frozenset({"published_at", "last_checked_at", "next_check_at"})


def _iso(value: dt.datetime | None) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


def claim_data(claim_id: int) -> dict | None:
    """The claim's public document, or None for a claim that no longer exists."""
    body = (
        ClaimDocument.objects.filter(claim_id=claim_id)
        .values_list("public_body", flat=True)
        .first()
    )
    if body is None:
        # A claim written around the services has no document yet: rendered as the API would.
        claim = Claim.objects.with_related().filter(pk=claim_id).first()
        if claim is None:
            return None
        body = render_claim(claim, working_verdicts=False)
    return json.loads(body)


def article_data(article_id: int) -> dict | None:
    """The article object as API keys get it: its fields (``last_error`` as the public reason
    only) and its claims' public documents."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    data = {
        name: _iso(getattr(article, name)) if name in _DATETIMES else getattr(article, name)
        for name in ARTICLE_FIELDS
    }
    if article.last_error and not article.last_error_public:
        data["last_error"] = "the last check failed"
    else:
        data["last_error"] = article.last_error_public
    claims = (
        ArticleDocument.objects.filter(article_id=article_id)
        .values_list("public_claims", flat=True)
        .first()
    )
    if claims is None:
        rendered = [
            render_claim(claim, working_verdicts=False)
            for claim in Claim.objects.with_related()
            .filter(appearances__revision__article_id=article_id)
            .distinct()
            .order_by("pk")
        ]
        claims = "[" + ",".join(rendered) + "]"
    data["claims"] = json.loads(claims)
    return data


def verdict_data(verdict: Verdict) -> dict:
    """The verdict a verdict event is about, as an editor sees it (the working copy and its
    review state): the public document shows a verdict only once it is published."""
    return {
        "rating": verdict.rating.ordinal,
        "label": verdict.rating.label,
        "explanation": verdict.explanation,
        "published_at": _iso(verdict.published_at),
        "state": verdict.state,
    }


def evidence_data(evidence: Evidence) -> dict:
    return {
        "id": evidence.pk,
        "stance": evidence.stance,
        "source": {"id": evidence.source_id, "name": evidence.source.name},
        "url": evidence.url,
        "title": evidence.title,
        "link_state": evidence.link_state,
        "link_error": evidence.link_error,
        "link_checked_at": _iso(evidence.link_checked_at),
    }


def event_data(*, claim_id: int | None, article_id: int | None, extra: dict) -> dict:
    """The claim's document when the event names a claim (with ``article_id`` beside it when
    it names an article too), else the article's; then the event's own fields, where a
    ``verdict_id`` or ``evidence_id`` becomes the ``verdict`` or ``evidence`` it names."""
    extra = dict(extra)
    verdict_id = extra.pop("verdict_id", None)
    if verdict_id is not None:
        verdict = Verdict.objects.select_related("rating").filter(pk=verdict_id).first()
        extra["verdict"] = verdict_data(verdict) if verdict is not None else None
    evidence_id = extra.pop("evidence_id", None)
    if evidence_id is not None:
        evidence = Evidence.objects.select_related("source").filter(pk=evidence_id).first()
        extra["evidence"] = evidence_data(evidence) if evidence is not None else None
    data: dict
    if claim_id is not None:
        data = claim_data(claim_id) or {"id": claim_id}
        if article_id is not None:
            data["article_id"] = article_id
    elif article_id is not None:
        data = article_data(article_id) or {"id": article_id}
    else:
        data = {}
    data.update(extra)
    return data


def event_body(*, event_type: str, timestamp: dt.datetime, data: dict) -> str:
    return json.dumps(
        {"type": event_type, "timestamp": _iso(timestamp), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
