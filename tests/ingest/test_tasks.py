"""Tasks: retried with backoff for timeouts, 429 and 5xx (the server's Retry-After first), never
for other 4xx; every outcome is recorded on the article."""

from types import SimpleNamespace

import pytest

from articles.fetch import FetchTimeout, HTTPStatusError
from articles.models import Article, ArticleCheck, ArticleState, CheckOutcome
from pipeline.tasks import MAX_RETRIES, _retry_if_worthwhile, ingest_article


def _article(url):
    return Article.objects.create(url=url, canonical_url=url)


def _requests(site, path):
    return [r for r, _ in site.log if r.path == path]


def test_server_errors_are_retried_then_left_as_a_visible_error(site, db):
    site.expect_request("/down").respond_with_data("down", status=503)
    article = _article(site.url_for("/down"))
    # Eager: Celery runs each retry at once, so all attempts happen inside this call.
    ingest_article.apply(args=[article.pk])
    assert len(_requests(site, "/down")) == 1 + MAX_RETRIES
    article.refresh_from_db()
    assert article.state == ArticleState.ERROR
    assert "503 Service Unavailable" in article.last_error
    assert article.failure_count == 1 + MAX_RETRIES
    assert ArticleCheck.objects.filter(article=article, outcome=CheckOutcome.ERROR).count() == 5


def test_not_found_is_not_retried(site, db):
    site.expect_request("/gone").respond_with_data("gone", status=404)
    article = _article(site.url_for("/gone"))
    ingest_article.apply(args=[article.pk])
    assert len(_requests(site, "/gone")) == 1
    assert Article.objects.get(pk=article.pk).state == ArticleState.ERROR


def test_a_missing_article_is_no_crash(db):
    assert ingest_article.apply(args=[987654]).successful()


class _Retry(Exception):
    pass


def _task(retries):
    calls = []

    def retry(countdown):
        calls.append(countdown)
        return _Retry()

    return SimpleNamespace(
        request=SimpleNamespace(retries=retries), max_retries=4, retry=retry
    ), calls


def test_retry_after_is_honoured_and_backoff_grows():
    task, calls = _task(retries=0)
    with pytest.raises(_Retry):
        _retry_if_worthwhile(task, HTTPStatusError(429, url="https://a.example/", retry_after=120))
    assert 120 <= calls[0] <= 125

    task, calls = _task(retries=2)
    with pytest.raises(_Retry):
        _retry_if_worthwhile(task, FetchTimeout("slow", url="https://a.example/"))
    assert 240 <= calls[0] <= 245


def test_no_retry_for_final_errors_or_when_retries_are_spent():
    task, calls = _task(retries=0)
    _retry_if_worthwhile(task, HTTPStatusError(404, url="https://a.example/"))
    task_spent, calls_spent = _task(retries=4)
    _retry_if_worthwhile(task_spent, HTTPStatusError(503, url="https://a.example/"))
    assert calls == calls_spent == []


def _revision(tmp_path):
    from pipeline.ingest import article_ingest_file

    path = tmp_path / "terminal.txt"
    path.write_text(
        "Terminal\nThe port authority said 4,200 containers passed through in March.", "utf-8"
    )
    return article_ingest_file(path=path).revision


def test_candidates_task_retries_a_busy_database_then_finds_them(tmp_path, db, monkeypatch):
    from django.db import OperationalError

    from claims.models import Candidate
    from pipeline import tasks as candidates
    from pipeline.tasks import generate_candidates

    revision = _revision(tmp_path)
    real, calls = candidates.candidates_generate, []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(candidates, "candidates_generate", flaky)
    # Eager: each retry runs at once, inside this call.
    assert generate_candidates.apply(args=[revision.pk]).get() == 1
    assert len(calls) == 3
    assert Candidate.objects.filter(revision=revision).count() == 1
    assert not ArticleCheck.objects.filter(outcome=CheckOutcome.ERROR).exists()


def test_candidates_task_that_fails_for_good_leaves_a_visible_error(tmp_path, db, monkeypatch):
    from pipeline import tasks as candidates
    from pipeline.tasks import generate_candidates

    revision = _revision(tmp_path)

    def broken(**kwargs):
        raise ValueError("unexpected text")

    monkeypatch.setattr(candidates, "candidates_generate", broken)
    assert generate_candidates.apply(args=[revision.pk]).failed()
    check = ArticleCheck.objects.get(outcome=CheckOutcome.ERROR)
    assert check.article_id == revision.article_id and check.revision_id == revision.pk
    assert "revision 1 could not be found (ValueError: unexpected text)" in check.message
    article = Article.objects.get(pk=revision.article_id)
    assert article.state == ArticleState.OK and article.current_revision_id == revision.pk


def test_candidates_task_for_a_missing_revision_is_no_crash(db):
    from pipeline.tasks import generate_candidates

    assert generate_candidates.apply(args=[987654]).get() == 0
