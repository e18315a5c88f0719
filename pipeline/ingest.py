"""The ingestion pipeline: fetch (or read a file), extract, record the revision, re-anchor the
claims, schedule the next check (SPEC section 5). Used by the tasks and the commands alike.

The check-worthy candidates of a new revision (SPEC section 6) are found after the revision is
committed: by their own task (``pipeline.tasks.generate_candidates``, queued by the task that
stored the revision) for the workers, or at once for the synchronous commands, which print
them. Sentence analysis then never holds the
article's transaction (and SQLite's write lock) open, and a failure in it never undoes or
holds up the revision it reads.

Every outcome, good or bad, is stored: on the article (state, last error, next check) and as
an ``ArticleCheck`` row. A failure never touches the revisions, so the last good one stays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.errors import CheckFailed
from articles.extract import Extracted, ExtractionError, extract_file, extract_response
from articles.fetch import DomainBusy, FetchError, fetch
from articles.models import (
    Article,
    ArticleCheck,
    ArticleRevision,
    ArticleState,
    CheckOutcome,
)
from articles.schedule import article_next_check
from articles.services import article_get_or_create, revision_record
from claims.anchoring import reanchor_appearances
from claims.candidates import candidates_generate

logger = logging.getLogger(__name__)

# Local files have no web address; they get one under a reserved name that never resolves
# (RFC 2606), so they can be told apart and are never fetched.
LOCAL_URL_BASE = "https://local-file.invalid/"
# A pasted text with no URL of its own (the inbox's "add by pasted text") is known by an
# address under another reserved name, derived from its text; there is nothing to fetch.
PASTED_TEXT_URL_BASE = "https://pasted-text.invalid/"
# Not a stored outcome: the check was put off by our own per-domain delay, not done.
DEFERRED = "deferred"


@dataclass
class CheckReport:
    article: Article
    outcome: str
    revision: ArticleRevision | None = None
    error: FetchError | None = None
    # The revision was stored but finding its candidates failed (the synchronous commands).
    candidates_failed: bool = False

    @property
    def message(self) -> str:
        return str(self.error) if self.error else ""

    @property
    def failed(self) -> bool:
        """The item ended in an error (a 404, a refused address, an extraction error, a bug);
        "not modified" and "deferred" are not failures."""
        return self.outcome == CheckOutcome.ERROR or self.candidates_failed


def _after_text_change(*, revision: ArticleRevision, previous: ArticleRevision | None) -> None:
    """What follows a new revision, or a return to an earlier one, in the transaction that
    stored it: the claims' appearances are re-anchored (and changed ones flagged)."""
    if previous is not None:
        reanchor_appearances(previous=previous, current=revision)


def _find_candidates_if_asked(report: CheckReport, *, candidates_now: bool) -> CheckReport:
    """The synchronous commands find a new revision's candidates before printing them; the
    tasks queue them for a worker instead (``pipeline.tasks``).

    A failure here comes after the revision was committed: it is recorded as the worker's
    would be (``revision_candidates_failed``: a check row naming the remedy), the article's
    state stays that of its fetch, and the report says the item failed."""
    if candidates_now and report.outcome == CheckOutcome.NEW_REVISION:
        try:
            candidates_generate(revision=report.revision)
        except Exception as exc:
            logger.exception("candidates of revision %s failed", report.revision.pk)
            revision_candidates_failed(revision_id=report.revision.pk, error=exc)
            report.error = CheckFailed.wrapping(exc, url=report.article.url)
            report.candidates_failed = True
    return report


def _record_failure(article: Article, error: FetchError, now) -> CheckReport:
    failures = article.failure_count + 1
    next_check = article_next_check(
        last_changed_at=article.last_changed_at, now=now, failure_count=failures
    )
    with transaction.atomic():
        # An UPDATE, not save(): the error is bookkeeping, and the current revision must stay
        # whatever it was (the last good text is kept on failure).
        Article.objects.filter(pk=article.pk).update(
            state=ArticleState.ERROR,
            last_error=str(error),
            last_error_public=error.public_message[:300],
            last_checked_at=now,
            failure_count=F("failure_count") + 1,
            next_check_at=next_check,
        )
        ArticleCheck.objects.create(
            article=article, checked_at=now, outcome=CheckOutcome.ERROR, message=str(error)
        )
    article.refresh_from_db()
    logger.info("article %s: %s", article.pk, error)
    return CheckReport(article=article, outcome=CheckOutcome.ERROR, error=error)


def _record_not_modified(article: Article, now, etag: str, last_modified: str) -> CheckReport:
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(
            state=ArticleState.OK if article.current_revision_id else article.state,
            last_error="" if article.current_revision_id else article.last_error,
            last_error_public=("" if article.current_revision_id else article.last_error_public),
            last_checked_at=now,
            failure_count=0,
            etag=etag,
            last_modified=last_modified,
            next_check_at=article_next_check(last_changed_at=article.last_changed_at, now=now),
        )
        ArticleCheck.objects.create(
            article=article,
            checked_at=now,
            outcome=CheckOutcome.NOT_MODIFIED,
            revision_id=article.current_revision_id,
        )
    article.refresh_from_db()
    return CheckReport(
        article=article, outcome=CheckOutcome.NOT_MODIFIED, revision=article.current_revision
    )


@transaction.atomic
def _record_extracted(
    article: Article, extracted: Extracted, now, *, etag: str = "", last_modified: str = ""
) -> CheckReport:
    locked = Article.objects.select_for_update().get(pk=article.pk)
    previous = locked.current_revision
    revision, created = revision_record(
        article=locked, text=extracted.text, title=extracted.title, fetched_at=now
    )
    if created:
        outcome = CheckOutcome.NEW_REVISION
        _after_text_change(revision=revision, previous=previous)
    elif previous is not None and previous.pk != revision.pk:
        outcome = CheckOutcome.RETURNED
        _after_text_change(revision=revision, previous=previous)
    else:
        outcome = CheckOutcome.UNCHANGED

    locked.refresh_from_db()
    last_changed = locked.last_changed_at or now
    if previous is None:
        # A first revision: the page's own dates say how old the text is, so an old article
        # ingested today is not checked every 15 minutes.
        stated = extracted.modified_at or extracted.published_at
        if stated and stated < now:
            last_changed = stated
    metadata = {
        "publisher": extracted.publisher or locked.publisher,
        "authors": extracted.authors or locked.authors,
        "published_at": extracted.published_at or locked.published_at,
        "modified_at": extracted.modified_at or locked.modified_at,
        "language": extracted.language or locked.language,
        "title": extracted.title or locked.title,
    }
    Article.objects.filter(pk=locked.pk).update(
        **metadata,
        last_changed_at=last_changed,
        last_checked_at=now,
        failure_count=0,
        etag=etag,
        last_modified=last_modified,
        next_check_at=article_next_check(last_changed_at=last_changed, now=now),
    )
    message = ""
    if outcome == CheckOutcome.RETURNED:
        message = (
            f"The text is again that of revision {revision.number} "
            f"(it had been revision {previous.number})."
        )
    ArticleCheck.objects.create(
        article=locked, checked_at=now, outcome=outcome, revision=revision, message=message
    )
    locked.refresh_from_db()
    return CheckReport(article=locked, outcome=outcome, revision=revision)


def article_check(
    *, article: Article, max_domain_wait: float | None = None, candidates_now: bool = False
) -> CheckReport:
    """Fetch (or read) the article again and record what came of it. Never raises for a
    failure of the site or the page, nor for an unexpected exception (a bug, the cache or
    the database out of reach): that is stored on the article and returned, so a batch goes
    on with its next article (SPEC section 9). Only a failure to record the failure raises.

    With ``max_domain_wait`` (the tasks), a check that would wait longer than that for its
    turn at the site is put off: the article is due again when its turn comes. A new
    revision's candidates are queued for a worker, or found before returning with
    ``candidates_now`` (the synchronous commands)."""
    now = timezone.now()
    try:
        return _article_check(
            article, now, max_domain_wait=max_domain_wait, candidates_now=candidates_now
        )
    except Exception as exc:
        return article_check_failed(article=article, error=exc, now=now)


def article_check_failed(*, article: Article, error: BaseException, now=None) -> CheckReport:
    """Record an unexpected exception of a check on the article, as a failed fetch is: error
    state, the exception's type and message, a check row and a next check with backoff. The
    traceback goes to the log."""
    logger.error("article %s: the check failed", article.pk, exc_info=error)
    article.refresh_from_db()
    return _record_failure(
        article, CheckFailed.wrapping(error, url=article.url), now or timezone.now()
    )


def _article_check(
    article: Article, now, *, max_domain_wait: float | None, candidates_now: bool
) -> CheckReport:
    if article.url.startswith(PASTED_TEXT_URL_BASE):
        # A re-check asked for by hand (the admin, the API): the text is all there is.
        return CheckReport(article=article, outcome=CheckOutcome.UNCHANGED)
    try:
        if article.local_path:
            extracted = extract_file(Path(article.local_path))
            return _find_candidates_if_asked(
                _record_extracted(article, extracted, now), candidates_now=candidates_now
            )
        result = fetch(
            article.url,
            etag=article.etag,
            last_modified=article.last_modified,
            max_domain_wait=max_domain_wait,
        )
        if result.not_modified:
            return _record_not_modified(article, now, result.etag, result.last_modified)
        extracted = extract_response(result)
    except DomainBusy as busy:
        Article.objects.filter(pk=article.pk).update(
            next_check_at=now + dt.timedelta(seconds=busy.retry_after or 60)
        )
        return CheckReport(article=article, outcome=DEFERRED, error=busy)
    except FetchError as error:
        return _record_failure(article, error, now)
    try:
        report = _record_extracted(
            article, extracted, now, etag=result.etag, last_modified=result.last_modified
        )
    except ValidationError as error:
        return _record_failure(article, ExtractionError(error.messages[0], url=article.url), now)
    return _find_candidates_if_asked(report, candidates_now=candidates_now)


def revision_candidates_failed(*, revision_id: int, error: BaseException) -> None:
    """Finding a revision's candidates failed for good: recorded among the article's checks,
    where editors look, without touching the article's state (its text was stored)."""
    revision = ArticleRevision.objects.filter(pk=revision_id).select_related("article").first()
    if revision is None:
        return
    logger.error("candidates of revision %s failed: %r", revision_id, error)
    ArticleCheck.objects.create(
        article=revision.article,
        checked_at=timezone.now(),
        outcome=CheckOutcome.ERROR,
        revision=revision,
        message=(
            f"The check-worthy sentences of revision {revision.number} could not be found "
            f"({type(error).__name__}: {error}). The text is stored; the admin's action “Find "
            "the candidates again in the current text” (Articles), or the next new revision, "
            "looks again."
        )[:2000],
    )


def article_ingest_url(*, url: str, user=None, candidates_now: bool = False) -> CheckReport:
    """Add the article at this URL (or find it) and check it now."""
    article, _ = article_get_or_create(url=url, user=user)
    return article_check(article=article, candidates_now=candidates_now)


def local_file_url(path: Path) -> str:
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"{LOCAL_URL_BASE}{digest}/{path.name}"


def article_ingest_file(
    *, path: Path, url: str = "", user=None, candidates_now: bool = False
) -> CheckReport:
    """Ingest a local HTML or text file (demos and tests). It is known by ``url`` when given,
    else by a reserved address derived from its path; re-checks read the file again."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ValidationError({"path": f"{path} is not a file that can be read."})
    article, _ = article_get_or_create(url=url or local_file_url(path), user=user)
    if article.local_path != str(path):
        Article.objects.filter(pk=article.pk).update(local_path=str(path))
        article.local_path = str(path)
    return article_check(article=article, candidates_now=candidates_now)
