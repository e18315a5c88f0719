"""Every write to sources, claims, appearances, evidence and verdicts goes through here, so the
admin, the API, the pages and the background jobs obey the same rules (STYLE.md, services).
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, ArticleRevision
from claims import documents
from claims.models import (
    QUOTE_CONTEXT,
    AnchorState,
    Appearance,
    Claim,
    ClaimChange,
    Evidence,
    Rating,
    ReviewState,
    Source,
    SourceAlias,
    Verdict,
)
from claims.status import EvidenceFact, compute_status
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


def _record_claim_change(**fields) -> ClaimChange:
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
    affected = Claim.objects.filter(claimant_id__in=subtree) | Claim.objects.filter(
        evidence__source_id__in=subtree
    )
    for claim_id in affected.values_list("id", flat=True).distinct():
        claim = Claim.objects.select_for_update().get(pk=claim_id)
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
    source = Source.objects.select_for_update().get(pk=source.pk)
    old_parent_id = source.parent_id
    for name, value in fields.items():
        setattr(source, name, value)
    validate_source_parent(source, source.parent)
    old_name = Source.objects.filter(pk=source.pk).values_list("name", flat=True).get()
    source.full_clean(exclude=["root"])
    attribute_change(source, user)
    source.save()
    if source.parent_id != old_parent_id:
        _refresh_roots(source)
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


# Claims ----------------------------------------------------------------------------------


@transaction.atomic
def claim_create(
    *,
    statement: str,
    claimant: Source,
    user=None,
    needs_review: bool = False,
    needs_review_reason: str = "",
    assignee=None,
) -> Claim:
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
    documents.claims_changed([claim.pk])
    return claim


@transaction.atomic
def claim_create_with_appearances(
    *,
    statement: str,
    claimant: Source,
    appearances: Sequence[tuple[Article, str]] = (),
    user=None,
) -> Claim:
    """A claim and where it appears: each quote is anchored in its article's current
    revision. Nothing is stored unless every quote is found."""
    claim = claim_create(statement=statement, claimant=claimant, user=user)
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
    *, claim: Claim, user=None, expected_version: int | None = None, **fields
) -> Claim:
    # Locking the row makes the version check and the write one step: two editors saving at
    # once are serialised, and the second sees the first one's version.
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    _check_version(locked, expected_version)
    old_claimant_id = locked.claimant_id
    for name, value in fields.items():
        setattr(locked, name, value)
    if fields.get("needs_review") is False:
        locked.needs_review_reason = ""
    locked.full_clean()
    locked.version += 1
    attribute_change(locked, user)
    locked.save()
    if locked.claimant_id != old_claimant_id:
        claim_recompute_status(claim=locked, user=user, reason="Claimant changed")
    else:
        documents.claims_changed([locked.pk])
    return locked


def claim_recompute_status(*, claim: Claim, user=None, reason: str = "") -> Claim:
    """Recompute status, explanation and counts from the evidence. Call it inside the
    transaction that changed the evidence, with the claim row locked."""
    claimant = Source.objects.only("id", "root_id").get(pk=claim.claimant_id)
    facts = [
        EvidenceFact(stance=stance, source_id=source_id, source_root_id=root_id or source_id)
        for stance, source_id, root_id in Evidence.objects.filter(claim=claim).values_list(
            "stance", "source_id", "source__root_id"
        )
    ]
    result = compute_status(
        claimant_id=claimant.pk, claimant_root_id=claimant.root_id or claimant.pk, evidence=facts
    )
    old_status = claim.status
    claim.status = result.status
    claim.status_explanation = result.explanation
    claim.corroborates_count = result.corroborates
    claim.disputes_count = result.disputes
    claim.context_count = result.context
    claim.independent_corroborates_count = result.independent_corroborates
    claim.version += 1
    attribute_change(claim, user, reason)
    claim.save()
    if old_status != result.status:
        _record_claim_change(
            claim=claim,
            field=ClaimChange.Field.STATUS,
            from_value=old_status,
            to_value=result.status,
            reason=(f"{reason}. " if reason else "") + result.explanation,
            actor=user if getattr(user, "is_authenticated", False) else None,
            is_public=True,
        )
    documents.claims_changed([claim.pk])
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
    return locked


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
    _record_claim_change(
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
    if settings.FACTCHECK_SECOND_REVIEW and locked.written_by_id == user.pk:
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
    return locked


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
