"""CSV exports (SPEC section 10): spreadsheet-safe cells, a streamed body, keyset batches.

The lists that export (claims, articles, sources, evidence) build their rows in
``claims.exports``; the API and the admin both hand those rows to ``csv_response`` here.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

CONTENT_TYPE = "text/csv; charset=utf-8"
LIST_SEPARATOR = "; "
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection":
# =, +, - and @, and a leading tab or carriage return, which some programs strip before
# looking); a leading apostrophe makes it text again.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Rows per database query, and roughly per chunk sent: memory holds one batch at a time.
BATCH_SIZE = 1000


def cell(value: Any) -> str:
    """One value as the text of a cell: lists joined with ``; ``, dates in ISO 8601 UTC,
    booleans as ``true``/``false``, None as empty, and never the start of a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, (list, tuple)):
        text = LIST_SEPARATOR.join(cell(item) for item in value)
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes, header first, in chunks of about BATCH_SIZE rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % BATCH_SIZE == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A download of the rows, streamed: rows are read and written as the client reads, so
    the whole list never sits in memory."""
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def keyset_batches(queryset: QuerySet, size: int = BATCH_SIZE) -> Iterator[list[dict]]:
    """The rows of a ``values()`` queryset (which must include ``id``), newest id first, in
    batches of ``size``: each batch is one query on the primary key (``id < last``), so the
    database keeps no cursor open while the client reads and no batch costs more than the
    first (an OFFSET would scan every row before it)."""
    # The caller's prefetches (the admin's) are for model rows, not for these dicts.
    queryset = queryset.order_by("-pk").prefetch_related(None)
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__lt=last)
        rows = list(page[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]["id"]
