"""A readable word-level diff between two revisions of an article, as escaped HTML.

difflib from the standard library is enough here: revisions are a few thousand words, and
comparing word tokens (whitespace kept) gives diffs that read like an editor's track changes
instead of character noise.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words (with the inner punctuation of "4,200", "3.5" or "don't"), runs of whitespace and
# single punctuation marks; joined back they give the text. A changed figure then shows as
# one changed word, not as a changed digit group.
_TOKEN = re.compile(r"\s+|\w+(?:[.,'\u2019]\w+)*|[^\w\s]", re.UNICODE)
# Unchanged stretches longer than this are shortened to their ends, so the changes stand out.
CONTEXT_CHARS = 240


@dataclass(frozen=True)
class DiffStats:
    inserted_words: int
    deleted_words: int

    @property
    def unchanged(self) -> bool:
        return not (self.inserted_words or self.deleted_words)


def _words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if not token.isspace())


def _render(text: str) -> str:
    # Line breaks stay visible inside the diff block, which is shown with pre-wrap.
    return escape(text)


def _shorten(text: str, first: bool, last: bool) -> str:
    if len(text) <= 2 * CONTEXT_CHARS:
        return _render(text)
    head = "" if first else text[:CONTEXT_CHARS]
    tail = "" if last else text[-CONTEXT_CHARS:]
    return _render(head) + '<span class="diff-skip" aria-hidden="true"> … </span>' + _render(tail)


def diff_html(old: str, new: str) -> tuple[SafeString, DiffStats]:
    """The new text with deletions as <del> and additions as <ins>, every piece HTML-escaped."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts: list[str] = []
    inserted = deleted = 0
    for index, (op, a1, a2, b1, b2) in enumerate(opcodes):
        if op == "equal":
            parts.append(
                _shorten("".join(new_tokens[b1:b2]), index == 0, index == len(opcodes) - 1)
            )
            continue
        if op in ("delete", "replace"):
            removed = old_tokens[a1:a2]
            deleted += _words(removed)
            parts.append(
                '<del><span class="visually-hidden">[deleted: </span>'
                + _render("".join(removed))
                + '<span class="visually-hidden">]</span></del>'
            )
        if op in ("insert", "replace"):
            added = new_tokens[b1:b2]
            inserted += _words(added)
            parts.append(
                '<ins><span class="visually-hidden">[added: </span>'
                + _render("".join(added))
                + '<span class="visually-hidden">]</span></ins>'
            )
    return mark_safe("".join(parts)), DiffStats(inserted_words=inserted, deleted_words=deleted)
