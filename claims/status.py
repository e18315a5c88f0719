"""The verification status rules of SPEC section 3, as a pure function of the evidence."""

from collections.abc import Iterable
from dataclasses import dataclass

from claims.models import ClaimStatus, Stance


@dataclass(frozen=True)
class EvidenceFact:
    stance: str
    source_id: int
    source_root_id: int


@dataclass(frozen=True)
class StatusResult:
    status: str
    explanation: str
    corroborates: int
    disputes: int
    context: int
    independent_corroborates: int


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _not_independent(n: int) -> str:
    return (
        "1 supporting source is not independent"
        if n == 1
        else f"{n} supporting sources are not independent"
    )


def is_independent(
    *, source_id: int, source_root_id: int, claimant_id: int, claimant_root_id: int
) -> bool:
    """Neither the claimant nor under the claimant's top-level parent (SPEC section 3)."""
    return source_id != claimant_id and source_root_id != claimant_root_id


def compute_status(
    *, claimant_id: int, claimant_root_id: int, evidence: Iterable[EvidenceFact]
) -> StatusResult:
    """Evidence is independent when its source is neither the claimant nor under the
    claimant's top-level parent. Counts are of evidence items; the explanation counts sources."""
    items = list(evidence)
    counts = dict.fromkeys(Stance.values, 0)
    independent_items = 0
    independent_sources: set[int] = set()
    dependent_sources: set[int] = set()
    disputing_sources: set[int] = set()
    for item in items:
        counts[item.stance] += 1
        if item.stance == Stance.CORROBORATES:
            independent = is_independent(
                source_id=item.source_id,
                source_root_id=item.source_root_id,
                claimant_id=claimant_id,
                claimant_root_id=claimant_root_id,
            )
            if independent:
                independent_items += 1
                independent_sources.add(item.source_id)
            else:
                dependent_sources.add(item.source_id)
        elif item.stance == Stance.DISPUTES:
            disputing_sources.add(item.source_id)

    ind, dep, dis = len(independent_sources), len(dependent_sources), len(disputing_sources)
    if ind and dis:
        status = ClaimStatus.CONTESTED
        explanation = (
            f"Contested: corroborated by {_count(ind, 'independent source')} "
            f"and disputed by {_count(dis, 'source')}."
        )
    elif ind:
        status = ClaimStatus.CORROBORATED
        explanation = f"Corroborated by {_count(ind, 'independent source')}"
        explanation += f"; {_not_independent(dep)}." if dep else "."
    elif dis:
        status = ClaimStatus.DISPUTED
        explanation = f"Disputed by {_count(dis, 'source')}; no independent source corroborates it"
        explanation += f" ({_not_independent(dep)})." if dep else "."
    else:
        status = ClaimStatus.UNVERIFIED
        if dep:
            explanation = f"Unverified: {_not_independent(dep)} of the claimant."
        elif counts[Stance.CONTEXT]:
            n = counts[Stance.CONTEXT]
            explanation = f"Unverified: only context evidence ({_count(n, 'item')})."
        else:
            explanation = "Unverified: no evidence yet."
    return StatusResult(
        status=status,
        explanation=explanation,
        corroborates=counts[Stance.CORROBORATES],
        disputes=counts[Stance.DISPUTES],
        context=counts[Stance.CONTEXT],
        independent_corroborates=independent_items,
    )
