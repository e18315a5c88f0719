"""What the admin, the pages and the API ask of the pipeline: work queued for a worker once
the caller's transaction commits (the worker must see the rows the caller wrote, and a request
that rolled back queues nothing)."""

from django.db import transaction

from articles.models import Article, ArticleRevision, Feed
from articles.services import article_get_or_create
from pipeline.tasks import ingest_article, ingest_feed, queue_candidates


def article_queue_check(*, article: Article) -> None:
    """A check of the article now (the admin's "Re-check now")."""
    article_id = article.pk
    transaction.on_commit(lambda: ingest_article.delay(article_id))


def revision_queue_candidates(*, revision: ArticleRevision) -> None:
    """Find the candidates of a revision pasted in by hand."""
    queue_candidates(revision.pk)


def article_queue_candidates(*, article: Article) -> bool:
    """Find the candidates of the article's current text again (the admin's action, after a
    failure or new rules). False when the article has no text yet."""
    if article.current_revision_id is None:
        return False
    queue_candidates(article.current_revision_id)
    return True


def article_request_ingestion(*, url: str, user=None) -> tuple[Article, bool]:
    """The article at this URL, created if new, with a fetch queued. Asking again for a known
    article queues a re-check; the task is idempotent."""
    with transaction.atomic():
        article, created = article_get_or_create(url=url, user=user)
        article_queue_check(article=article)
    return article, created


def feed_queue_check(*, feed: Feed) -> None:
    feed_id = feed.pk
    transaction.on_commit(lambda: ingest_feed.delay(feed_id))
