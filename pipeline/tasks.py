"""Celery tasks: thin wrappers that take ids and call one service (STYLE.md).

Each task is safe to run twice (revisions are unique per article and text; feed entries per
feed and key; re-anchoring skips claims already anchored; candidates per article and
sentence) and acks late, so a worker that dies mid-task leaves the message to another worker.

A task that fails for any reason leaves its row saying so: ingestion records an unexpected
exception on the article or feed (error, message, a next check with backoff) and returns; only
when even that record cannot be written (the database out of reach) does the task raise, after
one more try, so Celery's log has it. Nothing stays ``pending`` with no word of why.

Every task keeps the name it was first queued under (``name=``): messages already in the
broker and the beat schedule in settings still find it after a move of the code.
"""

from __future__ import annotations

import logging
import random

from celery import Task, shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from articles.feeds import feed_check, feed_check_failed
from articles.fetch import DomainBusy, FetchError
from articles.models import Article, ArticleRevision, CheckOutcome, Feed
from claims.candidates import candidates_generate, candidates_rematch
from claims.evidence_links import evidence_check_link
from claims.models import Evidence
from core.leases import lease_due_rows
from pipeline.ingest import article_check, article_check_failed, revision_candidates_failed

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 500
MAX_RETRIES = 4
TASK_LIMITS = {"soft_time_limit": 150, "time_limit": 180}
# Longest a task waits for its turn at a site (FACTCHECK_FETCH_DOMAIN_DELAY); beyond it the
# row is put off until its turn instead of holding a worker, well inside the time limit.
MAX_DOMAIN_WAIT = 30.0


def _retry_if_worthwhile(task, error: FetchError | None) -> None:
    """Retry timeouts, 429 and 5xx with exponential backoff (the server's Retry-After when it
    gives one); other failures are final and already recorded on the row. A check put off by
    the per-domain delay is not retried: the row is due again when its turn comes."""
    if error is None or not error.retryable or task.request.retries >= task.max_retries:
        return
    if isinstance(error, DomainBusy):
        return
    if error.retry_after is not None:
        countdown = min(error.retry_after, 3600)
    else:
        countdown = 60 * 2**task.request.retries
    raise task.retry(countdown=countdown + random.uniform(0, 5))


def _record_or_log(record, *args, **kwargs) -> None:
    """Record a task's failure on its row; a failure to record is logged, never raised over
    the task's own error."""
    try:
        record(*args, **kwargs)
    except Exception:
        logger.exception("the failure could not be recorded (%s)", record.__name__)


def queue_candidates(revision_id: int) -> None:
    """Find the revision's candidates in a worker, once the caller's transaction commits
    (the worker must see the revision)."""
    transaction.on_commit(lambda: generate_candidates.delay(revision_id))


@shared_task(
    name="articles.tasks.ingest_article",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    **TASK_LIMITS,
)
def ingest_article(self, article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        logger.warning("ingest_article: no article %s", article_id)
        return
    try:
        report = article_check(article=article, max_domain_wait=MAX_DOMAIN_WAIT)
    except Exception as exc:
        _record_or_log(article_check_failed, article=article, error=exc)
        raise
    if report.outcome == CheckOutcome.NEW_REVISION:
        try:
            queue_candidates(report.revision.pk)
        except Exception as exc:
            # The broker out of reach: the text is stored; the article's checks say the
            # candidates are still to be found, and how.
            _record_or_log(revision_candidates_failed, revision_id=report.revision.pk, error=exc)
            raise
    _retry_if_worthwhile(self, report.error)


@shared_task(
    name="articles.tasks.ingest_feed",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    **TASK_LIMITS,
)
def ingest_feed(self, feed_id: int) -> None:
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None or feed.paused:
        return
    try:
        report = feed_check(feed=feed, max_domain_wait=MAX_DOMAIN_WAIT)
    except Exception as exc:
        _record_or_log(feed_check_failed, feed=feed, error=exc)
        raise
    # A new entry's article is due at once (feed_check), so one whose task is not queued here
    # (the broker out of reach) is still checked by the dispatcher.
    for article in report.new_articles:
        ingest_article.delay(article.pk)
    _retry_if_worthwhile(self, report.error)


@shared_task(
    name="articles.tasks.dispatch_due_articles",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
)
def dispatch_due_articles(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = lease_due_rows(Article.objects.due(now), field="next_check_at", now=now, limit=batch)
    for article_id in ids:
        ingest_article.delay(article_id)
    return len(ids)


@shared_task(
    name="articles.tasks.dispatch_due_feeds",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
)
def dispatch_due_feeds(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = lease_due_rows(Feed.objects.due(now), field="next_check_at", now=now, limit=batch)
    for feed_id in ids:
        ingest_feed.delay(feed_id)
    return len(ids)


class _CandidatesTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries ran out, or the error is not one a retry mends: the article says so.
        revision_id = args[0] if args else kwargs.get("revision_id")
        revision_candidates_failed(revision_id=revision_id, error=exc)


@shared_task(
    name="claims.tasks.generate_candidates",
    base=_CandidatesTask,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=3,
    **TASK_LIMITS,
)
def generate_candidates(revision_id: int) -> int:
    """Queued by ingestion once a new revision is committed. Safe to run twice, and late: a
    candidate already seen in a newer revision is not moved back to this one. A busy or lost
    database is retried with backoff; a failure that persists is recorded on the article."""
    revision = ArticleRevision.objects.filter(pk=revision_id).first()
    if revision is None:
        return 0
    return len(candidates_generate(revision=revision))


@shared_task(name="claims.tasks.check_evidence_link", acks_late=True, **TASK_LIMITS)
def check_evidence_link(evidence_id: int) -> None:
    """No Celery retry: a failing link is checked again the next day, and only a failure that
    persists (or a 404) counts as broken."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is not None:
        evidence_check_link(evidence=evidence, max_domain_wait=MAX_DOMAIN_WAIT)


@shared_task(
    name="claims.tasks.dispatch_evidence_checks",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
)
def dispatch_evidence_checks(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = lease_due_rows(
        Evidence.objects.link_check_due(now), field="link_next_check_at", now=now, limit=batch
    )
    for evidence_id in ids:
        check_evidence_link.delay(evidence_id)
    return len(ids)


@shared_task(
    name="claims.tasks.rematch_candidates",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=3,
    **TASK_LIMITS,
)
def rematch_candidates(claim_ids: list[int]) -> int:
    """Queued after a commit that created, imported or edited claims: the open candidates
    those claims concern are matched again. Safe to run twice (a match already stored is left
    as it is, and announced only when it changes)."""
    return candidates_rematch(claim_ids=claim_ids)


def queue_rematch(sender=None, *, claim_ids: list[int], **kwargs) -> None:
    """core.events.claims_touched's listener (PipelineConfig.ready): the task is queued once
    the transaction that touched the claims commits (the worker must see them; a rollback
    queues nothing)."""
    ids = list(claim_ids)
    transaction.on_commit(lambda: rematch_candidates.delay(ids))
