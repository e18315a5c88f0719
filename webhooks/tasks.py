"""Celery tasks of the webhooks: thin, taking ids (STYLE.md), each keeping its ``name=``.

``queue_deliveries`` fans a change's events out to one ``deliver_event`` each, so the request
that made the change sends one message to the broker whatever the number of subscriptions.
``deliver_event`` makes one attempt and, for a retry due within a few minutes, queues itself
with a countdown; retries due later, and events whose message was lost, are handed out by
``dispatch_due_events``, which the beat runs every minute.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import queue
import threading

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.leases import lease_due_rows
from webhooks.delivery import SEND_LEASE, event_deliver
from webhooks.models import Event

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 500
# A countdown is held by the worker that took the message, unacknowledged; Redis hands such a
# message to another worker after its visibility timeout (6 minutes, see settings), so only
# retries due well within it are counted down. Later ones wait in the database for the sweep.
MAX_COUNTDOWN = 300.0


def queue_after_commit(event_ids: list[int]) -> None:
    """Queue the events' delivery once the caller's transaction commits (the worker must see
    them); a broker out of reach is logged, and the sweep delivers them later."""
    if event_ids:
        transaction.on_commit(lambda: _hand_to_publisher(event_ids), robust=True)


# The message to the broker is sent by a thread of this process, not by the request that
# made the change: a broker round trip (two with Redis) would otherwise be part of every
# write's latency (SPEC section 10: subscriptions add at most 5 ms; bench/webhooks.py). The
# events are already committed, so a message this process never sends (it exits, the broker
# is down) only delays them until the sweep.
_outgoing: queue.Queue[list[int]] = queue.Queue()
_publisher_pid: int | None = None
_publisher_lock = threading.Lock()


def _hand_to_publisher(event_ids: list[int]) -> None:
    global _publisher_pid
    if queue_deliveries.app.conf.task_always_eager:
        _publish(event_ids)  # tests and CELERY_TASK_ALWAYS_EAGER: at once, in this thread
        return
    with _publisher_lock:
        # One thread per process, started again in a forked child (gunicorn's workers).
        if _publisher_pid != os.getpid():
            threading.Thread(target=_publish_forever, name="webhook-publisher", daemon=True).start()
            _publisher_pid = os.getpid()
    _outgoing.put(event_ids)


def _publish_forever() -> None:
    while True:
        event_ids = _outgoing.get()
        try:
            _publish(event_ids)
        finally:
            _outgoing.task_done()


def _publish(event_ids: list[int]) -> None:
    try:
        queue_deliveries.delay(event_ids)
    except Exception:
        logger.warning(
            "webhook events %s: not queued; the sweep will deliver them", event_ids, exc_info=True
        )


def publish_pending() -> None:
    """Wait until the messages handed to the publisher are sent (or given up to the sweep):
    at exit (a command that emitted events), and in tests."""
    if _publisher_pid == os.getpid():
        _outgoing.join()


atexit.register(publish_pending)


@shared_task(
    name="webhooks.tasks.queue_deliveries", acks_late=True, soft_time_limit=50, time_limit=60
)
def queue_deliveries(event_ids: list[int]) -> None:
    for event_id in event_ids:
        deliver_event.delay(event_id)


@shared_task(
    name="webhooks.tasks.deliver_event", acks_late=True, soft_time_limit=150, time_limit=180
)
def deliver_event(event_id: int, lease_until: str | None = None) -> None:
    outcome = event_deliver(
        event_id=event_id,
        lease_until=dt.datetime.fromisoformat(lease_until) if lease_until else None,
    )
    if outcome is not None and outcome.retry_in is not None and outcome.retry_in <= MAX_COUNTDOWN:
        deliver_event.apply_async((event_id,), countdown=outcome.retry_in)


@shared_task(
    name="webhooks.tasks.dispatch_due_events", acks_late=True, soft_time_limit=50, time_limit=60
)
def dispatch_due_events(batch: int = DISPATCH_BATCH) -> int:
    now = timezone.now()
    ids = lease_due_rows(
        Event.objects.due(now), field="next_attempt_at", now=now, limit=batch, lease=SEND_LEASE
    )
    lease_until = (now + SEND_LEASE).isoformat()
    for event_id in ids:
        deliver_event.delay(event_id, lease_until)
    return len(ids)
