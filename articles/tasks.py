"""Celery tasks: thin wrappers that take ids and call one service (STYLE.md).

Each task is safe to run twice (revisions are unique per article and text; feed entries per
feed and key; re-anchoring skips claims already anchored) and acks late, so a worker that dies
mid-task leaves the message to another worker.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.utils import timezone

from articles.fetch import DomainBusy, FetchError
from articles.models import Article, Feed
from articles.schedule import claim_due

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


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, **TASK_LIMITS)
def ingest_article(self, article_id: int) -> None:
    from articles.ingest import article_check

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        logger.warning("ingest_article: no article %s", article_id)
        return
    report = article_check(article=article, max_domain_wait=MAX_DOMAIN_WAIT)
    _retry_if_worthwhile(self, report.error)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, **TASK_LIMITS)
def ingest_feed(self, feed_id: int) -> None:
    from articles.feeds import feed_check

    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None or feed.paused:
        return
    report = feed_check(feed=feed, max_domain_wait=MAX_DOMAIN_WAIT)
    for article in report.new_articles:
        ingest_article.delay(article.pk)
    _retry_if_worthwhile(self, report.error)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def dispatch_due_articles(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = claim_due(Article.objects.due(now), field="next_check_at", now=now, limit=batch)
    for article_id in ids:
        ingest_article.delay(article_id)
    return len(ids)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def dispatch_due_feeds(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = claim_due(Feed.objects.due(now), field="next_check_at", now=now, limit=batch)
    for feed_id in ids:
        ingest_feed.delay(feed_id)
    return len(ids)
