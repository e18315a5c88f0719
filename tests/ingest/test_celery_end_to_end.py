"""End to end with a real Celery worker on the real Redis (127.0.0.1:6379, database 2, or
``FACTCHECK_TEST_REDIS_URL``): the admin's "re-check now" queues a task on commit, the worker
fetches the page from a local server and stores the new revision; the beat's dispatcher does
the same for due articles."""

import os
import time
import uuid

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleCheck, CheckOutcome
from claims.models import Candidate
from factcheck.celery import app as project_app
from pipeline.ingest import article_ingest_url
from pipeline.tasks import dispatch_due_articles, ingest_article
from tests.ingest.conftest import page
from tests.test_lock_order import _restore_roles_and_scale

REDIS_URL = os.environ.get("FACTCHECK_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI starts it)")
    return client


@pytest.fixture
def redis_worker():
    """A worker thread consuming from Redis, with the project's tasks and settings.

    Its queue is named for this test alone. Other runs of this suite share the Redis server
    and database (other clones on the machine, parallel CI jobs); on the default queue their
    worker took this test's task, and this one theirs, each then checking whatever article
    had that id in its own database, and the flushdb each run did wiped the other's queued
    task. That made the test fail whenever two runs overlapped."""
    client = _redis_or_skip()
    queue = f"factcheck-e2e-{uuid.uuid4().hex}"
    app = Celery("factcheck-e2e")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()  # every app's tasks, as the project's worker has them
    app.conf.broker_url = REDIS_URL
    app.conf.broker_transport_options = {}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    # Remote control listens on a broadcast queue every worker on the database shares.
    app.conf.worker_enable_remote_control = False
    app.set_current()
    app.set_default()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        project_app.set_current()
        project_app.set_default()
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture(autouse=True)
def _roles_and_scale(transactional_db):
    """pytest-django runs the transactional tests last, these after the browser tests (in
    tests/browser/), whose flush empties the roles the data migrations made: restore them."""
    _restore_roles_and_scale()


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass  # SQLite in shared-cache mode: the worker holds the table for a moment
        time.sleep(0.2)
    return False


BODY = "The port handled {n} containers in March, the busiest month since 2019, it said."


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_worker")
def test_recheck_from_the_admin_is_done_by_a_worker(site, editor, client):
    site.expect_oneshot_request("/story").respond_with_data(
        page("Terminal", BODY.format(n="4,200")), content_type="text/html"
    )
    article = article_ingest_url(url=site.url_for("/story"), candidates_now=True).article
    site.expect_request("/story").respond_with_data(
        page("Terminal", BODY.format(n="3,900")), content_type="text/html"
    )
    # The task goes through Redis to the worker thread, not eagerly through this process.
    assert ingest_article.app.conf.broker_url == REDIS_URL
    assert ingest_article.app.conf.task_default_queue.startswith("factcheck-e2e-")
    assert not ingest_article.app.conf.task_always_eager
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_recheck", args=[article.pk]))
    assert response.status_code == 302

    assert _wait_for(
        lambda: (
            ArticleCheck.objects.filter(article=article, outcome=CheckOutcome.NEW_REVISION).count()
            == 2
        )
    ), "the worker did not store the new revision"
    # The new revision's candidates are a second task, queued by the first on commit. (Waited
    # for before reading further: in SQLite's shared cache the worker locks whole tables.)
    assert _wait_for(
        lambda: Candidate.objects.filter(article=article, revision__number=2).exists()
    ), "the worker did not find the new revision's candidates"
    stored = Article.objects.get(pk=article.pk)
    assert stored.current_revision.number == 2
    assert "3,900" in stored.current_revision.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_worker")
def test_dispatcher_sends_due_articles_to_the_worker(site):
    for n in (1, 2, 3):
        site.expect_request(f"/s{n}").respond_with_data(
            page(f"Story {n}", BODY.format(n=n * 1000)), content_type="text/html"
        )
        Article.objects.create(
            url=site.url_for(f"/s{n}"),
            canonical_url=site.url_for(f"/s{n}"),
            next_check_at=timezone.now(),
        )
    assert dispatch_due_articles.delay().id
    assert _wait_for(lambda: Article.objects.filter(current_revision__isnull=False).count() == 3), (
        "the worker did not ingest the due articles"
    )
    assert _wait_for(lambda: Candidate.objects.values("article").distinct().count() == 3), (
        "the worker did not find the new revisions' candidates"
    )
    assert not Article.objects.filter(next_check_at__lte=timezone.now()).exists()
