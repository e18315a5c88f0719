"""Splits an article's text into paragraphs of plain and highlighted pieces.

A highlight is any span of the text with a kind: claim appearances now, candidates (from the
claims-from-text work) as a second kind later. The template renders each kind its own way, so a
new kind is one more ``Span`` source and one more template branch.
"""

import re
from dataclasses import dataclass

_PARAGRAPH_BREAK = re.compile(r"\n\s*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "claim" or "candidate"
    id: int
    status: str
    label: str


@dataclass(frozen=True)
class Piece:
    text: str
    span: Span | None = None


def _without_overlaps(spans: list[Span], length: int) -> list[Span]:
    # Two appearances may share words; the text can show one mark per character, so a later
    # span starts where the earlier one ends and one wholly inside another is dropped (it is
    # still listed beside the text).
    kept: list[Span] = []
    last_end = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.kind, s.id)):
        start, end = max(span.start, last_end), min(span.end, length)
        if end <= start:
            continue
        kept.append(Span(start, end, span.kind, span.id, span.status, span.label))
        last_end = end
    return kept


def paragraphs(text: str, spans: list[Span]) -> list[list[Piece]]:
    """The text as paragraphs (split at line breaks), each a list of pieces in order."""
    spans = _without_overlaps(spans, len(text))
    bounds, position = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, len(text)))

    result: list[list[Piece]] = []
    index = 0
    for p_start, p_end in bounds:
        if p_start >= p_end:
            continue
        pieces: list[Piece] = []
        cursor = p_start
        # Spans ending before this paragraph were used up by earlier ones.
        while index < len(spans) and spans[index].end <= p_start:
            index += 1
        j = index
        while j < len(spans) and spans[j].start < p_end:
            span = spans[j]
            start, end = max(span.start, p_start), min(span.end, p_end)
            if start > cursor:
                pieces.append(Piece(text[cursor:start]))
            if end > start:
                pieces.append(Piece(text[start:end], span))
            cursor = max(cursor, end)
            j += 1
        if cursor < p_end:
            pieces.append(Piece(text[cursor:p_end]))
        result.append(pieces)
    return result
