"""The reads newsroom tools make at volume, as one hand-written indexed query each.

Why not the ORM here: building a queryset, compiling it to SQL and instantiating models costs
about 0.3 ms of Python per query, several times the query itself on a primary-key or unique
index lookup; these two reads are the ones the benchmark (bench/api.py) holds to a ratio of a
bare view. Everything else goes through the ORM.
"""

import psycopg
from django.db import connection

from api.articles.serializers import ARTICLE_FIELDS
from articles.models import Article
from claims.models import ArticleDocument, ClaimDocument

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


def _fetchone(sql: str, params: list):
    """One row. On PostgreSQL through a server-binding psycopg cursor with the statement
    prepared: Django's cursors bind parameters on the client, so PostgreSQL plans the query
    again on every request, and planning the lookup's join took twice as long as running it
    (bench/profile_api.py). Prepared statements live as long as the persistent connection.
    Django's cursor first, for its health check and connection; its error wrapping around the
    query, so a failure marks the connection as Django's own queries would; and the query in
    Django's log while queries are logged (tests count them)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    with (
        connection.cursor(),
        connection.wrap_database_errors,
        psycopg.Cursor(connection.connection) as cursor,
    ):
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {params!r}", "time": "0.000"})
    return row


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
