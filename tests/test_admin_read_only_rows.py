"""Rows the admin shows but never writes around the services: a candidate changes only by an
editor's decision, articles and their revisions are never deleted, and deleting a feed keeps
the articles it brought."""

import pytest
from django.urls import reverse

from articles.feeds import feed_get_or_create
from articles.models import Article, Feed, FeedEntry
from claims.candidates import candidates_generate
from claims.models import Candidate


@pytest.fixture
def superuser(editor):
    editor.is_superuser = True
    editor.save()
    return editor


def test_a_candidate_page_is_read_only_and_cannot_be_deleted(client, world, superuser):
    candidate = candidates_generate(revision=world.revision)[0]
    client.force_login(superuser)
    url = reverse("admin:claims_candidate_change", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"decision_reason": "typed in"}).status_code == 403
    delete = reverse("admin:claims_candidate_delete", args=[candidate.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Candidate.objects.filter(pk=candidate.pk, decision_reason="").exists()


def test_no_one_deletes_an_article_and_its_revisions(client, world, superuser):
    client.force_login(superuser)
    delete = reverse("admin:articles_article_delete", args=[world.article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=world.article.pk).exists()
    assert world.article.revisions.count() == 1


def test_deleting_a_feed_keeps_the_articles_it_brought(client, world, editor):
    feed, _ = feed_get_or_create(url="https://gazette.example.org/feed.xml")
    FeedEntry.objects.create(feed=feed, key="terminal", article=world.article)
    client.force_login(editor)
    delete = reverse("admin:articles_feed_delete", args=[feed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Feed.objects.filter(pk=feed.pk).exists()
    assert not FeedEntry.objects.filter(feed_id=feed.pk).exists()
    assert Article.objects.filter(pk=world.article.pk).exists()
