"""Every claim's status under the interested-party rule (SPEC section 3, issue 13).

Before it, any ``disputes`` counted, so one denial by the party a claim accuses made the claim
disputed; now evidence from a source under the claimant's top-level source or an about-party's
is interested and not independent, except a retraction by the claimant's own side. Each claim
whose status, explanation or counts change gets a historical record ("rule change", no user),
and each change of status a changes-feed event with no actor (the API shows it as "system").
No webhook is sent: this uses the historical models and emits no domain event.

The rule is a frozen copy of ``claims.status`` as it was when this migration was written, so
the migration gives the same answer however that module evolves.

The claim object gained ``about`` and ``independent_disputes``, so every stored status
document is marked outdated (``claim_version`` 0, which no claim has); once ``migrate`` has
applied everything, ``claims.documents.after_migrate`` renders them again with the code of
the release (a migration cannot: the models may have moved on).
"""

from django.db import migrations
from django.utils import timezone

REASON = "rule change"
OUTDATED = 0
BATCH = 500
EXPLANATION_MAX = 300

CORROBORATES, DISPUTES, CONTEXT = "corroborates", "disputes", "context"
CLAIMANT_SIDE, ABOUT_PARTY = "claimant", "about"

_PHRASES = {
    (DISPUTES, ABOUT_PARTY): "denied by {names}, {party} the claim is about",
    (DISPUTES, CLAIMANT_SIDE): "retracted by {names}, on the claimant's own side",
    (CORROBORATES, CLAIMANT_SIDE): "supported by {names}, on the claimant's side",
    (CORROBORATES, ABOUT_PARTY): "supported by {names}, {party} the claim is about",
}


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _display_name(name, kind):
    institution = kind in {"government", "organization"} and " of " in name
    if institution and name[:1].isupper() and not name.lower().startswith("the "):
        return f"the {name}"
    return name


def _names(names):
    listed = names[:2]
    rest = len(names) - len(listed)
    if rest:
        return f"{', '.join(listed)} and {_count(rest, 'other')}"
    return " and ".join(listed)


def compute(claimant_root, about_roots, evidence):
    """(status, explanation, corroborates, disputes, context, independent corroborates,
    independent disputes) from evidence as (stance, source id, root id, name, kind)."""
    counts = {CORROBORATES: 0, DISPUTES: 0, CONTEXT: 0}
    independent_items = {CORROBORATES: 0, DISPUTES: 0}
    independent_sources = {CORROBORATES: set(), DISPUTES: set()}
    interested = {}
    for stance, source_id, root_id, name, kind in evidence:
        counts[stance] = counts.get(stance, 0) + 1
        if stance not in independent_items:
            continue
        if root_id == claimant_root:
            side = CLAIMANT_SIDE
        elif root_id in about_roots:
            side = ABOUT_PARTY
        else:
            independent_items[stance] += 1
            independent_sources[stance].add(source_id)
            continue
        shown = _display_name(name or f"source #{source_id}", kind)
        interested.setdefault((stance, side), {})[source_id] = shown
    phrases = []
    for key, phrase in _PHRASES.items():
        names = list(interested.get(key, {}).values())
        if names:
            party = "parties" if len(names) > 1 else "a party"
            phrases.append(phrase.format(names=_names(names), party=party))

    supporting = len(independent_sources[CORROBORATES])
    denying = len(independent_sources[DISPUTES])
    if supporting and denying:
        status = "contested"
        explanation = (
            f"Contested: corroborated by {_count(supporting, 'independent source')} "
            f"and disputed by {_count(denying, 'independent source')}."
        )
    elif supporting:
        status = "corroborated"
        explanation = f"Corroborated by {_count(supporting, 'independent source')}"
        explanation += f"; also {'; '.join(phrases)}." if phrases else "."
    elif denying or interested.get((DISPUTES, CLAIMANT_SIDE)):
        status = "disputed"
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
        status = "unverified"
        if phrases:
            explanation = f"{'; '.join(phrases)}; no independent evidence yet."
        elif counts[CONTEXT]:
            explanation = f"Unverified: only context evidence ({_count(counts[CONTEXT], 'item')})."
        else:
            explanation = "Unverified: no evidence yet."
    explanation = explanation[:1].upper() + explanation[1:]
    if len(explanation) > EXPLANATION_MAX:
        explanation = explanation[: EXPLANATION_MAX - 1] + "…"
    return (
        status,
        explanation,
        counts[CORROBORATES],
        counts[DISPUTES],
        counts[CONTEXT],
        independent_items[CORROBORATES],
        independent_items[DISPUTES],
    )


COMPUTED = (
    "status",
    "status_explanation",
    "corroborates_count",
    "disputes_count",
    "context_count",
    "independent_corroborates_count",
    "independent_disputes_count",
)


def recompute_statuses(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Evidence = apps.get_model("claims", "Evidence")
    Source = apps.get_model("claims", "Source")
    ClaimChange = apps.get_model("claims", "ClaimChange")
    ClaimDocument = apps.get_model("claims", "ClaimDocument")
    HistoricalClaim = apps.get_model("claims", "HistoricalClaim")
    HistoricalAbout = apps.get_model("claims", "HistoricalClaim_about")
    About = Claim.about.through

    roots = {pk: root or pk for pk, root in Source.objects.values_list("id", "root_id")}
    history_fields = [
        f.attname for f in HistoricalClaim._meta.concrete_fields if not f.name.startswith("history")
    ]
    now = timezone.now()
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(claim_ids), BATCH):
        batch = claim_ids[start : start + BATCH]
        evidence = {}
        for row in (
            Evidence.objects.filter(claim_id__in=batch)
            .order_by("created_at", "id")
            .values_list(
                "claim_id", "stance", "source_id", "source__root_id", "source__name", "source__kind"
            )
        ):
            claim_id, stance, source_id, root_id, name, kind = row
            evidence.setdefault(claim_id, []).append(
                (stance, source_id, root_id or source_id, name, kind)
            )
        about = {}
        for row in About.objects.filter(claim_id__in=batch).values("id", "claim_id", "source_id"):
            about.setdefault(row["claim_id"], []).append(row)
        for claim in Claim.objects.filter(pk__in=batch).order_by("pk"):
            result = compute(
                roots.get(claim.claimant_id, claim.claimant_id),
                {roots.get(row["source_id"], row["source_id"]) for row in about.get(claim.pk, [])},
                evidence.get(claim.pk, []),
            )
            old_status = claim.status
            if tuple(getattr(claim, name) for name in COMPUTED) == result:
                continue
            for name, value in zip(COMPUTED, result, strict=True):
                setattr(claim, name, value)
            claim.version += 1
            # updated_at moves: tools polling updated_since see the change.
            claim.save(update_fields=[*COMPUTED, "version", "updated_at"])
            record = HistoricalClaim.objects.create(
                **{name: getattr(claim, name) for name in history_fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                history_user=None,
            )
            # Each historical record carries the parties the claim was about then.
            HistoricalAbout.objects.bulk_create(
                HistoricalAbout(
                    history=record, id=row["id"], claim_id=claim.pk, source_id=row["source_id"]
                )
                for row in about.get(claim.pk, [])
            )
            if claim.status != old_status:
                ClaimChange.objects.create(
                    claim_id=claim.pk,
                    field="status",
                    from_value=old_status,
                    to_value=claim.status,
                    reason=REASON,
                    actor=None,
                    is_public=True,
                )
    # Every document lacks ``about`` and ``independent_disputes``: see the module docstring.
    ClaimDocument.objects.update(claim_version=OUTDATED)


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_claim_about")]

    operations = [migrations.RunPython(recompute_statuses, migrations.RunPython.noop)]
