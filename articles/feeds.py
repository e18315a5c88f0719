"""RSS and Atom feeds: each new entry becomes an article, once (SPEC section 5).

feedparser parses bytes our fetcher got: its own fetching has no timeout, no size cap and no
address check.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import feedparser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles.canonical import InvalidURL, canonicalize_url
from articles.errors import CheckFailed
from articles.fetch import FEED_TYPES, DomainBusy, FetchError, fetch
from articles.models import Article, Feed, FeedEntry, FeedState
from articles.schedule import feed_next_check
from articles.services import article_get_or_create

logger = logging.getLogger(__name__)


class MalformedFeed(FetchError):
    public_reason = "not a readable RSS or Atom feed"


@dataclass
class FeedReport:
    feed: Feed
    new_articles: list[Article] = field(default_factory=list)
    not_modified: bool = False
    error: FetchError | None = None


def feed_get_or_create(*, url: str) -> tuple[Feed, bool]:
    url = (url or "").strip()
    try:
        canonicalize_url(url)
    except InvalidURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    feed = Feed(url=url)
    feed.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            feed, created = Feed.objects.get_or_create(url=url)
    except IntegrityError:
        return Feed.objects.get(url=url), False
    return feed, created


def _parse(body: bytes, *, url: str, content_type: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "text/xml"})
    version = parsed.get("version", "")
    usable = [e for e in parsed.entries if e.get("link") or e.get("id")]
    # feedparser recovers what it can from broken XML; a broken feed that still yields entries
    # is used, one that yields nothing usable is an error.
    if parsed.bozo and not usable:
        problem = parsed.get("bozo_exception")
        raise MalformedFeed(
            f"The feed at {url} could not be read as RSS or Atom ({problem}).", url=url
        )
    if not version and not parsed.entries:
        raise MalformedFeed(f"{url} is not an RSS or Atom feed.", url=url)
    return parsed


def _record_failure(feed: Feed, error: FetchError, now) -> FeedReport:
    Feed.objects.filter(pk=feed.pk).update(
        state=FeedState.ERROR,
        last_error=str(error),
        last_checked_at=now,
        failure_count=F("failure_count") + 1,
        next_check_at=feed_next_check(
            interval_minutes=feed.check_interval, now=now, failure_count=feed.failure_count + 1
        ),
    )
    feed.refresh_from_db()
    return FeedReport(feed=feed, error=error)


def feed_check(*, feed: Feed, max_domain_wait: float | None = None) -> FeedReport:
    """Fetch the feed and add its new entries as articles (not yet fetched: the caller checks
    them, or the dispatcher does, as they are due at once). An unexpected exception (a bug,
    the cache out of reach) is recorded on the feed like a failed fetch and returned, so the
    feed is checked again with backoff and a batch goes on."""
    now = timezone.now()
    try:
        return _feed_check(feed, now, max_domain_wait=max_domain_wait)
    except Exception as exc:
        return feed_check_failed(feed=feed, error=exc, now=now)


def feed_check_failed(*, feed: Feed, error: BaseException, now=None) -> FeedReport:
    """Record an unexpected exception of a feed's check: error state, the exception's type and
    message, a next check with backoff; the traceback goes to the log."""
    logger.error("feed %s: the check failed", feed.pk, exc_info=error)
    feed.refresh_from_db()
    return _record_failure(feed, CheckFailed.wrapping(error, url=feed.url), now or timezone.now())


def _feed_check(feed: Feed, now, *, max_domain_wait: float | None) -> FeedReport:
    try:
        result = fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            accept=FEED_TYPES,
            max_domain_wait=max_domain_wait,
        )
        if not result.not_modified:
            parsed = _parse(result.body, url=result.url, content_type=result.content_type)
    except DomainBusy as busy:
        # Put off until the site's turn comes; not the feed's failure.
        Feed.objects.filter(pk=feed.pk).update(
            next_check_at=now + dt.timedelta(seconds=busy.retry_after or 60)
        )
        return FeedReport(feed=feed, error=busy)
    except FetchError as error:
        return _record_failure(feed, error, now)

    report = FeedReport(feed=feed, not_modified=result.not_modified)
    with transaction.atomic():
        if not result.not_modified:
            for entry in parsed.entries:
                article = _entry_article(feed, entry, now)
                if article is not None:
                    report.new_articles.append(article)
        Feed.objects.filter(pk=feed.pk).update(
            state=FeedState.OK,
            last_error="",
            title=(
                (parsed.feed.get("title") or feed.title)[:500]
                if not result.not_modified
                else feed.title
            ),
            etag=result.etag,
            last_modified=result.last_modified,
            last_checked_at=now,
            failure_count=0,
            next_check_at=feed_next_check(interval_minutes=feed.check_interval, now=now),
        )
    feed.refresh_from_db()
    return report


def _entry_article(feed: Feed, entry, now) -> Article | None:
    """The article of a feed entry seen for the first time; None when the entry was seen
    before (entries are ingested once, however often the feed lists them)."""
    link = (entry.get("link") or "").strip()
    key = (entry.get("id") or link).strip()[:1000]
    if not key:
        return None
    try:
        with transaction.atomic():
            row = FeedEntry.objects.create(
                feed=feed, key=key, link=link[:2000], title=(entry.get("title") or "")[:500]
            )
    except IntegrityError:
        return None
    try:
        with transaction.atomic():
            article, created = article_get_or_create(
                url=link, title=(entry.get("title") or "")[:500]
            )
    except ValidationError as exc:
        FeedEntry.objects.filter(pk=row.pk).update(
            error=f"The entry's link {link!r} is not usable: {exc.messages[0]}"
        )
        return None
    FeedEntry.objects.filter(pk=row.pk).update(article=article)
    if created:
        # Due at once: the dispatcher checks it even if the task queued for it is lost.
        Article.objects.filter(pk=article.pk).update(next_check_at=now)
        return article
    return None
