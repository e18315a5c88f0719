"""Splits an article's text into paragraphs of plain and highlighted pieces.

A highlight is any span of the text with a kind: claim appearances, and candidates (sentences
proposed for checking, ``claims.candidates``) as a second kind. The template renders each kind
its own way, so a new kind is one more ``Span`` source and one more template branch.
"""

import re
from dataclasses import dataclass, replace

_PARAGRAPH_BREAK = re.compile(r"\n\s*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "claim" or "candidate"
    id: int
    status: str
    label: str
    # True on every part of a highlight cut in pieces but the last, so the template marks
    # the highlight once, at its end.
    continues: bool = False


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
        kept.append(replace(span, start=start, end=end))
        last_end = end
    return kept


def _around(span: Span, taken: list[Span]) -> list[Span]:
    """The parts of ``span`` outside the ``taken`` spans (sorted, not overlapping)."""
    parts, cursor = [], span.start
    for other in taken:
        if other.end <= cursor or other.start >= span.end:
            continue
        if other.start > cursor:
            parts.append(Span(cursor, other.start, span.kind, span.id, span.status, span.label))
        cursor = max(cursor, other.end)
    if cursor < span.end:
        parts.append(Span(cursor, span.end, span.kind, span.id, span.status, span.label))
    return [replace(part, continues=True) for part in parts[:-1]] + parts[-1:]


def _layered(spans: list[Span], length: int) -> list[Span]:
    # A candidate is a whole sentence and often holds a claim's quote: the claim keeps its
    # mark (its status is what the reader must see), and the candidate is marked around it.
    claims = _without_overlaps([s for s in spans if s.kind != "candidate"], length)
    candidates = _without_overlaps([s for s in spans if s.kind == "candidate"], length)
    pieces = [part for span in candidates for part in _around(span, claims)]
    return sorted(claims + pieces, key=lambda s: s.start)


def paragraphs(text: str, spans: list[Span]) -> list[list[Piece]]:
    """The text as paragraphs (split at line breaks), each a list of pieces in order."""
    spans = _layered(spans, len(text))
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
