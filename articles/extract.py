"""Main text and metadata of a page, with trafilatura (SPEC section 5, extraction).

The text is kept exactly as trafilatura gives it: claims are anchored by character position,
and extraction quality must not fall below that extractor's own on the same pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import htmldate
import trafilatura

from articles.fetch import FetchError, FetchResult, Undecodable


class ExtractionError(FetchError):
    """The page arrived but holds no article text we can use."""

    public_reason = "no article text could be extracted from the page"


@dataclass
class Extracted:
    text: str
    title: str = ""
    authors: str = ""
    publisher: str = ""
    published_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    language: str = ""
    canonical_url: str = ""


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def extract_html(html: str, *, url: str = "") -> Extracted:
    document = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False
    )
    text = (getattr(document, "text", None) or "").strip()
    if not text:
        raise ExtractionError(
            f"No article text could be found on the page{f' at {url}' if url else ''}.", url=url
        )
    # trafilatura's date is the original publication date; the latest date the page states
    # is its modification date (htmldate, which trafilatura itself uses for dates).
    modified = htmldate.find_date(html, original_date=False, extensive_search=False, url=url)
    published = _date(document.date)
    modified_at = _date(modified)
    if modified_at and published and modified_at < published:
        modified_at = None
    return Extracted(
        text=text,
        title=(document.title or "")[:500],
        authors=(document.author or "")[:500],
        publisher=(document.sitename or "")[:300],
        published_at=published,
        modified_at=modified_at,
        language=(document.language or "")[:16],
        canonical_url=document.url or "",
    )


def extract_plain_text(text: str) -> Extracted:
    """A plain-text article: its first non-empty line is the title, the rest is the text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n", 1)
    title = lines[0].strip()
    body = lines[1].strip() if len(lines) > 1 else ""
    if not body:
        raise ExtractionError("The text holds a title line but no article text.")
    return Extracted(text=body, title=title[:500])


def extract_response(result: FetchResult) -> Extracted:
    text = result.text()
    if result.content_type == "text/plain":
        return extract_plain_text(text)
    return extract_html(text, url=result.url)


def extract_file(path: Path) -> Extracted:
    """A local HTML or plain-text file (demos and tests)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"The file {path} could not be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Undecodable(f"The file {path} is not UTF-8 text.") from None
    if path.suffix.lower() in {".html", ".htm", ".xhtml"}:
        return extract_html(text)
    return extract_plain_text(text)
