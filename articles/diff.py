"""A readable word-level diff between two revisions of an article, as escaped HTML.

difflib from the standard library is enough here: revisions are a few thousand words, and
comparing word tokens (whitespace kept) gives diffs that read like an editor's track changes
instead of character noise.
"""

import difflib
import itertools
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


# The admin's side-by-side view of two revisions --------------------------------------------

# Unchanged paragraphs shown around each change; longer unchanged stretches are counted.
SIDE_BY_SIDE_CONTEXT = 1


def _paragraphs(text: str) -> list[str]:
    # Extracted text has one paragraph per line; blank lines carry nothing to compare.
    return [line for line in text.splitlines() if line.strip()]


def _changed_pair(old: str, new: str) -> tuple[str, str]:
    """One paragraph in both revisions: the old with its removed words as <del>, the new with
    its added words as <ins> (word tokens, so a changed figure is one changed word)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: list[str] = []
    right: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(escape("".join(a[a1:a2])))
            right.append(escape("".join(b[b1:b2])))
            continue
        if a1 < a2:
            left.append(f"<del>{escape(''.join(a[a1:a2]))}</del>")
        if b1 < b2:
            right.append(f"<ins>{escape(''.join(b[b1:b2]))}</ins>")
    return "".join(left), "".join(right)


def _skipped(count: int) -> str:
    label = "1 unchanged paragraph" if count == 1 else f"{count} unchanged paragraphs"
    return f'<tr class="fc-sbs-skip"><td colspan="2">… {label} …</td></tr>'


def side_by_side_html(before: str, after: str) -> SafeString:
    """The two texts side by side, paragraph against paragraph, with the words removed from
    the old and added to the new marked; unchanged stretches are shortened. All text is
    escaped."""
    old, new = _paragraphs(before), _paragraphs(after)
    if old == new:
        return mark_safe('<p class="fc-sbs-same">No change in the text.</p>')
    rows: list[str] = []
    shown_until = 0  # index in ``old`` after the last paragraph shown
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(SIDE_BY_SIDE_CONTEXT):
        if group[0][1] > shown_until:
            rows.append(_skipped(group[0][1] - shown_until))
        for op, a1, a2, b1, b2 in group:
            if op == "equal":
                rows.extend(
                    f"<tr><td>{escape(p)}</td><td>{escape(p)}</td></tr>" for p in new[b1:b2]
                )
                continue
            for old_p, new_p in itertools.zip_longest(old[a1:a2], new[b1:b2]):
                if new_p is None:
                    left, right = f"<del>{escape(old_p)}</del>", ""
                elif old_p is None:
                    left, right = "", f"<ins>{escape(new_p)}</ins>"
                else:
                    left, right = _changed_pair(old_p, new_p)
                rows.append(f'<tr class="fc-sbs-changed"><td>{left}</td><td>{right}</td></tr>')
        shown_until = group[-1][2]
    if shown_until < len(old):
        rows.append(_skipped(len(old) - shown_until))
    return mark_safe(
        '<table class="fc-sbs"><thead><tr><th scope="col">Previous revision</th>'
        '<th scope="col">This revision</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
