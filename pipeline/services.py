"""What the admin, the pages and the API ask of the pipeline: work queued for a worker once
the caller's transaction commits (the worker must see the rows the caller wrote, and a request
that rolled back queues nothing)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.canonical import canonicalize_url
from articles.errors import FetchError, InvalidURL
from articles.fetch import url_check_fetchable
from articles.models import Article, ArticleRevision, Feed, text_fingerprint
from articles.services import article_get_or_create, revision_record
from claims.analysis import TEXT_MAX_LENGTH
from claims.candidates import candidates_generate
from claims.services import require_permission
from pipeline.ingest import PASTED_TEXT_URL_BASE, revision_candidates_failed
from pipeline.tasks import ingest_article, ingest_feed, queue_candidates

logger = logging.getLogger(__name__)


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


# Pasted text (the inbox's "add by text") --------------------------------------------------

# As much as the analysis API takes (SPEC section 6): its candidates are found while the
# editor waits.
PASTED_TEXT_MAX_LENGTH = TEXT_MAX_LENGTH
# The columns' own limits.
TITLE_MAX_LENGTH = int(Article._meta.get_field("title").max_length or 0)
PUBLISHER_MAX_LENGTH = int(Article._meta.get_field("publisher").max_length or 0)


def is_pasted_text(article: Article) -> bool:
    return article.url.startswith(PASTED_TEXT_URL_BASE)


def article_add_url(*, url: str, user) -> tuple[Article, bool]:
    """An editor's "add by URL": the article at this URL, created and queued for fetching when
    new. A URL the fetcher would refuse (its form, or an address that is not public) is refused
    here with the fetcher's message, before anything is stored; a URL already on record (any
    variant of it) returns that article, created False, with nothing queued."""
    require_permission(user, "articles.add_article", "add articles")
    url = url.strip()
    try:
        canonical = canonicalize_url(url)
    except InvalidURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    existing = Article.objects.filter(canonical_url=canonical).first()
    if existing is not None:
        return existing, False
    try:
        url_check_fetchable(url)
    except FetchError as exc:
        raise ValidationError({"url": str(exc)}) from None
    return article_request_ingestion(url=url, user=user)


def _pasted_fields(*, title: str, text: str, publisher: str) -> dict:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the article's title."
    elif len(title.strip()) > TITLE_MAX_LENGTH:
        errors["title"] = f"The title is too long (at most {TITLE_MAX_LENGTH} characters)."
    if not text.strip():
        errors["text"] = "Paste the article's text."
    elif len(text) > PASTED_TEXT_MAX_LENGTH:
        errors["text"] = (
            f"The text is too long ({len(text):,} characters; at most {PASTED_TEXT_MAX_LENGTH:,})."
        )
    if len(publisher.strip()) > PUBLISHER_MAX_LENGTH:
        errors["publisher"] = (
            f"The publisher's name is too long (at most {PUBLISHER_MAX_LENGTH} characters)."
        )
    if errors:
        raise ValidationError(errors)
    return {"title": title.strip(), "publisher": publisher.strip()}


def article_add_text(
    *, title: str, text: str, user, publisher: str = "", url: str = ""
) -> tuple[Article, bool, int | None]:
    """An editor's "add by pasted text": a new article whose first revision is the text, and
    its candidates found at once, while the editor waits, so the review page shows them.

    Returns the article, whether it is new, and how many candidates were found (None when
    finding them failed: the text is stored and the failure recorded among the article's
    checks, as a worker's would be). With a ``url`` already on record the text is refused
    (it would replace another article's text); without one, the same text pasted again
    returns the article it made the first time. The article is never fetched: it has no
    next check."""
    require_permission(user, "articles.add_article", "add articles")
    fields = _pasted_fields(title=title, text=text, publisher=publisher)
    url = url.strip()
    if url:
        try:
            canonical = canonicalize_url(url)
        except InvalidURL as exc:
            raise ValidationError({"url": str(exc)}) from None
        existing = Article.objects.filter(canonical_url=canonical).first()
        if existing is not None:
            raise ValidationError(
                {"url": f"This URL is already on record as article #{existing.pk}."}
            )
    else:
        # Derived from the text, so pasting the same text twice finds the first article.
        url = PASTED_TEXT_URL_BASE + text_fingerprint(text)[:32]
        existing = Article.objects.filter(canonical_url=canonicalize_url(url)).first()
        if existing is not None:
            return existing, False, None
    with transaction.atomic():
        article, created = article_get_or_create(url=url, user=user, **fields)
        if not created:  # stored by someone else in the meantime
            return article, False, None
        revision, _ = revision_record(article=article, text=text, title=fields["title"])
    try:
        found = len(candidates_generate(revision=revision))
    except Exception as exc:
        # The text is committed: a failure to analyse it is recorded, not raised, so the
        # editor still lands on the article (and the admin's action tries again).
        logger.exception("candidates of pasted revision %s failed", revision.pk)
        revision_candidates_failed(revision_id=revision.pk, error=exc)
        return article, True, None
    article.refresh_from_db()
    return article, True, found
