"""The verification status rules of SPEC section 3, as a pure function of the evidence.

A source is *interested* in a claim when it is, or is under, the claimant's top-level source
(the claimant's side) or the top-level source of a party the claim is about. Interested
evidence is not independent, for disputes as for support; a ``disputes`` from the claimant's
own side is a retraction and still makes a claim ``disputed``.

No model is imported here, so this module stays a pure function of plain values.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from core.text import shorten

CORROBORATES, DISPUTES, CONTEXT = "corroborates", "disputes", "context"
UNVERIFIED, CORROBORATED, DISPUTED, CONTESTED = (
    "unverified",
    "corroborated",
    "disputed",
    "contested",
)

# Where an interested source stands: with the claimant, or with a party the claim is about.
CLAIMANT_SIDE = "claimant"
ABOUT_PARTY = "about"

# Claim.status_explanation's length.
EXPLANATION_MAX = 300
# Names listed per kind of interested evidence before "and N others".
NAMES_LISTED = 2


@dataclass(frozen=True)
class EvidenceFact:
    stance: str
    source_id: int
    source_root_id: int
    source_name: str = ""
    # The source's kind (SourceKind): institutions named "X of Y" read with "the".
    source_kind: str = ""


@dataclass(frozen=True)
class StatusResult:
    status: str
    explanation: str
    corroborates: int
    disputes: int
    context: int
    independent_corroborates: int
    independent_disputes: int


def interest(
    *, source_root_id: int, claimant_root_id: int, about_root_ids: Collection[int] = ()
) -> str | None:
    """CLAIMANT_SIDE, ABOUT_PARTY, or None for an independent source. Roots are compared, so
    the claimant itself and every source under its top-level source are its side. A source
    on both sides (a claim about the claimant's own government) is the claimant's side: its
    denial is a retraction."""
    if source_root_id == claimant_root_id:
        return CLAIMANT_SIDE
    if source_root_id in about_root_ids:
        return ABOUT_PARTY
    return None


def is_independent(
    *, source_root_id: int, claimant_root_id: int, about_root_ids: Collection[int] = ()
) -> bool:
    """Neither the claimant's side nor a party the claim is about (SPEC section 3)."""
    return (
        interest(
            source_root_id=source_root_id,
            claimant_root_id=claimant_root_id,
            about_root_ids=about_root_ids,
        )
        is None
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def display_name(name: str, kind: str) -> str:
    """A source's name as it reads after "by": "the Ministry of Defence of Russia", but
    "Volodymyr Zelenskyy" and "Demo Gazette". Institutions named "X of Y" take the article."""
    institution = kind in {"government", "organization"} and " of " in name
    if institution and name[:1].isupper() and not name.lower().startswith("the "):
        return f"the {name}"
    return name


def _names(names: list[str]) -> str:
    listed = names[:NAMES_LISTED]
    rest = len(names) - len(listed)
    if rest:
        return f"{', '.join(listed)} and {_count(rest, 'other')}"
    return " and ".join(listed)


# (stance, side) -> what the explanation says of that interested evidence; in this order.
_INTERESTED_PHRASES = {
    (DISPUTES, ABOUT_PARTY): ("denied by {names}, a party the claim is about", "parties"),
    (DISPUTES, CLAIMANT_SIDE): ("retracted by {names}, on the claimant's own side", None),
    (CORROBORATES, CLAIMANT_SIDE): ("supported by {names}, on the claimant's side", None),
    (CORROBORATES, ABOUT_PARTY): ("supported by {names}, a party the claim is about", "parties"),
}


def _interested_phrases(groups: dict[tuple[str, str], dict[int, str]]) -> list[str]:
    phrases = []
    for key, (phrase, plural) in _INTERESTED_PHRASES.items():
        names = list(groups.get(key, {}).values())
        if not names:
            continue
        text = phrase.format(names=_names(names))
        if plural and len(names) > 1:
            text = text.replace("a party the claim is about", "parties the claim is about")
        phrases.append(text)
    return phrases


def _sentence(text: str) -> str:
    return shorten(text[:1].upper() + text[1:], EXPLANATION_MAX)


def compute_status(
    *,
    claimant_root_id: int,
    evidence: Iterable[EvidenceFact],
    about_root_ids: Collection[int] = (),
) -> StatusResult:
    """SPEC section 3. Counts are of evidence items; the explanation counts sources and names
    the interested ones.

    - corroborated: an independent ``corroborates``, no independent ``disputes``;
    - disputed: an independent ``disputes`` or a retraction, no independent ``corroborates``;
    - contested: an independent ``corroborates`` and an independent ``disputes``;
    - unverified: anything else (nothing, context only, interested evidence only).

    The claimant is under its own root, so its root alone says what its side is.
    """
    about_roots = frozenset(about_root_ids)
    counts = {CORROBORATES: 0, DISPUTES: 0, CONTEXT: 0}
    independent_items = {CORROBORATES: 0, DISPUTES: 0}
    independent_sources: dict[str, set[int]] = {CORROBORATES: set(), DISPUTES: set()}
    # (stance, side) -> {source id: name as it reads}, in the order the evidence came.
    interested: dict[tuple[str, str], dict[int, str]] = {}
    for item in evidence:
        counts[item.stance] = counts.get(item.stance, 0) + 1
        if item.stance not in independent_items:
            continue
        side = interest(
            source_root_id=item.source_root_id,
            claimant_root_id=claimant_root_id,
            about_root_ids=about_roots,
        )
        if side is None:
            independent_items[item.stance] += 1
            independent_sources[item.stance].add(item.source_id)
        else:
            name = display_name(item.source_name or f"source #{item.source_id}", item.source_kind)
            interested.setdefault((item.stance, side), {})[item.source_id] = name

    supporting = len(independent_sources[CORROBORATES])
    denying = len(independent_sources[DISPUTES])
    retracted = bool(interested.get((DISPUTES, CLAIMANT_SIDE)))
    phrases = _interested_phrases(interested)
    if supporting and denying:
        status = CONTESTED
        explanation = (
            f"Contested: corroborated by {_count(supporting, 'independent source')} "
            f"and disputed by {_count(denying, 'independent source')}."
        )
    elif supporting:
        status = CORROBORATED
        explanation = f"Corroborated by {_count(supporting, 'independent source')}"
        explanation += f"; also {'; '.join(phrases)}." if phrases else "."
    elif denying or retracted:
        status = DISPUTED
        if denying:
            explanation = f"Disputed by {_count(denying, 'independent source')}; "
            explanation += "no independent source corroborates it"
            explanation += f" ({'; '.join(phrases)})." if phrases else "."
        else:
            retraction = next(p for p in phrases if p.startswith("retracted by"))
            others = [p for p in phrases if p != retraction]
            explanation = f"Disputed: {retraction}; no independent source corroborates it"
            explanation += f" ({'; '.join(others)})." if others else "."
    else:
        status = UNVERIFIED
        if phrases:
            explanation = f"{'; '.join(phrases)}; no independent evidence yet."
        elif counts[CONTEXT]:
            explanation = f"Unverified: only context evidence ({_count(counts[CONTEXT], 'item')})."
        else:
            explanation = "Unverified: no evidence yet."
    return StatusResult(
        status=status,
        explanation=_sentence(explanation),
        corroborates=counts[CORROBORATES],
        disputes=counts[DISPUTES],
        context=counts[CONTEXT],
        independent_corroborates=independent_items[CORROBORATES],
        independent_disputes=independent_items[DISPUTES],
    )
