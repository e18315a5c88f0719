"""Split an article's text into sentences with their positions, marking headings."""

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# A line that ends without sentence punctuation and is this short reads as a heading,
# a byline or a caption rather than as running text.
HEADING_MAX_WORDS = 14
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    paragraph: int
    # Position within its paragraph, so attribution is carried only inside one paragraph.
    index_in_paragraph: int
    is_heading: bool


# pysbd builds its regular expressions from strings at every call (a few for each abbreviation
# in its list that occurs in the line), about 700 distinct patterns in all: more than the 512
# that ``re`` keeps compiled, so on news text nearly every call compiled them again, which cost
# more than the splitting itself. The patterns do not depend on the text, so a cache that holds
# them all makes each compile happen once per process.
_RE_CACHE_SIZE = 4096
if getattr(re, "_MAXCACHE", _RE_CACHE_SIZE) < _RE_CACHE_SIZE:
    re._MAXCACHE = _RE_CACHE_SIZE  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # clean=False keeps the text as it is, so each sentence is found again in the line.
    return pysbd.Segmenter(language="en", clean=False)


# A new revision mostly repeats the lines of the one before, and a site repeats its bylines and
# furniture: a line is split once.
# Where a sentence can end inside a line: terminal punctuation, maybe closing quotes or
# brackets, then a space. A line with no such place is one sentence (a heading, a byline, a
# one-sentence paragraph, a quote closed by a comma and "… said."): more than half the lines
# of news pages, which then skip pysbd, the costliest step of finding candidates.
_INNER_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s")


@lru_cache(maxsize=4096)
def _segment(line: str) -> tuple[str, ...]:
    if not _INNER_BOUNDARY.search(line.rstrip()):
        return (line,)
    # The processor alone: Segmenter.segment then looks every sentence up again with a regular
    # expression built from it (a compile per sentence and a scan of the whole line), to get
    # character spans that split_sentences finds itself with str.find.
    return tuple(_segmenter().processor(line).process())


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order; ``text[s.start:s.end] == s.text`` for each.

    Paragraphs are lines: extractors (trafilatura) put one paragraph or heading per line, and
    a heading never runs into the sentence after it.
    """
    sentences: list[Sentence] = []
    offset = 0
    paragraph = 0
    for line in text.splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        if not line.strip():
            continue
        body = line.rstrip("\r\n")
        spans = _segment(body)
        heading = (
            len(spans) == 1
            and len(body.split()) <= HEADING_MAX_WORDS
            and not _TERMINAL.search(body.strip())
        )
        index = 0
        cursor = 0
        for span in spans:
            stripped = span.strip()
            # Finding each sentence after the previous one keeps the positions exact, also on
            # repeated text.
            found = body.find(stripped, cursor) if stripped else -1
            if found < 0:
                continue
            cursor = found + len(stripped)
            start = line_start + found
            sentences.append(
                Sentence(
                    text=stripped,
                    start=start,
                    end=start + len(stripped),
                    paragraph=paragraph,
                    index_in_paragraph=index,
                    is_heading=heading,
                )
            )
            index += 1
        paragraph += 1
    return sentences
