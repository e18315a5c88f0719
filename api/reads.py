"""The reads newsroom tools make at volume, as one hand-written indexed query each.

Why not the ORM here: building a queryset, compiling it to SQL and instantiating models costs
about 0.3 ms of Python per query, several times the query itself on a primary-key or unique
index lookup; these reads (claim detail, lookup by URL, the unfiltered claims list) are the ones
the benchmark (bench/api.py) holds to a ratio of a bare view. Everything else goes through the
ORM.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection

from api.articles.serializers import ARTICLE_FIELDS
from articles.models import Article
from claims.models import ArticleDocument, Claim, ClaimDocument

# An empty private rendering (the working verdict) means "the same as the public one"
# (see ClaimDocument).
_CLAIM_SQL = {
    audience: (
        f"SELECT {column}, claim_version, version FROM {ClaimDocument._meta.db_table} "
        "WHERE claim_id = %s"
    )
    for audience, column in (
        ("public", "public_body"),
        ("working_verdicts", "COALESCE(NULLIF(private_body, ''), public_body)"),
    )
}

# The article object's fields, the public reason its ``last_error`` becomes for anonymous
# readers and keys (``api.articles.views.last_error_for``), and the timestamp its ETag needs.
ARTICLE_COLUMNS = (*ARTICLE_FIELDS, "last_error_public", "updated_at")
_ARTICLE_SQL = {
    audience: (
        "SELECT " + ", ".join(f"a.{name}" for name in ARTICLE_COLUMNS) + f", d.version, {column} "
        f"FROM {Article._meta.db_table} a "
        f"LEFT JOIN {ArticleDocument._meta.db_table} d ON d.article_id = a.id "
        # The unique index on canonical_url answers this.
        "WHERE a.canonical_url = %s"
    )
    for audience, column in (
        ("public", "d.public_claims"),
        ("working_verdicts", "COALESCE(NULLIF(d.private_claims, ''), d.public_claims)"),
    )
}


def _execute(sql: str, params: list, fetch: Callable[[Any], Any]):
    """Run one read and ``fetch`` its rows from the cursor. On PostgreSQL with the statement
    prepared, on the connection's server-binding cursor (``core.db.postgresql``): Django's
    cursors bind parameters on the client, so PostgreSQL plans the query again on every
    request, and planning the lookup's join took twice as long as running it
    (bench/profile_api.py). Prepared statements live as long as the persistent connection.
    Django's error wrapping around the query, so a failure marks the connection as Django's own
    queries would; and the query in Django's log while queries are logged (tests count them)."""
    read_cursor = getattr(connection, "read_cursor", None)
    if read_cursor is None:  # SQLite
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    cursor = read_cursor()
    with connection.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        rows = fetch(cursor)
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {params!r}", "time": "0.000"})
    return rows


def _fetchone(sql: str, params: list):
    return _execute(sql, params, lambda cursor: cursor.fetchone())


def claim_document(claim_id: int, *, working_verdicts: bool) -> tuple[str, int, int] | None:
    """(body, claim version, document version) of the claim's document, or None."""
    return _fetchone(_CLAIM_SQL["working_verdicts" if working_verdicts else "public"], [claim_id])


def article_by_canonical_url(canonical_url: str, *, working_verdicts: bool) -> dict | None:
    """The article's columns (by name) plus ``document_version`` and ``claims`` (JSON text,
    None when the article has no document yet), or None."""
    row = _fetchone(
        _ARTICLE_SQL["working_verdicts" if working_verdicts else "public"], [canonical_url]
    )
    if row is None:
        return None
    values = dict(zip(ARTICLE_COLUMNS, row, strict=False))
    values["document_version"], values["claims"] = row[-2:]
    return values


def claim_documents(claim_ids: list[int], *, working_verdicts: bool) -> dict[int, str]:
    """The bodies of several claims' documents, by claim id, in one query."""
    column = (
        "COALESCE(NULLIF(private_body, ''), public_body)" if working_verdicts else "public_body"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT claim_id, {column} FROM {ClaimDocument._meta.db_table} "
            "WHERE claim_id = ANY(%s)"
            if connection.vendor == "postgresql"
            else f"SELECT claim_id, {column} FROM {ClaimDocument._meta.db_table} "
            f"WHERE claim_id IN ({','.join(['%s'] * len(claim_ids)) or 'NULL'})",
            [list(claim_ids)] if connection.vendor == "postgresql" else list(claim_ids),
        )
        return dict(cursor.fetchall())


def _claim_page_sql(*, working_verdicts: bool, descending: bool, bound: str | None) -> str:
    body = (
        "COALESCE(NULLIF(d.private_body, ''), d.public_body)"
        if working_verdicts
        else "d.public_body"
    )
    where = f"WHERE c.id {bound} %s " if bound else ""
    return (
        f"SELECT c.id, {body}, d.claim_version, d.version FROM {Claim._meta.db_table} c "
        f"LEFT JOIN {ClaimDocument._meta.db_table} d ON d.claim_id = c.id "
        # The primary key's index answers this in order and stops at the limit.
        f"{where}ORDER BY c.id {'DESC' if descending else 'ASC'} LIMIT %s OFFSET %s"
    )


_CLAIM_PAGE_SQL = {
    (working_verdicts, descending, bound): _claim_page_sql(
        working_verdicts=working_verdicts, descending=descending, bound=bound
    )
    for working_verdicts in (False, True)
    for descending in (False, True)
    for bound in (None, "<", ">")
}
_BOUNDS = {"id__lt": "<", "id__gt": ">"}


@dataclass(frozen=True)
class ClaimPageRows:
    """The unfiltered claims list as DRF's cursor pagination (``api.pagination``) asks a
    queryset for it: ``order_by("-id")`` or ``order_by("id")``, at most one ``filter`` on
    ``id__lt`` or ``id__gt``, then one slice. Answered by one hand-written query on the
    claims' primary key joined to their documents, each row ``{"id", "body", "claim_version",
    "document_version"}`` (``body`` and the versions None for a claim without a document).
    Building and compiling that query through the ORM cost about 0.25 ms of Python per page,
    twice what running it took (bench/profile_api.py); the pagination itself (cursors, next
    and previous links) stays DRF's. A filtered list goes through the ORM."""

    working_verdicts: bool
    descending: bool = True
    bound: tuple[str, int] | None = None

    def order_by(self, *ordering: str) -> "ClaimPageRows":
        if ordering not in (("-id",), ("id",)):
            raise ValueError(f"Claims are paged by id only, not by {ordering!r}.")
        return replace(self, descending=ordering == ("-id",))

    def filter(self, **lookups) -> "ClaimPageRows":
        ((lookup, value),) = lookups.items()
        if lookup not in _BOUNDS or self.bound is not None:
            raise ValueError(f"Claims are paged by one bound on the id, not by {lookup!r}.")
        return replace(self, bound=(_BOUNDS[lookup], int(value)))

    def __getitem__(self, window: slice) -> list[dict]:
        if not isinstance(window, slice) or window.step is not None or window.stop is None:
            raise TypeError("Only a slice with an end, as a page is taken.")
        start = window.start or 0
        sql = _CLAIM_PAGE_SQL[
            self.working_verdicts, self.descending, self.bound[0] if self.bound else None
        ]
        params = [self.bound[1]] if self.bound else []
        rows = _execute(
            sql, [*params, window.stop - start, start], lambda cursor: cursor.fetchall()
        )
        return [
            {"id": id_, "body": body, "claim_version": claim_version, "document_version": version}
            for id_, body, claim_version, version in rows
        ]
