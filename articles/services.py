"""Writes to articles, their revisions and feeds."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.canonical import InvalidURL, canonicalize_url
from articles.models import Article, ArticleRevision, ArticleState, Feed, text_fingerprint
from core import events


def article_get_or_create(*, url: str, user=None, **fields) -> tuple[Article, bool]:
    """The article at this URL (any variant of it), created if it is new."""
    try:
        canonical = canonicalize_url(url)
    except InvalidURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    existing = Article.objects.filter(canonical_url=canonical).first()
    if existing is not None:
        return existing, False
    article = Article(url=url.strip(), canonical_url=canonical, **fields)
    article.full_clean(exclude=["current_revision"])
    if user is not None and getattr(user, "is_authenticated", False):
        article._history_user = user  # type: ignore[attr-defined]
    try:
        # A savepoint, so a concurrent insert of the same URL leaves the caller's
        # transaction usable and we return the row the other one stored.
        with transaction.atomic():
            article.save()
    except IntegrityError:
        return Article.objects.get(canonical_url=canonical), False
    return article, True


# What a person may edit on an article; the rest is written by fetching and checking it.
ARTICLE_EDITABLE = ("url", "title", "publisher", "authors", "published_at", "language")


@transaction.atomic
def article_update(*, article: Article, user=None, **fields) -> Article:
    """Edit an article's metadata (the admin's change form). A new URL is canonicalised
    again and must not be another article's. No status document changes: the API reads the
    article's own columns from its row, and its document holds only its claims."""
    unknown = set(fields) - set(ARTICLE_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable by hand: {', '.join(sorted(unknown))}")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    if "url" in fields:
        locked.url = locked.url.strip()
        try:
            locked.canonical_url = canonicalize_url(locked.url)
        except InvalidURL as exc:
            raise ValidationError({"url": str(exc)}) from None
        other = (
            Article.objects.filter(canonical_url=locked.canonical_url).exclude(pk=locked.pk).first()
        )
        if other is not None:
            raise ValidationError({"url": f"This URL is already on record as article #{other.pk}."})
    locked.full_clean(exclude=["current_revision"])
    if user is not None and getattr(user, "is_authenticated", False):
        locked._history_user = user  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def revision_record(
    *, article: Article, text: str, title: str = "", fetched_at=None
) -> tuple[ArticleRevision, bool]:
    """Store the text as a new revision unless its normalized form is one the article already
    has; return the revision now current and whether it is new.

    A text whose normalized form matches an earlier revision that is not the current one makes
    that revision current again: a return to it, not new content (SPEC section 5). The caller
    tells a return from "unchanged" by comparing with the revision that was current before.
    Nothing is deleted.
    """
    if not text.strip():
        raise ValidationError({"text": "The article text is empty."})
    fetched_at = fetched_at or timezone.now()
    # The row lock serialises two checks of one article: the second one sees the first one's
    # revision instead of racing it for the next number.
    article = Article.objects.select_for_update().get(pk=article.pk)
    fingerprint = text_fingerprint(text)
    existing = ArticleRevision.objects.filter(article=article, fingerprint=fingerprint).first()
    created = existing is None
    if existing is not None:
        revision = existing
    else:
        last = article.revisions.order_by("-number").values_list("number", flat=True).first()
        revision = ArticleRevision.objects.create(
            article=article,
            number=(last or 0) + 1,
            title=title,
            text=text,
            fingerprint=fingerprint,
            fetched_at=fetched_at,
        )
        article.revision_count = article.revisions.count()
    current_changes = article.current_revision_id != revision.pk
    needs_title = bool(title and not article.title)
    if not (
        current_changes or needs_title or article.state != ArticleState.OK or article.last_error
    ):
        # Unchanged text and nothing to repair: no write, so no empty history entry per check.
        return revision, created
    if current_changes:
        article.last_changed_at = fetched_at
        article._change_reason = (  # type: ignore[attr-defined]
            f"New revision {revision.number}"
            if created
            else f"Text returned to revision {revision.number}"
        )
    article.current_revision = revision
    article.state = ArticleState.OK
    article.last_error = ""
    article.last_error_public = ""
    if needs_title:
        article.title = title
    article.save()
    if created:
        events.emit(events.ARTICLE_NEW_REVISION, article_id=article.pk, revision=revision.number)
    return revision, created


def feed_pause(*, feed: Feed) -> bool:
    """Stop checking the feed; False when it was paused already. A conditional UPDATE, so a
    pause and a resume at once leave one of them, never a mix."""
    return bool(Feed.objects.filter(pk=feed.pk, paused=False).update(paused=True))


def feed_resume(*, feed: Feed) -> bool:
    """Check the feed again, from the next beat (it is due at once); False when it was not
    paused."""
    return bool(
        Feed.objects.filter(pk=feed.pk, paused=True).update(
            paused=False, next_check_at=timezone.now()
        )
    )


def feed_update(*, feed: Feed, check_interval: int, paused: bool) -> Feed:
    """Change how often a feed is checked, and pause or resume it (the admin's feed form; its
    URL stays: another URL is another feed)."""
    Feed.objects.filter(pk=feed.pk).update(check_interval=check_interval)
    (feed_pause if paused else feed_resume)(feed=feed)
    return Feed.objects.get(pk=feed.pk)


@transaction.atomic
def feed_delete(*, feed: Feed) -> None:
    """Stop following a feed: the feed and its entries go; the articles it brought stay."""
    Feed.objects.filter(pk=feed.pk).delete()
