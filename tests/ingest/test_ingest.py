"""The ingestion pipeline: revisions (whitespace, change, flip back), metadata, failures kept as
data, conditional GET, local files, idempotent tasks (SPEC section 5)."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from articles.models import Article, ArticleCheck, ArticleRevision, ArticleState, CheckOutcome
from articles.services import article_get_or_create
from pipeline.ingest import article_check, article_ingest_file, article_ingest_url, local_file_url
from pipeline.tasks import ingest_article
from tests.ingest.conftest import page

BODY = (
    "The port authority said on Monday that 4,200 containers passed through the northern "
    "terminal in March.\n\nDock workers' union leader Ana Ribeiro disputed the figure, saying "
    "fewer than 3,000 were handled. The city council estimates that about 120 jobs depend on "
    "the terminal and that the port will need another crane before the summer season begins."
)


def serve(site, path, html, **headers):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request(path).respond_with_data(
        html, content_type="text/html; charset=utf-8", headers=headers
    )
    return site.url_for(path)


def outcomes(article):
    return list(
        ArticleCheck.objects.filter(article=article)
        .order_by("id")
        .values_list("outcome", flat=True)
    )


def test_first_ingest_stores_text_metadata_and_schedule(site, db):
    url = serve(site, "/news/terminal", page("Record month at the terminal", BODY))
    report = article_ingest_url(url=url)
    article = Article.objects.get(pk=report.article.pk)
    assert report.outcome == CheckOutcome.NEW_REVISION
    assert article.state == ArticleState.OK
    assert article.title == "Record month at the terminal"
    assert article.authors == "Ana Reporter"
    assert article.publisher == "Harbour City Gazette"
    assert article.published_at == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert article.current_revision.number == 1
    assert "4,200 containers" in article.current_revision.text
    assert article.last_checked_at is not None
    assert article.next_check_at > timezone.now()
    assert outcomes(article) == [CheckOutcome.NEW_REVISION]


def test_whitespace_and_quote_style_changes_make_no_revision(site, db):
    url = serve(site, "/a", page("T", BODY))
    article = article_ingest_url(url=url).article
    tweaked = BODY.replace("workers'", "workers\u2019").replace(" said", "  said")
    serve(site, "/a", page("T", tweaked))
    report = article_check(article=article)
    assert report.outcome == CheckOutcome.UNCHANGED
    assert ArticleRevision.objects.filter(article=article).count() == 1
    assert outcomes(article) == [CheckOutcome.NEW_REVISION, CheckOutcome.UNCHANGED]


def test_real_change_then_flip_back(site, db):
    url = serve(site, "/a", page("T", BODY))
    article = article_ingest_url(url=url).article
    first = article.current_revision

    serve(site, "/a", page("T", BODY.replace("4,200", "4,500")))
    changed = article_check(article=article)
    assert changed.outcome == CheckOutcome.NEW_REVISION
    assert changed.revision.number == 2
    assert Article.objects.get(pk=article.pk).current_revision.number == 2

    serve(site, "/a", page("T", BODY))
    back = article_check(article=Article.objects.get(pk=article.pk))
    assert back.outcome == CheckOutcome.RETURNED
    assert back.revision == first
    article.refresh_from_db()
    assert article.current_revision == first
    assert ArticleRevision.objects.filter(article=article).count() == 2
    check = ArticleCheck.objects.filter(article=article).first()
    assert check.outcome == CheckOutcome.RETURNED
    assert "again that of revision 1" in check.message
    assert article.history.first().history_change_reason == "Text returned to revision 1"


def test_a_failure_keeps_the_last_good_revision(site, db):
    url = serve(site, "/a", page("T", BODY))
    article = article_ingest_url(url=url).article
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request("/a").respond_with_data("gone", status=404)
    report = article_check(article=article)
    article.refresh_from_db()
    assert report.outcome == CheckOutcome.ERROR
    assert article.state == ArticleState.ERROR
    assert "404 Not Found" in article.last_error
    assert article.failure_count == 1
    assert article.current_revision.number == 1
    assert ArticleRevision.objects.filter(article=article).count() == 1

    serve(site, "/a", page("T", BODY))
    article_check(article=article)
    article.refresh_from_db()
    assert (article.state, article.last_error, article.failure_count) == (ArticleState.OK, "", 0)


def _respond(site, path, **kwargs):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request(path).respond_with_data(**kwargs)


ERRORS = [
    ({"response_data": "x", "status": 404}, "404 Not Found"),
    ({"response_data": "x", "status": 503}, "503 Service Unavailable"),
    ({"response_data": b"%PDF", "content_type": "application/pdf"}, "not an HTML page"),
    (
        {"response_data": b"<p>\xff\xfe\xfa</p>", "content_type": "text/html; charset=utf-8"},
        "not valid in that encoding",
    ),
    ({"response_data": "<html><body></body></html>", "content_type": "text/html"}, "No article"),
    ({"response_data": "x" * 3000, "content_type": "text/html"}, "more than the limit"),
]


@pytest.mark.parametrize(("response", "message"), ERRORS)
def test_errors_are_stored_on_the_article(site, settings, db, response, message):
    settings.FACTCHECK_FETCH_MAX_BYTES = 2000
    _respond(site, "/e", **response)
    report = article_ingest_url(url=site.url_for("/e"))
    article = Article.objects.get(pk=report.article.pk)
    assert article.state == ArticleState.ERROR
    assert message in article.last_error
    assert article.current_revision is None
    assert article.next_check_at is not None
    assert ArticleCheck.objects.get(article=article).message == article.last_error


def test_robots_disallow_and_redirect_loop_are_stored(site, db):
    site.expect_oneshot_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /no\n")
    report = article_ingest_url(url=site.url_for("/no/page"))
    assert "robots.txt" in Article.objects.get(pk=report.article.pk).last_error

    site.expect_request("/x").respond_with_data("", status=302, headers={"Location": "/y"})
    site.expect_request("/y").respond_with_data("", status=302, headers={"Location": "/x"})
    report = article_ingest_url(url=site.url_for("/x"))
    assert "loop" in Article.objects.get(pk=report.article.pk).last_error


def test_refused_address_is_stored(local_server, settings, db):
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = False
    local_server.clear()
    report = article_ingest_url(url=local_server.url_for("/internal"))
    article = Article.objects.get(pk=report.article.pk)
    assert article.state == ArticleState.ERROR
    assert "loopback" in article.last_error
    assert local_server.log == []


def test_conditional_get_uses_the_stored_etag(site, db):
    url = serve(site, "/c", page("T", BODY), ETag='"rev-1"')
    article = article_ingest_url(url=url).article
    assert Article.objects.get(pk=article.pk).etag == '"rev-1"'
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request("/c", headers={"If-None-Match": '"rev-1"'}).respond_with_data(
        "", status=304
    )
    report = article_check(article=Article.objects.get(pk=article.pk))
    assert report.outcome == CheckOutcome.NOT_MODIFIED
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_the_same_task_twice_stores_one_revision(site, db):
    url = serve(site, "/t", page("T", BODY))
    article, _ = Article.objects.get_or_create(url=url, canonical_url=url)
    ingest_article(article.pk)
    ingest_article(article.pk)
    assert ArticleRevision.objects.filter(article=article).count() == 1
    assert outcomes(article) == [CheckOutcome.NEW_REVISION, CheckOutcome.UNCHANGED]


def test_local_text_file_first_line_is_the_title(tmp_path, db):
    path = tmp_path / "terminal.txt"
    path.write_text("Record month at the terminal\n\n" + BODY, encoding="utf-8")
    report = article_ingest_file(path=path)
    article = Article.objects.get(pk=report.article.pk)
    assert article.title == "Record month at the terminal"
    assert article.current_revision.text.startswith("The port authority said")
    assert article.canonical_url.startswith("https://local-file.invalid/")

    path.write_text("Record month at the terminal\n\n" + BODY + " Updated.", encoding="utf-8")
    assert article_check(article=article).outcome == CheckOutcome.NEW_REVISION


def test_local_html_file(tmp_path, db):
    path = tmp_path / "terminal.html"
    path.write_text(page("Record month", BODY), encoding="utf-8")
    report = article_ingest_file(path=path, url="https://gazette.example.org/terminal")
    assert report.article.canonical_url == "https://gazette.example.org/terminal"
    assert report.article.current_revision.title == "Record month"
    assert "4,200 containers" in report.article.current_revision.text


def test_a_check_behind_many_requests_to_the_site_is_put_off(site, settings, db):
    url = serve(site, "/a", page("T", BODY))
    article = article_ingest_url(url=url).article
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 600
    article_check(article=article)  # takes the next slot
    report = article_check(article=Article.objects.get(pk=article.pk), max_domain_wait=30)
    assert report.outcome == "deferred"
    article.refresh_from_db()
    assert article.state == ArticleState.OK
    assert article.next_check_at > timezone.now() + dt.timedelta(seconds=500)
    assert ArticleCheck.objects.filter(article=article).count() == 2


def test_a_new_revision_gets_its_check_worthy_candidates_from_a_task_after_commit(
    tmp_path, db, django_capture_on_commit_callbacks
):
    """The workers' path: the revision is stored first, and its candidates are found by a task
    queued when that transaction commits, not inside it."""
    from claims.models import Candidate
    from pipeline.tasks import generate_candidates

    path = tmp_path / "terminal.txt"
    path.write_text("Record month at the terminal\n\n" + BODY, encoding="utf-8")
    article, _ = article_get_or_create(url=local_file_url(path))
    Article.objects.filter(pk=article.pk).update(local_path=str(path))
    with mock.patch.object(generate_candidates, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            ingest_article(article.pk)
        article.refresh_from_db()
        assert article.revision_count == 1
        assert not Candidate.objects.exists()
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    report = article_check(article=article)
    assert report.outcome == CheckOutcome.UNCHANGED
    delay.assert_called_once_with(report.revision.pk)
    assert generate_candidates(report.revision.pk) == Candidate.objects.count() > 0
    first = set(Candidate.objects.filter(article=report.article).values_list("text", flat=True))
    assert all(report.revision.text.count(text) for text in first)

    # Run twice (a redelivered message), the task stores nothing more.
    assert generate_candidates(report.revision.pk) == len(first)
    assert Candidate.objects.count() == len(first)

    path.write_text(
        "Record month at the terminal\n\n" + BODY + "\nThe union said 300 jobs were cut.",
        encoding="utf-8",
    )
    report = article_check(article=report.article, candidates_now=True)
    assert report.outcome == CheckOutcome.NEW_REVISION
    texts = set(Candidate.objects.filter(article=report.article).values_list("text", flat=True))
    assert texts == first | {"The union said 300 jobs were cut."}


def test_candidates_are_not_queued_when_the_text_did_not_change(
    tmp_path, db, django_capture_on_commit_callbacks
):
    from pipeline.tasks import generate_candidates

    path = tmp_path / "terminal.txt"
    path.write_text("Record month at the terminal\n\n" + BODY, encoding="utf-8")
    article = article_ingest_file(path=path, candidates_now=True).article
    with (
        mock.patch.object(generate_candidates, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert article_check(article=article).outcome == CheckOutcome.UNCHANGED
    delay.assert_not_called()
