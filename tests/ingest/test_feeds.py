"""Feeds: RSS and Atom parsed from our fetcher's bytes, entries ingested once, ETag kept,
errors stored (SPEC section 5)."""

import pytest

from articles.feeds import feed_check, feed_get_or_create
from articles.models import Article, Feed, FeedEntry, FeedState


def rss(site, *paths):
    items = "".join(
        f"<item><title>Story {p}</title><link>{site.url_for(p)}</link><guid>{p}</guid></item>"
        for p in paths
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
        f"<link>{site.url_for('/')}</link><description>News</description>{items}"
        "</channel></rss>"
    )


def atom(site, *paths):
    entries = "".join(
        f'<entry><title>Story {p}</title><link href="{site.url_for(p)}"/>'
        f"<id>urn:story:{p}</id><updated>2026-11-20T09:00:00Z</updated></entry>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Ledger</title><id>urn:ledger</id><updated>2026-11-20T09:00:00Z</updated>"
        f"{entries}</feed>"
    )


def serve_feed(site, body, content_type="application/rss+xml", **headers):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request("/feed.xml").respond_with_data(
        body, content_type=content_type, headers=headers
    )
    return site.url_for("/feed.xml")


def test_new_entries_become_articles_once(site, db):
    feed, created = feed_get_or_create(url=serve_feed(site, rss(site, "/a", "/b")))
    assert created
    report = feed_check(feed=feed)
    assert sorted(a.canonical_url for a in report.new_articles) == [
        site.url_for("/a"),
        site.url_for("/b"),
    ]
    feed.refresh_from_db()
    assert (feed.state, feed.title, feed.last_error) == (FeedState.OK, "Gazette", "")
    assert feed.next_check_at is not None
    # The new articles are due at once, so the dispatcher checks them even if no task runs.
    assert all(a.next_check_at is not None for a in Article.objects.all())

    serve_feed(site, rss(site, "/a", "/b", "/c"))
    again = feed_check(feed=feed)
    assert [a.canonical_url for a in again.new_articles] == [site.url_for("/c")]
    assert FeedEntry.objects.filter(feed=feed).count() == 3
    assert Article.objects.count() == 3


def test_atom_feed(site, db):
    feed, _ = feed_get_or_create(
        url=serve_feed(site, atom(site, "/x"), content_type="application/atom+xml")
    )
    report = feed_check(feed=feed)
    assert [a.title for a in report.new_articles] == ["Story /x"]
    assert FeedEntry.objects.get(feed=feed).key == "urn:story:/x"


def test_feed_etag_makes_the_next_check_conditional(site, db):
    feed, _ = feed_get_or_create(url=serve_feed(site, rss(site, "/a"), ETag='"f1"'))
    feed_check(feed=feed)
    feed.refresh_from_db()
    assert feed.etag == '"f1"'
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request("/feed.xml", headers={"If-None-Match": '"f1"'}).respond_with_data(
        "", status=304
    )
    report = feed_check(feed=feed)
    assert report.not_modified
    assert report.new_articles == []


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<rss><channel><item><title>broken", "application/rss+xml", "could not be read"),
        ("<html><body>hello</body></html>", "text/html", "not a feed"),
        ("just words, no feed", "text/plain", "could not be read as RSS or Atom"),
    ],
)
def test_malformed_feeds_are_stored_as_errors(site, db, body, content_type, message):
    feed, _ = feed_get_or_create(url=serve_feed(site, body, content_type=content_type))
    report = feed_check(feed=feed)
    feed.refresh_from_db()
    assert report.error is not None
    assert feed.state == FeedState.ERROR
    assert message in feed.last_error
    assert feed.failure_count == 1
    assert not Article.objects.exists()


def test_entry_with_unusable_link_is_recorded(site, db):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>'
        "<item><title>Bad</title><link>javascript:alert(1)</link><guid>bad</guid></item>"
        "</channel></rss>"
    )
    feed, _ = feed_get_or_create(url=serve_feed(site, body))
    report = feed_check(feed=feed)
    assert report.new_articles == []
    assert "not usable" in FeedEntry.objects.get(feed=feed).error


def test_paused_feeds_are_not_due(db):
    from django.utils import timezone

    Feed.objects.create(url="https://a.example.org/feed", next_check_at=timezone.now())
    Feed.objects.create(url="https://b.example.org/feed", next_check_at=timezone.now(), paused=True)
    assert [f.url for f in Feed.objects.due(timezone.now())] == ["https://a.example.org/feed"]
