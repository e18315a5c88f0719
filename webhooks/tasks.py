"""Celery tasks of the webhooks: thin, taking ids (STYLE.md), each keeping its ``name=``.

``queue_deliveries`` fans a change's events out to one ``deliver_event`` each, so the request
that made the change sends one message to the broker whatever the number of subscriptions.
``deliver_event`` makes one attempt and, for a retry due within a few minutes, queues itself
with a countdown; retries due later, and events whose message was lost, are handed out by
``dispatch_due_events``, which the beat runs every minute.
"""

from __future__ import annotations

import datetime as dt
import logging

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
        transaction.on_commit(lambda: _queue(event_ids), robust=True)


def _queue(event_ids: list[int]) -> None:
    try:
        queue_deliveries.delay(event_ids)
    except Exception:
        logger.warning(
            "webhook events %s: not queued; the sweep will deliver them", event_ids, exc_info=True
        )


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
