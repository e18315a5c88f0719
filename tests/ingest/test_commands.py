"""The ingestion commands of SPEC section 9: synchronous, a line per item and a summary; exit
status 0 when every item succeeded, 1 when some failed (tests/ingest/test_batch_failures.py),
2 on a usage error."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.models import Article, ArticleState, Feed
from claims.models import Evidence, LinkState, Stance
from tests.conftest import make_evidence
from tests.ingest.conftest import page

# Two check-worthy sentences: the candidates count on each line is 2.
BODY = "The council said 120 jobs depend on the terminal.\n\nIt expects 40 more by the summer."


def run(*args, status: int = 0) -> list[str]:
    """The item lines of a command (the summary line left off), which exits with ``status``."""
    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as exc:
        assert exc.returncode == status
    else:
        assert status == 0
    lines = out.getvalue().splitlines()
    assert " ok, " in lines[-1] and " failed, of " in lines[-1]
    return lines[:-1]


def test_ingest_urls_and_files_one_line_each(site, tmp_path, db):
    site.expect_request("/good").respond_with_data(page("Jobs", BODY), content_type="text/html")
    site.expect_request("/missing").respond_with_data("no", status=404)
    path = tmp_path / "local.txt"
    path.write_text("Local title\n" + BODY, encoding="utf-8")
    lines = run("ingest", site.url_for("/good"), site.url_for("/missing"), str(path), status=1)
    assert len(lines) == 3
    good = Article.objects.get(canonical_url=site.url_for("/good"))
    assert lines[0] == (
        f"[1/3] #{good.pk} ok revisions=1 candidates=2 new_revision {good.canonical_url}"
    )
    assert " error revisions=0 " in lines[1] and "404 Not Found" in lines[1]
    assert Article.objects.get(canonical_url=site.url_for("/missing")).state == ArticleState.ERROR
    assert " ok revisions=1 " in lines[2]


def test_ingest_feed(site, db):
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>'
        f"<item><title>Jobs</title><link>{site.url_for('/good')}</link></item>"
        "</channel></rss>"
    )
    site.expect_request("/feed").respond_with_data(rss, content_type="application/rss+xml")
    site.expect_request("/good").respond_with_data(page("Jobs", BODY), content_type="text/html")
    lines = run("ingest", "--feed", site.url_for("/feed"))
    feed = Feed.objects.get()
    assert lines[0] == f"feed #{feed.pk} ok {site.url_for('/feed')}: 1 new entries"
    assert " ok revisions=1 " in lines[1]
    assert run("ingest", "--feed", site.url_for("/feed")) == [
        f"feed #{feed.pk} ok {site.url_for('/feed')}: 0 new entries"
    ]


def test_ingest_without_arguments_is_a_usage_error(db):
    with pytest.raises(CommandError, match="at least one URL") as raised:
        call_command("ingest")
    assert raised.value.returncode == 2


def test_reingest_all_and_due(site, db):
    site.expect_request("/good").respond_with_data(page("Jobs", BODY), content_type="text/html")
    run("ingest", site.url_for("/good"))
    article = Article.objects.get()
    assert " unchanged " in run("reingest", "--all")[0]
    Article.objects.update(next_check_at=timezone.now() + dt.timedelta(hours=1))
    assert run("reingest", "--due") == ["No articles to check."]  # and "0 ok, 0 failed"
    Article.objects.update(next_check_at=timezone.now() - dt.timedelta(minutes=1))
    lines = run("reingest", "--due")
    assert lines == [
        f"[1/1] #{article.pk} ok revisions=1 candidates=2 unchanged {article.canonical_url}"
    ]
    assert Article.objects.get().next_check_at > timezone.now()


def test_check_evidence_links(site, world):
    site.expect_request("/report").respond_with_data(page("Report", BODY), content_type="text/html")
    evidence = make_evidence(
        world.claim, stance=Stance.CONTEXT, source=world.outlet, url=site.url_for("/report")
    )
    assert run("check_evidence_links") == [f"[1/1] evidence #{evidence.pk} ok {evidence.url}"]
    assert Evidence.objects.get().link_state == LinkState.OK
