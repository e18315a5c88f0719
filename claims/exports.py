"""The rows of the CSV exports (SPEC section 10): claims, articles, sources and evidence, as
the API's JSON lists show them, flattened. The API (``?format=csv``) and the admin's *Export
as CSV* action both stream them through ``core.csv_export.csv_response``.

A column's name is the path of its JSON field joined by ``_`` (``claimant_name``,
``verdict_label``, ``evidence_counts_disputes``); a list of objects gives one column per field,
its values joined with ``; `` in the list's order (``appearances_quote``). The columns are
fixed (README, "CSV export"); a field added to the JSON gets a column here by one line.

Claims and the claims of articles come from the status documents, the very JSON the API
serves to the same audience, so an export never shows a draft verdict to a reader who could
not see it in the JSON.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import StreamingHttpResponse
from django.utils import timezone

from claims.documents import render_claim
from claims.models import Claim, SourceAlias
from core.csv_export import csv_response, keyset_batches


@dataclass(frozen=True)
class Columns:
    """A fixed column set: each column's header and its path in the JSON object."""

    name: str  # of the list, for the file name
    paths: tuple[tuple[str, ...], ...]

    @property
    def header(self) -> list[str]:
        return ["_".join(path) for path in self.paths]

    def filename(self) -> str:
        return f"{self.name}-{timezone.now():%Y-%m-%d}.csv"

    def row(self, obj: dict) -> list[Any]:
        return [pluck(obj, path) for path in self.paths]


def pluck(obj: Any, path: Sequence[str]) -> Any:
    """The value at ``path``; through a list, the list of each item's value; None where an
    object on the way is null (no verdict: empty verdict cells)."""
    for index, key in enumerate(path):
        if obj is None:
            return None
        if isinstance(obj, list):
            return [pluck(item, path[index:]) for item in obj]
        obj = obj.get(key)
    return obj


def _paths(*names: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(name.split(".")) for name in names)


CLAIM_COLUMNS = Columns(
    "claims",
    _paths(
        "id",
        "url",
        "statement",
        "claimant.id",
        "claimant.name",
        "about",
        "status",
        "status_explanation",
        "evidence_counts.corroborates",
        "evidence_counts.disputes",
        "evidence_counts.context",
        "evidence_counts.independent_corroborates",
        "evidence_counts.independent_disputes",
        "verdict.rating",
        "verdict.label",
        "verdict.explanation",
        "verdict.published_at",
        "verdict.state",
        "external_review.reviewer",
        "external_review.rating",
        "external_review.url",
        "external_review.external_id",
        "external_review.published_at",
        "needs_review",
        "appearances.article",
        "appearances.revision",
        "appearances.quote",
        "appearances.anchor_state",
        "version",
        "created_at",
        "updated_at",
    ),
)

# The article object's own fields (api.articles.serializers.ARTICLE_FIELDS), then its claims.
ARTICLE_OWN_FIELDS = (
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
ARTICLE_COLUMNS = Columns(
    "articles",
    _paths(*ARTICLE_OWN_FIELDS, "claims.id", "claims.status", "claims.verdict.label"),
)

SOURCE_COLUMNS = Columns(
    "sources",
    _paths("id", "name", "kind", "parent", "aliases", "url", "created_at", "updated_at"),
)

EVIDENCE_COLUMNS = Columns(
    "evidence",
    _paths(
        "id",
        "claim",
        "stance",
        "source.id",
        "source.name",
        "url",
        "title",
        "quote",
        "published_at",
        "link_state",
        "link_checked_at",
        "created_at",
        "updated_at",
    ),
)


def _document_body(prefix: str, public: str, private: str, *, working_verdicts: bool):
    # The private rendering is stored empty when it is the same as the public one.
    if not working_verdicts:
        return F(f"{prefix}__{public}")
    return Coalesce(
        NullIf(F(f"{prefix}__{private}"), Value("")),
        F(f"{prefix}__{public}"),
        output_field=TextField(),
    )


# Claims -----------------------------------------------------------------------------------


def claim_rows(queryset: QuerySet, *, working_verdicts: bool) -> Iterator[list[Any]]:
    body = _document_body(
        "document", "public_body", "private_body", working_verdicts=working_verdicts
    )
    for batch in keyset_batches(queryset.values("id", body=body)):
        for row in batch:
            text = row["body"]
            if text is None:
                # A claim written around the services has no document yet: rendered now, as
                # the JSON list does.
                text = render_claim(
                    Claim.objects.get(pk=row["id"]), working_verdicts=working_verdicts
                )
            yield CLAIM_COLUMNS.row(json.loads(text))


def claims_csv(queryset: QuerySet, *, working_verdicts: bool) -> StreamingHttpResponse:
    return csv_response(
        CLAIM_COLUMNS.filename(),
        CLAIM_COLUMNS.header,
        claim_rows(queryset, working_verdicts=working_verdicts),
    )


# Articles ---------------------------------------------------------------------------------

ARTICLE_BATCH = 200  # an article's document holds all its claims: smaller batches


def full_last_error(values: dict) -> str:
    return values["last_error"]


def _claims_without_document(article_id: int, working_verdicts: bool) -> list[dict]:
    claims = (
        Claim.objects.filter(appearances__revision__article_id=article_id).distinct().order_by("pk")
    )
    return [json.loads(render_claim(claim, working_verdicts=working_verdicts)) for claim in claims]


def article_rows(
    queryset: QuerySet,
    *,
    working_verdicts: bool,
    last_error: Callable[[dict], str] = full_last_error,
) -> Iterator[list[Any]]:
    """``last_error`` gives the text this audience may see from the row's ``last_error`` and
    ``last_error_public`` (the API passes its rule for anonymous readers and keys)."""
    claims = _document_body(
        "document", "public_claims", "private_claims", working_verdicts=working_verdicts
    )
    values = queryset.values(*ARTICLE_OWN_FIELDS, "last_error_public", claims_json=claims)
    for batch in keyset_batches(values, size=ARTICLE_BATCH):
        for row in batch:
            article = {name: row[name] for name in ARTICLE_OWN_FIELDS}
            article["last_error"] = last_error(row)
            article["claims"] = (
                json.loads(row["claims_json"])
                if row["claims_json"] is not None
                else _claims_without_document(row["id"], working_verdicts)
            )
            yield ARTICLE_COLUMNS.row(article)


def articles_csv(
    queryset: QuerySet,
    *,
    working_verdicts: bool,
    last_error: Callable[[dict], str] = full_last_error,
) -> StreamingHttpResponse:
    return csv_response(
        ARTICLE_COLUMNS.filename(),
        ARTICLE_COLUMNS.header,
        article_rows(queryset, working_verdicts=working_verdicts, last_error=last_error),
    )


# Sources ----------------------------------------------------------------------------------


def source_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    values = queryset.values("id", "name", "kind", "parent", "url", "created_at", "updated_at")
    for batch in keyset_batches(values):
        aliases: dict[int, list[str]] = {}
        # One query a batch; in the order the JSON lists them (SourceAlias.Meta.ordering).
        for source_id, alias in SourceAlias.objects.filter(
            source_id__in=[row["id"] for row in batch]
        ).values_list("source_id", "alias"):
            aliases.setdefault(source_id, []).append(alias)
        for row in batch:
            row["aliases"] = aliases.get(row["id"], [])
            yield SOURCE_COLUMNS.row(row)


def sources_csv(queryset: QuerySet) -> StreamingHttpResponse:
    return csv_response(SOURCE_COLUMNS.filename(), SOURCE_COLUMNS.header, source_rows(queryset))


# Evidence ---------------------------------------------------------------------------------


def evidence_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    fields = [path[0] for path in EVIDENCE_COLUMNS.paths if path[0] != "source"]
    values = queryset.values(
        *fields, source_ref_id=F("source_id"), source_ref_name=F("source__name")
    )
    for batch in keyset_batches(values):
        for row in batch:
            row["source"] = {"id": row["source_ref_id"], "name": row["source_ref_name"]}
            yield EVIDENCE_COLUMNS.row(row)


def evidence_csv(queryset: QuerySet) -> StreamingHttpResponse:
    return csv_response(
        EVIDENCE_COLUMNS.filename(), EVIDENCE_COLUMNS.header, evidence_rows(queryset)
    )
