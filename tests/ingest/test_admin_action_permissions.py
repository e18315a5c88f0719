"""Every admin action of articles and feeds declares and checks its permission: a Viewer
(read-only) is neither offered nor able to run them, and nothing changes when they post one;
pause and resume go through the services (articles.services)."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleCheck, Feed
from articles.services import feed_pause, feed_resume
from pipeline.ingest import article_ingest_file

FEED_ACTIONS = ["check_now", "pause", "resume"]
ARTICLE_ACTIONS = ["recheck_now", "find_candidates_again"]


@pytest.fixture
def feeds(db):
    later = timezone.now() + dt.timedelta(hours=1)
    return (
        Feed.objects.create(url="https://a.example.org/active.xml", next_check_at=later),
        Feed.objects.create(
            url="https://a.example.org/paused.xml", paused=True, next_check_at=later
        ),
    )


def _feed_rows():
    return list(Feed.objects.order_by("pk").values_list("paused", "next_check_at", "updated_at"))


@pytest.mark.parametrize("action", FEED_ACTIONS)
def test_a_viewer_cannot_run_a_feed_action(
    client, viewer, feeds, action, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    changelist = reverse("admin:articles_feed_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert f'value="{action}"' not in page.content.decode()
    before = _feed_rows()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            changelist, {"action": action, ACTION_CHECKBOX_NAME: [f.pk for f in feeds]}
        )
    assert response.status_code in (200, 302, 403)
    assert _feed_rows() == before
    assert queued == []


@pytest.mark.parametrize("action", ARTICLE_ACTIONS)
def test_a_viewer_cannot_run_an_article_action(
    client, viewer, tmp_path, db, action, django_capture_on_commit_callbacks
):
    path = tmp_path / "story.txt"
    path.write_text("Terminal\nThe port handled 4,200 containers in March.", encoding="utf-8")
    article = article_ingest_file(path=path).article
    client.force_login(viewer)
    changelist = reverse("admin:articles_article_changelist")
    assert f'value="{action}"' not in client.get(changelist).content.decode()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(changelist, {"action": action, ACTION_CHECKBOX_NAME: [article.pk]})
    assert response.status_code in (200, 302, 403)
    assert queued == []
    assert ArticleCheck.objects.filter(article=article).count() == 1
    assert Article.objects.get(pk=article.pk).updated_at == article.updated_at


def test_a_factchecker_pauses_resumes_and_rechecks_feeds(
    client, factchecker, feeds, django_capture_on_commit_callbacks
):
    active, paused = feeds
    client.force_login(factchecker)
    changelist = reverse("admin:articles_feed_changelist")
    page = client.get(changelist).content.decode()
    assert all(f'value="{action}"' in page for action in FEED_ACTIONS)
    client.post(changelist, {"action": "pause", ACTION_CHECKBOX_NAME: [active.pk]})
    assert Feed.objects.get(pk=active.pk).paused is True
    client.post(changelist, {"action": "resume", ACTION_CHECKBOX_NAME: [active.pk, paused.pk]})
    assert not Feed.objects.filter(paused=True).exists()
    # Resumed feeds are due at once: the next beat checks them.
    assert Feed.objects.due(timezone.now()).count() == 2
    with django_capture_on_commit_callbacks() as queued:
        client.post(changelist, {"action": "check_now", ACTION_CHECKBOX_NAME: [active.pk]})
    assert len(queued) == 1


def test_pause_and_resume_say_whether_they_changed_the_feed(feeds):
    active, paused = feeds
    assert feed_pause(feed=active) is True
    assert feed_pause(feed=active) is False
    assert feed_resume(feed=paused) is True
    assert feed_resume(feed=paused) is False
    assert Feed.objects.get(pk=paused.pk).next_check_at <= timezone.now()
