"""The admin's ingestion pages: re-check now (queued on commit), revisions side by side, feeds
added, paused and their errors shown."""

import pytest
from django.urls import reverse

from articles.ingest import article_ingest_file
from articles.models import (
    Article,
    ArticleCheck,
    ArticleRevision,
    CheckOutcome,
    Feed,
    FeedEntry,
)
from factcheck.celery import app as celery_app


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def local_article(tmp_path, db):
    path = tmp_path / "story.txt"
    path.write_text("Terminal\nThe port handled 4,200 containers in March.", encoding="utf-8")
    return path, article_ingest_file(path=path).article


def test_recheck_now_queues_a_check_that_a_worker_does(
    client, editor, local_article, eager_celery, django_capture_on_commit_callbacks
):
    path, article = local_article
    path.write_text("Terminal\nThe port handled 3,900 <b>containers</b> in March.", "utf-8")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    recheck_url = reverse("admin:articles_article_recheck", args=[article.pk])
    assert recheck_url in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(recheck_url)
    assert response.status_code == 302
    assert len(callbacks) == 1
    latest = ArticleCheck.objects.filter(article=article).first()
    assert latest.outcome == CheckOutcome.NEW_REVISION
    article.refresh_from_db()
    assert article.current_revision.number == 2

    diff = client.get(
        reverse("admin:articles_articlerevision_change", args=[article.current_revision.pk])
    ).content.decode()
    assert "previous revision" in diff and 'class="diff"' in diff
    assert "&lt;b&gt;containers&lt;/b&gt;" in diff
    assert "<b>containers</b>" not in diff


def test_recheck_needs_post_and_change_permission(client, viewer, editor, local_article):
    _, article = local_article
    url = reverse("admin:articles_article_recheck", args=[article.pk])
    client.force_login(editor)
    assert client.get(url).status_code == 405
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert ArticleCheck.objects.filter(article=article).count() == 1


def test_first_revision_says_so(client, editor, local_article):
    _, article = local_article
    client.force_login(editor)
    revision = ArticleRevision.objects.get(article=article)
    page = client.get(reverse("admin:articles_articlerevision_change", args=[revision.pk]))
    assert "This is the first revision." in page.content.decode()


def test_adding_a_feed_queues_its_first_check(
    client, editor, db, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:articles_feed_add"),
            {"url": "https://gazette.example.org/feed.xml", "check_interval": 30},
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    feed = Feed.objects.get()
    assert (feed.url, feed.paused) == ("https://gazette.example.org/feed.xml", False)
    assert len(callbacks) == 1


def test_pausing_a_feed_and_seeing_its_error(client, editor, db):
    feed = Feed.objects.create(
        url="https://gazette.example.org/feed.xml",
        state="error",
        last_error="The feed could not be read as RSS or Atom (syntax error).",
    )
    client.force_login(editor)
    changelist = reverse("admin:articles_feed_changelist")
    assert "could not be read as RSS or Atom" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "pause", "_selected_action": [feed.pk]})
    assert Feed.objects.get().paused is True
    assert Feed.objects.due(feed.created_at.max).count() == 0


def test_adding_an_article_without_text_queues_its_fetch(
    client, editor, db, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    form = {
        "url": "https://gazette.example.org/news/terminal",
        "title": "",
        "publisher": "",
        "authors": "",
        "language": "",
        "text": "",
    }
    for prefix in ("revisions", "checks"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:articles_article_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get().canonical_url == "https://gazette.example.org/news/terminal"
    assert len(callbacks) == 1


def test_feed_page_shows_the_progress_of_its_articles(client, editor, db):
    feed = Feed.objects.create(url="https://gazette.example.org/feed.xml", state="ok")
    for n, revision_text in enumerate(["Some text.", None, None]):
        article = Article.objects.create(
            url=f"https://gazette.example.org/{n}", canonical_url=f"https://gazette.example.org/{n}"
        )
        FeedEntry.objects.create(feed=feed, key=str(n), link=article.url, article=article)
        if revision_text:
            from articles.services import revision_record

            revision_record(article=article, text=revision_text)
    Article.objects.filter(canonical_url="https://gazette.example.org/2").update(state="error")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_feed_change", args=[feed.pk])).content.decode()
    assert "3 entries: 1 fetched, 1 waiting, 1 failed" in page
