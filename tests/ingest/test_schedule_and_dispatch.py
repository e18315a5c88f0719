"""The schedule of SPEC section 5 and the dispatcher that claims due rows (two claimers never
take the same row)."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from articles.schedule import JITTER, article_interval, article_next_check
from core.leases import LEASE, _lease_one_by_one, lease_due_rows
from pipeline.tasks import dispatch_due_articles

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (dt.timedelta(0), dt.timedelta(minutes=15)),
        (2.9 * H, dt.timedelta(minutes=15)),
        (3 * H, H),
        (23 * H, H),
        (24 * H, 3 * H),
        (6 * 24 * H, 3 * H),
        (8 * 24 * H, 24 * H),
        (29 * 24 * H, 24 * H),
        (31 * 24 * H, 7 * 24 * H),
        (364 * 24 * H, 7 * 24 * H),
        (366 * 24 * H, None),
    ],
)
def test_interval_by_age_of_the_last_change(age, interval):
    assert article_interval(last_changed_at=NOW - age, now=NOW) == interval


def test_jitter_stays_within_ten_percent_and_varies():
    rng = random.Random(4)
    checks = {article_next_check(last_changed_at=NOW, now=NOW, rng=rng) - NOW for _ in range(50)}
    low, high = dt.timedelta(minutes=15) * (1 - JITTER), dt.timedelta(minutes=15) * (1 + JITTER)
    assert all(low <= c <= high for c in checks)
    assert len(checks) > 10


def test_failures_back_off_and_old_articles_are_never_checked():
    rng = random.Random(1)
    first = article_next_check(last_changed_at=NOW, now=NOW, failure_count=1, rng=rng) - NOW
    fourth = article_next_check(last_changed_at=NOW, now=NOW, failure_count=4, rng=rng) - NOW
    assert first < dt.timedelta(minutes=17)
    assert fourth > dt.timedelta(minutes=100)
    assert article_next_check(last_changed_at=NOW - 400 * 24 * H, now=NOW) is None


def _articles(n, *, due=True):
    now = timezone.now()
    when = now - dt.timedelta(minutes=1) if due else now + H
    return [
        Article.objects.create(
            url=f"https://news.example.org/{due}/{i}",
            canonical_url=f"https://news.example.org/{due}/{i}",
            next_check_at=when,
        ).pk
        for i in range(n)
    ]


def test_claim_due_takes_due_rows_and_leases_them(db):
    due = _articles(5)
    _articles(3, due=False)
    now = timezone.now()
    claimed = lease_due_rows(Article.objects.due(now), field="next_check_at", now=now, limit=3)
    assert len(claimed) == 3 and set(claimed) <= set(due)
    leased = Article.objects.filter(pk__in=claimed)
    assert all(a.next_check_at >= now + LEASE - dt.timedelta(seconds=1) for a in leased)
    rest = lease_due_rows(Article.objects.due(now), field="next_check_at", now=now, limit=10)
    assert sorted(rest) == sorted(set(due) - set(claimed))


def test_lock_free_claim_gives_each_row_to_one_claimer(db):
    """SQLite's path: both claimers read the same candidates; the conditional UPDATE lets only
    the first one have each row."""
    ids = _articles(4)
    now = timezone.now()
    first = _lease_one_by_one(
        Article, ids[:3], field="next_check_at", now=now, lease_until=now + LEASE
    )
    second = _lease_one_by_one(
        Article, ids, field="next_check_at", now=now, lease_until=now + LEASE
    )
    assert first == ids[:3]
    assert second == [ids[3]]


needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL"
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_second_claimer_skips_rows_the_first_one_holds():
    ids = _articles(10)
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    first_ids = []

    def first_claimer():
        try:
            with transaction.atomic():
                first_ids.extend(
                    Article.objects.due(timezone.now())
                    .select_for_update(skip_locked=True)
                    .values_list("pk", flat=True)[:6]
                )
                held.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=first_claimer)
    thread.start()
    assert held.wait(10)
    now = timezone.now()
    second = lease_due_rows(Article.objects.due(now), field="next_check_at", now=now, limit=10)
    release.set()
    thread.join(10)
    assert len(first_ids) == 6
    assert sorted(second) == sorted(set(ids) - set(first_ids))


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatchers_never_share_a_row():
    ids = _articles(60)
    barrier = threading.Barrier(2)
    results = {}

    def claimer(name):
        try:
            barrier.wait(10)
            now = timezone.now()
            results[name] = lease_due_rows(
                Article.objects.due(now), field="next_check_at", now=now, limit=40
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not set(results["a"]) & set(results["b"])
    assert sorted(results["a"] + results["b"]) == sorted(ids)


@pytest.mark.usefixtures("eager_celery")
def test_dispatch_task_checks_each_due_article(tmp_path, db):
    from pipeline.ingest import article_ingest_file

    paths = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.txt"
        path.write_text(f"Title {name}\nThe text of article {name}.", encoding="utf-8")
        paths.append(path)
    reports = [article_ingest_file(path=p) for p in paths]
    paths[0].write_text("Title one\nThe text of article one, updated.", encoding="utf-8")
    Article.objects.update(next_check_at=timezone.now() - dt.timedelta(minutes=1))
    assert dispatch_due_articles() == 2
    first = Article.objects.get(pk=reports[0].article.pk)
    assert first.current_revision.number == 2
    assert Article.objects.get(pk=reports[1].article.pk).current_revision.number == 1
    assert dispatch_due_articles() == 0
