"""Finding a claim's quote again in a new revision of its article (SPEC section 5).

Each appearance is located by its quote, its 32 characters of prefix and suffix and its
position, mapped through a diff of the two texts (diff-match-patch):

- ``exact``: the same quote at the same position;
- ``moved``: the same quote elsewhere (the occurrence whose context matches best, then the
  nearest to where the diff says the passage went);
- ``fuzzy``: the passage differs only in whitespace, punctuation, quote style or case, which
  SPEC section 5 says do not count;
- ``changed``: the passage is still there but its words changed;
- ``orphaned``: the passage is gone.

``changed`` and ``orphaned`` flag the claim for review with the reason and the passage's diff.
"""

from __future__ import annotations

from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.db import transaction

from articles.models import ArticleRevision, normalize_text
from claims import documents
from claims.models import QUOTE_CONTEXT, AnchorState, Appearance
from claims.services import claim_flag_for_review

# Below this share of the old quote's characters surviving in the mapped passage, the passage
# counts as removed rather than reworded.
CHANGED_MIN_KEPT = 0.5


@dataclass(frozen=True)
class Anchor:
    state: str
    start: int
    end: int
    quote: str
    diff: str = ""


def _differ() -> diff_match_patch:
    dmp = diff_match_patch()
    # Long articles: bound the time a diff may take; the result is still a valid diff.
    dmp.Diff_Timeout = 2.0
    return dmp


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def passage_diff(old: str, new: str) -> str:
    """A readable inline diff: [-removed-]{+added+}."""
    dmp = _differ()
    diffs = dmp.diff_main(old, new)
    dmp.diff_cleanupSemantic(diffs)
    parts = []
    for op, chunk in diffs:
        if op == dmp.DIFF_EQUAL:
            parts.append(chunk)
        elif op == dmp.DIFF_DELETE:
            parts.append(f"[-{chunk}-]")
        else:
            parts.append(f"{{+{chunk}+}}")
    return "".join(parts)


def locate(
    *,
    new_text: str,
    diffs: list,
    quote: str,
    start: int,
    end: int,
    prefix: str,
    suffix: str,
) -> Anchor:
    """Where the passage ``quote`` (from ``start`` to ``end`` of the old text) is in ``new_text``.
    ``diffs`` is diff-match-patch's diff from the old text to the new one."""
    dmp = _differ()
    mapped_start = dmp.diff_xIndex(diffs, start)
    # The end is mapped through the quote's last character, so text inserted right after the
    # quote does not count as part of it.
    mapped_end = max(dmp.diff_xIndex(diffs, end - 1) + 1 if end > start else 0, mapped_start)

    occurrences = []
    position = new_text.find(quote)
    while position >= 0:
        occurrences.append(position)
        position = new_text.find(quote, position + 1)
    if occurrences:

        def rank(i: int) -> tuple[int, int]:
            context = _common_suffix(
                prefix, new_text[max(0, i - QUOTE_CONTEXT) : i]
            ) + _common_prefix(suffix, new_text[i + len(quote) : i + len(quote) + QUOTE_CONTEXT])
            return (-context, abs(i - mapped_start))

        best = min(occurrences, key=rank)
        state = AnchorState.EXACT if best == start else AnchorState.MOVED
        return Anchor(state=state, start=best, end=best + len(quote), quote=quote)

    passage = new_text[mapped_start:mapped_end]
    # Keep the passage's own edges: the diff may map the span onto surrounding whitespace.
    stripped = passage.strip()
    if stripped:
        mapped_start += passage.index(stripped)
        mapped_end = mapped_start + len(stripped)
        passage = stripped
    if passage and normalize_text(passage) == normalize_text(quote):
        return Anchor(state=AnchorState.FUZZY, start=mapped_start, end=mapped_end, quote=passage)
    kept = 0
    if passage:
        quote_diffs = dmp.diff_main(quote, passage)
        kept = sum(len(chunk) for op, chunk in quote_diffs if op == dmp.DIFF_EQUAL)
    if passage and kept / len(quote) >= CHANGED_MIN_KEPT:
        return Anchor(
            state=AnchorState.CHANGED,
            start=mapped_start,
            end=mapped_end,
            quote=passage,
            diff=passage_diff(quote, passage),
        )
    point = min(mapped_start, len(new_text))
    return Anchor(
        state=AnchorState.ORPHANED, start=point, end=point, quote=quote, diff=f"[-{quote}-]"
    )


def _reason(anchor: Anchor, old_quote: str, revision: ArticleRevision) -> str:
    where = f"Revision {revision.number} of “{revision.article}”"
    if anchor.state == AnchorState.CHANGED:
        return f"{where}: the quoted passage changed: “{old_quote}” now reads “{anchor.quote}”."
    return f"{where}: the quoted passage “{old_quote}” is no longer in the article."


@transaction.atomic
def reanchor_appearances(
    *, previous: ArticleRevision, current: ArticleRevision
) -> list[Appearance]:
    """Give every claim that appeared in ``previous`` an appearance in ``current``; flag the
    claims whose passage changed or disappeared. Claims that already appear in ``current``
    (a task run twice, a return to a revision) keep the appearance they have."""
    old = list(Appearance.objects.filter(revision=previous).select_related("claim"))
    if not old:
        return []
    present = set(Appearance.objects.filter(revision=current).values_list("claim_id", flat=True))
    diffs = _differ().diff_main(previous.text, current.text, False)
    created = []
    for appearance in old:
        if appearance.claim_id in present:
            continue
        anchor = locate(
            new_text=current.text,
            diffs=diffs,
            quote=appearance.quote,
            start=appearance.start,
            end=appearance.end,
            prefix=appearance.prefix,
            suffix=appearance.suffix,
        )
        new = Appearance(
            claim=appearance.claim,
            revision=current,
            quote=anchor.quote,
            prefix=current.text[max(0, anchor.start - QUOTE_CONTEXT) : anchor.start],
            suffix=current.text[anchor.end : anchor.end + QUOTE_CONTEXT],
            start=anchor.start,
            end=anchor.end,
            anchor_state=anchor.state,
            anchor_diff=anchor.diff,
        )
        new._change_reason = f"Re-anchored in revision {current.number}: {anchor.state}"
        new.save()
        created.append(new)
        if anchor.state in (AnchorState.CHANGED, AnchorState.ORPHANED):
            claim_flag_for_review(
                claim=appearance.claim, reason=_reason(anchor, appearance.quote, current)
            )
    # The claims' API documents list their appearances, and the article's its claims.
    documents.claims_changed({appearance.claim_id for appearance in created})
    return created
