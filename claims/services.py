"""Every write to sources, claims, appearances, evidence, verdicts and ratings goes through
here, so the admin, the API, the pages and the background jobs obey the same rules (STYLE.md,
services), and every write rewrites the status documents it affects (``claims.documents``).

Locking order, the same in every service so that two writers never wait for each other in a
circle (PostgreSQL would abort one with a deadlock):

1. rows that claims refer to and whose change recomputes claims: sources, ratings (ascending id);
2. claims (ascending id when several);
3. verdicts, then the changes feed's lock (``record_claim_change``);
4. documents: claim documents, then article documents in ascending id (``claims.documents``).

A source move locks the source, then recomputes its claims; adding evidence therefore locks
its source (shared) before the claim. Were it the other way round, the evidence's insert would
wait for the moved source (its foreign key check) while holding the claim the move waits for.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, ArticleRevision
from claims import documents
from claims.models import (
    QUOTE_CONTEXT,
    AnchorState,
    Appearance,
    Candidate,
    Claim,
    ClaimChange,
    Evidence,
    ExternalReview,
    Rating,
    ReviewState,
    Source,
    SourceAlias,
    Verdict,
)
from claims.status import EvidenceFact, compute_status
from core import events
from core.errors import ReviewRuleError, StaleVersionError


def require_permission(user, permission: str, action: str) -> None:
    """Every service that a role may not perform checks the user's permission here, so the
    admin, the pages, the API and its keys meet one rule."""
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(f"You do not have permission to {action}.")


def attribute_change(obj, user, reason: str = "") -> None:
    # django-simple-history takes the author from the request; outside a request (commands,
    # tasks, API keys) these attributes name it.
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    if reason:
        obj._change_reason = reason[:100]


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersionError(obj, expected_version)


# Any number; it names the lock that orders the changes feed.
CHANGES_FEED_LOCK = 7_305_001


def record_claim_change(**fields) -> ClaimChange:
    """Store one event of the changes feed (``/api/v1/changes/``), which pollers read by id.

    Ids come from a sequence, so on PostgreSQL two transactions can take ids 10 and 11 and
    commit 11 first: a poller that read 11 and moved its cursor past it would never see 10.
    A transaction-scoped advisory lock taken just before the insert and held until commit
    makes each event's transaction commit before the next event's id is drawn, so ids become
    visible in order and ``id > cursor`` never skips one. (SQLite takes its write lock at
    BEGIN IMMEDIATE, which already serialises writers.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHANGES_FEED_LOCK])
    return ClaimChange.objects.create(**fields)


def share_lock(model, ids: Iterable[int | None]) -> None:
    """Step 1 of the locking order for a writer that only refers to these rows: a shared lock,
    held until commit, so a concurrent move of a source (or edit of a rating) either commits
    first, and we read its result, or waits until we commit, and then sees our rows. Several
    writers may hold it at once. SQLite serialises writers already."""
    wanted = sorted({pk for pk in ids if pk is not None})
    if not wanted or connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR SHARE", [wanted])


def lock_claims(ids: Iterable[int]) -> dict[int, Claim]:
    """Step 2 of the locking order: these claims, in ascending id; those that still exist."""
    return {
        claim.pk: claim
        for claim in Claim.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    }


def article_ids_of(claim_ids: Iterable[int]) -> list[int]:
    return list(
        Appearance.objects.filter(claim_id__in=list(claim_ids))
        .values_list("revision__article_id", flat=True)
        .distinct()
    )


def actor_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


# Sources ---------------------------------------------------------------------------------


def _descendant_ids(source_id: int) -> set[int]:
    found: set[int] = set()
    frontier = {source_id}
    while frontier:
        frontier = (
            set(Source.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        )
        found |= frontier
    return found


def _refresh_roots(source: Source) -> None:
    """Set root on the source and its subtree, then recompute the claims whose independence
    may have changed."""
    root_id = source.parent.root_id if source.parent is not None else source.pk
    subtree = {source.pk} | _descendant_ids(source.pk)
    Source.objects.filter(pk__in=subtree).update(root_id=root_id)
    source.root_id = root_id
    affected = set(Claim.objects.filter(claimant_id__in=subtree).values_list("id", flat=True))
    affected |= set(
        Evidence.objects.filter(source_id__in=subtree).values_list("claim_id", flat=True)
    )
    # A claim about a source of the subtree: that party's top-level source changed, and with
    # it which evidence is interested (SPEC section 3).
    affected |= set(
        Claim.about.through.objects.filter(source_id__in=subtree).values_list("claim_id", flat=True)
    )
    # All at once in ascending id (the locking order), after the source: see the module's
    # docstring.
    for claim in lock_claims(affected).values():
        claim_recompute_status(claim=claim, reason=f"Source “{source.name}” moved in the tree")


def validate_source_parent(source: Source, parent: Source | None) -> None:
    if parent is None or source.pk is None:
        return
    if parent.pk == source.pk or source.pk in {a.pk for a in parent.ancestors()}:
        raise ValidationError(
            {
                "parent": f"“{parent}” is {source} itself or one of its sub-sources: "
                "a source cannot be its own ancestor."
            }
        )


@transaction.atomic
def source_create(
    *,
    name: str,
    kind: str,
    parent: Source | None = None,
    url: str = "",
    description: str = "",
    user=None,
) -> Source:
    source = Source(name=name, kind=kind, parent=parent, url=url, description=description)
    source.full_clean(exclude=["root"])
    attribute_change(source, user)
    source.save()
    source.root_id = parent.root_id if parent else source.pk
    Source.objects.filter(pk=source.pk).update(root_id=source.root_id)
    return source


@transaction.atomic
def source_update(*, source: Source, user=None, **fields) -> Source:
    # FOR NO KEY UPDATE: no key changes, so rows that merely refer to the source (a new
    # claim's claimant) need not wait; writers that read its root take a shared lock
    # (``share_lock``), which does wait.
    source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
    old_parent_id = source.parent_id
    for name, value in fields.items():
        setattr(source, name, value)
    validate_source_parent(source, source.parent)
    old_name, old_kind = Source.objects.filter(pk=source.pk).values_list("name", "kind").get()
    source.full_clean(exclude=["root"])
    attribute_change(source, user)
    source.save()
    if source.parent_id != old_parent_id:
        _refresh_roots(source)
    elif (source.name, source.kind) != (old_name, old_kind):
        # Explanations name interested evidence by its source ("Denied by the Ministry of
        # Defence of Russia, …"): say it under the new name.
        named = Evidence.objects.filter(source=source).values_list("claim_id", flat=True)
        for claim in lock_claims(named).values():
            claim_recompute_status(claim=claim, user=user, reason="Source renamed")
    if source.name != old_name:
        # Claim documents show their claimant's name.
        documents.claims_changed(source.claims.values_list("id", flat=True))
    return source


def _clean_alias(alias: str) -> str:
    # The straight apostrophe is the one claimant resolution compares with.
    return " ".join((alias or "").split()).replace("\u2019", "'")


@transaction.atomic
def source_alias_add(*, source: Source, alias: str, user=None) -> SourceAlias:
    """Another name the source goes by; the same alias twice (in any case) is refused."""
    require_permission(user, "claims.change_source", "change sources")
    row = SourceAlias(source=source, alias=_clean_alias(alias))
    row.full_clean()
    attribute_change(row, user)
    row.save()
    return row


@transaction.atomic
def source_alias_update(*, alias: SourceAlias, text: str, user=None) -> SourceAlias:
    require_permission(user, "claims.change_source", "change sources")
    alias.alias = _clean_alias(text)
    alias.full_clean()
    attribute_change(alias, user)
    alias.save()
    return alias


@transaction.atomic
def source_alias_remove(*, alias: SourceAlias, user=None) -> None:
    require_permission(user, "claims.change_source", "change sources")
    attribute_change(alias, user)
    alias.delete()


@transaction.atomic
def source_delete(*, source: Source, user) -> None:
    """Delete a source no claim is made by and no evidence comes from (they and sub-sources
    protect it). Claims about it lose that party: their status is recomputed, since its
    evidence may have been interested."""
    require_permission(user, "claims.delete_source", "delete sources")
    locked = Source.objects.select_for_update().filter(pk=source.pk).first()
    if locked is None:
        return
    about_it = lock_claims(
        Claim.about.through.objects.filter(source_id=locked.pk).values_list("claim_id", flat=True)
    )
    name = locked.name
    for claim in about_it.values():
        set_about(claim, [s for s in claim.about.all() if s.pk != locked.pk])
    attribute_change(locked, user)
    locked.delete()
    for claim in about_it.values():
        claim_recompute_status(claim=claim, user=user, reason=f"Source “{name}” deleted")


# Claims ----------------------------------------------------------------------------------


def set_about(claim: Claim, parties: Iterable[Source]) -> bool:
    """Set the parties the (locked) claim is about; True when they changed. The caller saves
    the claim next, which records them in its history (one record, not one per added or
    removed party), and recomputes its status."""
    wanted = {party.pk for party in parties}
    if wanted == set(claim.about.values_list("pk", flat=True)):
        return False
    # django-simple-history would record the claim once per m2m signal otherwise.
    claim.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        claim.about.set(wanted)
    finally:
        del claim.skip_history_when_saving  # type: ignore[attr-defined]
    return True


@transaction.atomic
def claim_create(
    *,
    statement: str,
    claimant: Source,
    user=None,
    about: Iterable[Source] = (),
    needs_review: bool = False,
    needs_review_reason: str = "",
    assignee=None,
) -> Claim:
    if claimant is None:
        # Only an imported fact-check may lack one (claims.imports); the newsroom's own claims
        # always name who made them (SPEC section 2).
        raise ValidationError({"claimant": "Choose who made the claim."})
    about = list(about)
    # The parties' roots decide independence: see the locking order.
    share_lock(Source, [party.pk for party in about])
    claim = Claim(
        statement=statement,
        claimant=claimant,
        assignee=assignee,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        needs_review=needs_review,
        needs_review_reason=needs_review_reason,
    )
    claim.full_clean()
    attribute_change(claim, user)
    claim.save()
    if about:
        set_about(claim, about)
        # Nothing to recompute from (no evidence yet); the history records the parties.
        attribute_change(claim, user)
        claim.save()
    documents.claims_changed([claim.pk])
    # Open candidates may restate it: the pipeline matches them again after commit.
    events.touch_claims([claim.pk])
    return claim


@transaction.atomic
def claim_create_with_appearances(
    *,
    statement: str,
    claimant: Source,
    appearances: Sequence[tuple[Article, str]] = (),
    about: Iterable[Source] = (),
    user=None,
) -> Claim:
    """A claim and where it appears: each quote is anchored in its article's current
    revision. Nothing is stored unless every quote is found."""
    claim = claim_create(statement=statement, claimant=claimant, about=about, user=user)
    problems = []
    for index, (article, quote) in enumerate(appearances, start=1):
        # Read now, not from the caller's copy: ingestion may have stored a newer revision.
        revision = ArticleRevision.objects.filter(
            pk=Article.objects.filter(pk=article.pk).values("current_revision")[:1]
        ).first()
        if revision is None:
            problems.append(
                f"Appearance {index}: article {article.pk} has no text yet "
                f"(its ingestion is {article.state}); add the appearance once it is fetched."
            )
            continue
        try:
            appearance_create(claim=claim, revision=revision, quote=quote, user=user)
        except ValidationError as exc:
            messages = " ".join(message for message in exc.messages)
            problems.append(f"Appearance {index} (article {article.pk}): {messages}")
    if problems:
        raise ValidationError({"appearances": problems})
    claim.refresh_from_db()
    return claim


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    user=None,
    expected_version: int | None = None,
    about: Iterable[Source] | None = None,
    **fields,
) -> Claim:
    """Edit a claim's fields and, when ``about`` is given, the parties it is about. A new
    claimant or new parties recompute the status: they decide which evidence is interested."""
    # The new claimant and parties before the claim (the locking order): their roots decide
    # independence.
    new_claimant = fields.get("claimant")
    about = list(about) if about is not None else None
    share_lock(
        Source,
        [new_claimant.pk if new_claimant is not None else None]
        + [party.pk for party in about or ()],
    )
    # Locking the row makes the version check and the write one step: two editors saving at
    # once are serialised, and the second sees the first one's version.
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    _check_version(locked, expected_version)
    old_claimant_id = locked.claimant_id
    old_statement = locked.statement
    for name, value in fields.items():
        setattr(locked, name, value)
    if fields.get("needs_review") is False:
        locked.needs_review_reason = ""
    if locked.claimant_id is None and not ExternalReview.objects.filter(claim=locked).exists():
        raise ValidationError({"claimant": "Choose who made the claim."})
    locked.full_clean()
    about_changed = about is not None and set_about(locked, about)
    locked.version += 1
    attribute_change(locked, user)
    locked.save()
    reasons = []
    if locked.claimant_id != old_claimant_id:
        reasons.append("Claimant changed")
    if about_changed:
        reasons.append("Parties the claim is about changed")
    if reasons:
        claim_recompute_status(claim=locked, user=user, reason="; ".join(reasons))
    else:
        documents.claims_changed([locked.pk])
    if locked.statement != old_statement:
        # Other words may match other candidates, or no longer match their own.
        events.touch_claims([locked.pk])
    return locked


def claim_recompute_status(*, claim: Claim, user=None, reason: str = "") -> Claim:
    """Recompute status, explanation and counts from the evidence. Call it inside the
    transaction that changed the evidence, with the claim row locked."""
    # An imported fact-check whose claimant is no source on record has no side: every
    # source is independent of it (0 is no source's id).
    claimant = (
        Source.objects.only("id", "root_id").get(pk=claim.claimant_id)
        if claim.claimant_id is not None
        else Source(pk=0, root_id=0)
    )
    about_root_ids = {
        root_id or source_id for source_id, root_id in claim.about.values_list("id", "root_id")
    }
    facts = [
        EvidenceFact(
            stance=stance,
            source_id=source_id,
            source_root_id=root_id or source_id,
            source_name=name,
            source_kind=kind,
        )
        for stance, source_id, root_id, name, kind in Evidence.objects.filter(claim=claim)
        .order_by("created_at", "id")
        .values_list("stance", "source_id", "source__root_id", "source__name", "source__kind")
    ]
    result = compute_status(
        claimant_root_id=claimant.root_id or claimant.pk,
        about_root_ids=about_root_ids,
        evidence=facts,
    )
    old_status = claim.status
    claim.status = result.status
    claim.status_explanation = result.explanation
    claim.corroborates_count = result.corroborates
    claim.disputes_count = result.disputes
    claim.context_count = result.context
    claim.independent_corroborates_count = result.independent_corroborates
    claim.independent_disputes_count = result.independent_disputes
    claim.version += 1
    attribute_change(claim, user, reason)
    claim.save()
    if old_status != result.status:
        record_claim_change(
            claim=claim,
            field=ClaimChange.Field.STATUS,
            from_value=old_status,
            to_value=result.status,
            reason=(f"{reason}. " if reason else "") + result.explanation,
            actor=user if getattr(user, "is_authenticated", False) else None,
            is_public=True,
        )
    documents.claims_changed([claim.pk])
    if old_status != result.status:
        # After the documents, which the event's data is read from (SPEC section 10).
        change: dict[str, Any] = {"from": old_status, "to": result.status, "reason": reason}
        events.emit(events.CLAIM_STATUS_CHANGED, claim_id=claim.pk, **change)
    return claim


@transaction.atomic
def claim_flag_for_review(*, claim: Claim, reason: str, user=None) -> Claim:
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    locked.needs_review = True
    existing = [line for line in locked.needs_review_reason.splitlines() if line]
    if reason not in existing:
        existing.append(reason)
    locked.needs_review_reason = "\n".join(existing)
    locked.version += 1
    attribute_change(locked, user, "Flagged for review")
    locked.save()
    documents.claims_changed([locked.pk])
    events.emit(events.CLAIM_FLAGGED, claim_id=locked.pk, reason=reason)
    return locked


@transaction.atomic
def claim_delete(*, claim: Claim, user, reason: str = "") -> None:
    """Delete a claim with its evidence, appearances, figures and verdict. Its status history
    and changes-feed events stay, under its id, with a ``deleted`` event last (SPEC section
    7); its document goes and the documents of the articles it appeared in are rewritten."""
    require_permission(user, "claims.delete_claim", "delete claims")
    locked = lock_claims([claim.pk]).get(claim.pk)
    if locked is None:
        return  # deleted meanwhile by someone else
    article_ids = article_ids_of([locked.pk])
    record_claim_change(
        claim=locked,
        field=ClaimChange.Field.CLAIM,
        to_value=ClaimChange.DELETED,
        reason=reason or "Claim deleted",
        actor=actor_or_none(user),
        is_public=True,
    )
    attribute_change(locked, user, reason or "Deleted")
    # Candidates matched to it lose the match with its score and flag (the foreign key alone
    # would leave "likely the same" without a claim, which candidate_likely_same_has_match
    # forbids).
    Candidate.objects.filter(matched_claim=locked).update(
        matched_claim=None, match_score=None, match_likely_same=False
    )
    locked.delete()
    documents.articles_changed(article_ids)


# Appearances -----------------------------------------------------------------------------


def anchor_quote(text: str, quote: str, start: int | None = None) -> tuple[int, int]:
    """Where ``quote`` stands in ``text``: at ``start`` if given, else its first occurrence."""
    quote = quote.strip()
    if not quote:
        raise ValidationError({"quote": "The quote is empty."})
    if start is not None:
        if text[start : start + len(quote)] != quote:
            raise ValidationError({"quote": f"The quote is not at position {start} in the text."})
        return start, start + len(quote)
    position = text.find(quote)
    if position < 0:
        raise ValidationError(
            {
                "quote": "The quote does not appear in this revision of the article; "
                "copy it exactly from the article text."
            }
        )
    return position, position + len(quote)


@transaction.atomic
def appearance_create(
    *,
    claim: Claim,
    revision: ArticleRevision,
    quote: str,
    start: int | None = None,
    anchor_state: str = AnchorState.EXACT,
    user=None,
) -> Appearance:
    begin, end = anchor_quote(revision.text, quote, start)
    if Appearance.objects.filter(claim=claim, revision=revision).exists():
        raise ValidationError(
            {"revision": "This claim already has an appearance in this revision."}
        )
    appearance = Appearance(
        claim=claim,
        revision=revision,
        quote=revision.text[begin:end],
        prefix=revision.text[max(0, begin - QUOTE_CONTEXT) : begin],
        suffix=revision.text[end : end + QUOTE_CONTEXT],
        start=begin,
        end=end,
        anchor_state=anchor_state,
    )
    attribute_change(appearance, user)
    appearance.save()
    documents.claims_changed([claim.pk])
    return appearance


@transaction.atomic
def appearance_delete(*, appearance: Appearance, user=None) -> None:
    """Remove where a claim appears; the claim's document and those of its articles (the one
    it no longer appears in included) are rewritten."""
    locked_claim = Claim.objects.select_for_update().get(pk=appearance.claim_id)
    article_ids = article_ids_of([locked_claim.pk])
    current = Appearance.objects.filter(pk=appearance.pk).first()
    if current is None:
        return
    attribute_change(current, user)
    current.delete()
    documents.claims_changed([locked_claim.pk], articles=article_ids)


# Evidence --------------------------------------------------------------------------------


def _locked_claim(claim: Claim, expected_version: int | None) -> Claim:
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    _check_version(locked, expected_version)
    return locked


@transaction.atomic
def evidence_create(
    *,
    claim: Claim,
    stance: str,
    source: Source,
    url: str,
    title: str,
    quote: str = "",
    published_at=None,
    user=None,
    expected_claim_version: int | None = None,
) -> Evidence:
    share_lock(Source, [source.pk])  # before the claim: see the locking order
    locked = _locked_claim(claim, expected_claim_version)
    evidence = Evidence(
        claim=locked,
        stance=stance,
        source=source,
        url=url,
        title=title,
        quote=quote,
        published_at=published_at,
        added_by=user if getattr(user, "is_authenticated", False) else None,
    )
    evidence.full_clean()
    attribute_change(evidence, user)
    evidence.save()
    claim_recompute_status(
        claim=locked, user=user, reason=f"{evidence.get_stance_display()} evidence added"
    )
    return evidence


@transaction.atomic
def evidence_update(
    *, evidence: Evidence, user=None, expected_claim_version: int | None = None, **fields
) -> Evidence:
    new_source = fields.get("source")
    share_lock(Source, [evidence.source_id, new_source.pk if new_source is not None else None])
    locked_claim = _locked_claim(evidence.claim, expected_claim_version)
    current = Evidence.objects.get(pk=evidence.pk)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    attribute_change(current, user)
    current.save()
    claim_recompute_status(claim=locked_claim, user=user, reason="Evidence changed")
    return current


@transaction.atomic
def evidence_delete(
    *, evidence: Evidence, user=None, expected_claim_version: int | None = None
) -> None:
    locked_claim = _locked_claim(evidence.claim, expected_claim_version)
    stance = evidence.get_stance_display()
    attribute_change(evidence, user)
    evidence.delete()
    claim_recompute_status(claim=locked_claim, user=user, reason=f"{stance} evidence removed")


# Verdicts --------------------------------------------------------------------------------


def _record_verdict_change(verdict: Verdict, old_state: str, user, reason: str) -> None:
    record_claim_change(
        claim_id=verdict.claim_id,
        field=ClaimChange.Field.VERDICT,
        from_value=old_state,
        to_value=verdict.state,
        rating_label=verdict.rating.label,
        reason=reason,
        actor=user if getattr(user, "is_authenticated", False) else None,
        # Anonymous readers learn of publications only, never of drafts or reviews.
        is_public=verdict.state == ReviewState.PUBLISHED,
    )
    # Every verdict step changes what editors see, and publishing what everyone sees.
    documents.claims_changed([verdict.claim_id])


@transaction.atomic
def verdict_save(
    *,
    claim: Claim,
    user,
    rating: Rating,
    explanation: str,
    expected_version: int | None = None,
) -> Verdict:
    """Write or revise a verdict. Revising one that is in review or published returns it to
    draft; the published text stays public until the revision is published."""
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": "A verdict needs a written explanation."})
    share_lock(Rating, [rating.pk])  # before the claim: see the locking order
    Claim.objects.select_for_update().get(pk=claim.pk)
    verdict = Verdict.objects.select_for_update().filter(claim=claim).first()
    if verdict is None:
        require_permission(user, "claims.add_verdict", "write verdicts")
        verdict = Verdict(claim=claim, rating=rating, explanation=explanation, written_by=user)
        verdict.full_clean(exclude=["claim"])
        attribute_change(verdict, user)
        verdict.save()
        _record_verdict_change(verdict, "", user, f"Draft verdict written: {rating.label}")
        return verdict

    require_permission(user, "claims.change_verdict", "edit verdicts")
    _check_version(verdict, expected_version)
    if verdict.rating_id == rating.pk and verdict.explanation == explanation:
        return verdict
    old_state, old_rating = verdict.state, verdict.rating.label
    verdict.rating = rating
    verdict.explanation = explanation
    verdict.written_by = user
    verdict.state = ReviewState.DRAFT
    verdict.submitted_at = None
    verdict.version += 1
    attribute_change(verdict, user)
    verdict.save()
    if old_rating != rating.label:
        reason = f"Rating changed from {old_rating} to {rating.label}"
    else:
        reason = "Explanation revised"
    _record_verdict_change(verdict, old_state, user, reason)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user, expected_version: int | None = None) -> Verdict:
    require_permission(user, "claims.change_verdict", "submit verdicts for review")
    locked = Verdict.objects.select_for_update().select_related("rating").get(pk=verdict.pk)
    _check_version(locked, expected_version)
    if locked.state != ReviewState.DRAFT:
        raise ReviewRuleError(
            "Only a draft can be submitted for review; "
            f"this verdict is {locked.get_state_display().lower()}."
        )
    locked.state = ReviewState.IN_REVIEW
    locked.submitted_at = timezone.now()
    locked.version += 1
    attribute_change(locked, user, "Submitted for review")
    locked.save()
    _record_verdict_change(locked, ReviewState.DRAFT, user, "Submitted for review")
    events.emit(events.VERDICT_SUBMITTED, claim_id=locked.claim_id, verdict_id=locked.pk)
    return locked


@transaction.atomic
def verdict_publish(*, verdict: Verdict, user, expected_version: int | None = None) -> Verdict:
    require_permission(user, "claims.publish_verdict", "publish verdicts")
    locked = Verdict.objects.select_for_update().select_related("rating").get(pk=verdict.pk)
    _check_version(locked, expected_version)
    if locked.state != ReviewState.IN_REVIEW:
        raise ReviewRuleError(
            "Only a verdict in review can be published; submit it for review first."
            if locked.state == ReviewState.DRAFT
            else "This verdict is already published."
        )
    if _second_editor_required(locked, user):
        raise ReviewRuleError(
            "A second editor must publish this verdict: you wrote it, and second review is on "
            "(FACTCHECK_SECOND_REVIEW)."
        )
    locked.state = ReviewState.PUBLISHED
    locked.published_rating = locked.rating
    locked.published_explanation = locked.explanation
    locked.published_at = timezone.now()
    locked.published_by = user
    locked.version += 1
    attribute_change(locked, user, "Published")
    locked.save()
    _record_verdict_change(locked, ReviewState.IN_REVIEW, user, f"Published: {locked.rating.label}")
    events.emit(events.VERDICT_PUBLISHED, claim_id=locked.claim_id, verdict_id=locked.pk)
    return locked


@transaction.atomic
def verdict_return_to_draft(
    *, verdict: Verdict, user, reason: str = "", expected_version: int | None = None
) -> Verdict:
    require_permission(user, "claims.change_verdict", "return verdicts to draft")
    locked = Verdict.objects.select_for_update().select_related("rating").get(pk=verdict.pk)
    _check_version(locked, expected_version)
    if locked.state == ReviewState.DRAFT:
        raise ReviewRuleError("This verdict is already a draft.")
    old_state = locked.state
    locked.state = ReviewState.DRAFT
    locked.submitted_at = None
    locked.version += 1
    attribute_change(locked, user, "Returned to draft")
    locked.save()
    _record_verdict_change(locked, old_state, user, reason or "Returned to draft for revision")
    returned: dict[str, Any] = {
        "from": old_state,
        "reason": reason or "Returned to draft for revision",
    }
    events.emit(events.VERDICT_RETURNED, claim_id=locked.claim_id, verdict_id=locked.pk, **returned)
    return locked


@transaction.atomic
def verdict_delete(*, verdict: Verdict, user, reason: str = "") -> None:
    """Delete a verdict, published or not. The event says so (publicly when the verdict was
    public), and the claim's document no longer shows it."""
    require_permission(user, "claims.delete_verdict", "delete verdicts")
    Claim.objects.select_for_update().get(pk=verdict.claim_id)
    locked = Verdict.objects.select_for_update().select_related("rating").filter(pk=verdict.pk)
    current = locked.first()
    if current is None:
        return
    attribute_change(current, user, reason or "Deleted")
    current.delete()
    record_claim_change(
        claim_id=verdict.claim_id,
        field=ClaimChange.Field.VERDICT,
        from_value=current.state,
        to_value=ClaimChange.DELETED,
        rating_label=current.rating.label,
        reason=reason or "Verdict deleted",
        actor=actor_or_none(user),
        # The public learns that a verdict it was shown is withdrawn, never of a draft.
        is_public=current.published_at is not None,
    )
    documents.claims_changed([verdict.claim_id])


def _second_editor_required(verdict: Verdict, user) -> bool:
    return bool(settings.FACTCHECK_SECOND_REVIEW) and verdict.written_by_id == user.pk


def verdict_steps_allowed(*, verdict: Verdict, user) -> list[str]:
    """The review steps ("submit", "publish", "draft") ``user`` may take on ``verdict`` now,
    by the permissions and rules the three services above enforce: the admin and the pages
    offer only these buttons (SPEC section 8: editors only see the buttons they may use)."""
    may_change = user.has_perm("claims.change_verdict")
    steps = []
    if may_change and verdict.state == ReviewState.DRAFT:
        steps.append("submit")
    if (
        verdict.state == ReviewState.IN_REVIEW
        and user.has_perm("claims.publish_verdict")
        and not _second_editor_required(verdict, user)
    ):
        steps.append("publish")
    if may_change and verdict.state != ReviewState.DRAFT:
        steps.append("draft")
    return steps


def verdicts_apply(
    action, verdicts: Iterable[Verdict], user
) -> tuple[list[Verdict], list[tuple[Verdict, str]]]:
    """Apply one review step to several verdicts; return those done and those refused, why."""
    done, refused = [], []
    for verdict in verdicts:
        try:
            done.append(action(verdict=verdict, user=user))
        except (ReviewRuleError, PermissionDenied, StaleVersionError) as exc:
            refused.append((verdict, str(exc)))
    return done, refused


# The rating scale ------------------------------------------------------------------------

RATING_FIELDS = ("label", "ordinal", "description")


@transaction.atomic
def rating_create(*, user, label: str, ordinal: int | None = None, description: str = ""):
    require_permission(user, "claims.add_rating", "edit the rating scale")
    rating = Rating(label=label, ordinal=ordinal, description=description)
    rating.full_clean()
    attribute_change(rating, user)
    rating.save()
    return rating


@transaction.atomic
def rating_update(*, rating: Rating, user, **fields) -> Rating:
    """Rename or re-rank a rating; every claim whose verdict (working or published) uses it
    shows the new label and place in its document."""
    require_permission(user, "claims.change_rating", "edit the rating scale")
    # The rating first (step 1 of the locking order), so a verdict taking this rating
    # meanwhile (``verdict_save`` locks it shared) is either in the list below or renders
    # after our commit.
    locked = Rating.objects.select_for_update().get(pk=rating.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    attribute_change(locked, user)
    locked.save()
    claim_ids = Verdict.objects.filter(Q(rating=locked) | Q(published_rating=locked)).values_list(
        "claim_id", flat=True
    )
    locked_claims = lock_claims(claim_ids)
    documents.claims_changed(list(locked_claims))
    return locked


@transaction.atomic
def rating_delete(*, rating: Rating, user) -> None:
    """Delete a rating no verdict uses (verdicts protect theirs): no document shows it."""
    require_permission(user, "claims.delete_rating", "edit the rating scale")
    locked = Rating.objects.select_for_update().filter(pk=rating.pk).first()
    if locked is None:
        return
    attribute_change(locked, user)
    locked.delete()
