"""End to end on the real Redis (127.0.0.1:6379, database 5, or FACTCHECK_TEST_HOOKS_REDIS_URL)
with a real Celery worker and a receiver on 127.0.0.1 that fails first and then succeeds: the
event arrives signed, with one webhook-id across its attempts, and nothing is lost when the
worker, or the broker, is down at the time of the change.

On PostgreSQL the worker is a separate process (``celery worker`` on the test database); on
SQLite, whose test database lives in this process's memory, it is a worker thread, as in
tests/ingest/test_celery_end_to_end.py. Either way the messages go through Redis."""

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group, Permission
from django.db import OperationalError, connection
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from claims import services
from core import events
from factcheck.celery import app as project_app
from tests.webhooks.conftest import subscribe
from webhooks.models import DeliveryAttempt, Event, EventState
from webhooks.tasks import dispatch_due_events, publish_pending

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("FACTCHECK_TEST_HOOKS_REDIS_URL", "redis://127.0.0.1:6379/5")
UNREACHABLE_BROKER = "redis://127.0.0.1:1/5"  # nothing listens on port 1

WORKER = """
import sys
import django
django.setup()
from factcheck.celery import app
app.conf.task_default_queue = sys.argv[1]
app.conf.worker_enable_remote_control = False
app.worker_main(["worker", "--pool=solo", "-Q", sys.argv[1], "--loglevel=INFO",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"])
"""


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI starts it)")
    return client


class Queue:
    """The app this test sends through, on a queue of its own (other runs of the suite share
    the Redis server), and a way to start the worker once the change is made."""

    def __init__(self, name: str):
        self.name = name
        self.app = self._app(REDIS_URL)
        self._stop = None

    def _app(self, broker_url: str) -> Celery:
        app = Celery("factcheck-webhooks-e2e")
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.autodiscover_tasks()
        app.conf.broker_url = broker_url
        app.conf.broker_transport_options = {}
        app.conf.task_always_eager = False
        app.conf.task_default_queue = self.name
        app.conf.worker_enable_remote_control = False
        app.set_current()
        app.set_default()
        return app

    @contextlib.contextmanager
    def broker_down(self):
        """Tasks are sent to a broker nobody answers at, for the time of the block."""
        down = self._app(UNREACHABLE_BROKER)
        try:
            yield
        finally:
            down.close()
            self.app.set_current()
            self.app.set_default()

    def start_worker(self, settings):
        if connection.vendor == "postgresql":
            self._start_process(settings)
        else:
            self._start_thread()

    def _start_process(self, settings):
        db = connection.settings_dict
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
        env.update(
            DATABASE_URL=(
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            DJANGO_SETTINGS_MODULE="factcheck.settings_test",
            CELERY_BROKER_URL=REDIS_URL,
            FACTCHECK_FETCH_ALLOW_PRIVATE="1",
            FACTCHECK_FETCH_TIMEOUT=str(settings.FACTCHECK_FETCH_TIMEOUT),
            FACTCHECK_WEBHOOK_RETRY_DELAYS=",".join(
                str(d) for d in settings.FACTCHECK_WEBHOOK_RETRY_DELAYS
            ),
        )
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER, self.name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
        reader.start()
        self.worker_output = output

        def stop():
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            reader.join(timeout=5)

        self._stop = stop

    def _start_thread(self):
        context = start_worker(self.app, pool="solo", perform_ping_check=False, shutdown_timeout=20)
        context.__enter__()
        self._stop = lambda: context.__exit__(None, None, None)

    def close(self, client):
        if self._stop is not None:
            self._stop()
        project_app.set_current()
        project_app.set_default()
        client.delete(self.name, f"_kombu.binding.{self.name}")


@pytest.fixture
def editors_role(transactional_db):
    """The Editor role with its webhook permissions: a transactional test that ran before
    this one flushed the rows the data migrations made."""
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*Permission.objects.filter(content_type__app_label="webhooks"))
    return editor


@pytest.fixture
def queue():
    client = _redis_or_skip()
    made = Queue(f"factcheck-hooks-e2e-{uuid.uuid4().hex}")
    try:
        yield made
    finally:
        made.close(client)


@pytest.fixture
def fails_then_succeeds(receiver):
    """The receiver answers 503 to the first POST of each path, then 204."""
    seen: dict[str, int] = {}

    def handler(request):
        seen[request.path] = seen.get(request.path, 0) + 1
        return Response("", status=503 if seen[request.path] == 1 else 204)

    receiver.expect_request("/hook", method="POST").respond_with_handler(handler)
    return receiver


def _wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass  # SQLite's shared cache: the worker thread holds the table for a moment
        time.sleep(0.25)
    return False


def _delivered(receiver, secret: str, event: Event):
    assert _wait_for(
        lambda: Event.objects.filter(pk=event.pk, state=EventState.DELIVERED).exists()
    ), "the worker did not deliver the event"
    posts = [request for request, _ in receiver.log if request.path == "/hook"]
    assert len(posts) == 2, "one failed attempt, then one that succeeded"
    assert {request.headers["webhook-id"] for request in posts} == {event.webhook_id}
    for request in posts:
        verified = Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers))
        assert verified["type"] == "claim.flagged"
        assert verified["data"]["reason"] == "Quote changed in revision 2."
    attempts = list(DeliveryAttempt.objects.filter(event=event).order_by("number"))
    assert [(a.status_code, a.succeeded) for a in attempts] == [(503, False), (204, True)]


@pytest.mark.django_db(transaction=True)
def test_an_event_made_while_the_worker_is_down_arrives_signed_after_a_retry(
    editors_role, world, editor, fails_then_succeeds, delivery_settings, queue
):
    delivery_settings.FACTCHECK_WEBHOOK_RETRY_DELAYS = [1, 1, 1]
    _, secret = subscribe(
        editor, url=fails_then_succeeds.url_for("/hook"), event_types=[events.CLAIM_FLAGGED]
    )
    # The change commits while no worker runs: its message waits in Redis.
    services.claim_flag_for_review(claim=world.claim, reason="Quote changed in revision 2.")
    event = Event.objects.get()
    assert event.state == EventState.PENDING and event.attempt_count == 0
    time.sleep(1)
    assert fails_then_succeeds.log == []

    queue.start_worker(delivery_settings)
    _delivered(fails_then_succeeds, secret, event)


@pytest.mark.django_db(transaction=True)
def test_an_event_whose_message_the_broker_never_got_is_delivered_by_the_sweep(
    editors_role, world, editor, fails_then_succeeds, delivery_settings, queue
):
    delivery_settings.FACTCHECK_WEBHOOK_RETRY_DELAYS = [1, 1, 1]
    _, secret = subscribe(
        editor, url=fails_then_succeeds.url_for("/hook"), event_types=[events.CLAIM_FLAGGED]
    )
    # The broker is out of reach at commit: the change is saved all the same, the event too.
    with queue.broker_down():
        services.claim_flag_for_review(claim=world.claim, reason="Quote changed in revision 2.")
        publish_pending()  # the publisher thread tried, and failed
    event = Event.objects.get()
    world.claim.refresh_from_db()
    assert world.claim.needs_review
    assert event.state == EventState.PENDING

    queue.start_worker(delivery_settings)
    assert dispatch_due_events() == 1  # the beat's sweep, run once here
    _delivered(fails_then_succeeds, secret, event)
