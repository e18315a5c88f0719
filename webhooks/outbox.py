"""The listener of ``core.events.domain_event``: stores one Event per subscription that wants
the event's type, in the transaction of the change (an outbox), and queues its delivery once
that transaction commits.

A rolled-back change stores nothing and queues nothing. A committed one is never lost: if the
broker is out of reach at commit, or the worker that took the task dies, the event stays
pending and the sweep (``tasks.dispatch_due_events``, every minute) hands it out again.
"""

from __future__ import annotations

import uuid

from django.dispatch import receiver
from django.utils import timezone

from core.events import domain_event
from webhooks import payloads
from webhooks.models import Event, EventState, Subscription
from webhooks.tasks import queue_after_commit


def new_webhook_id() -> str:
    # Standard Webhooks' message id: unique per event, the same on each of its retries.
    return f"msg_{uuid.uuid4().hex}"


@receiver(domain_event, dispatch_uid="webhooks.outbox.store_event")
def store_event(sender, *, event_type: str, claim_id, article_id, extra: dict, **kwargs) -> None:
    # One query when nobody subscribes: the list of subscriptions is short (one or a few per
    # newsroom tool), and JSON containment is not portable to SQLite, so it is read whole.
    wanted = [
        pk
        for pk, types in Subscription.objects.values_list("pk", "event_types")
        if event_type in (types or [])
    ]
    if not wanted:
        return
    now = timezone.now()
    data = payloads.event_data(claim_id=claim_id, article_id=article_id, extra=extra)
    body = payloads.event_body(event_type=event_type, timestamp=now, data=data)
    events = Event.objects.bulk_create(
        [
            Event(
                subscription_id=pk,
                webhook_id=new_webhook_id(),
                type=event_type,
                body=body,
                created_at=now,
                state=EventState.PENDING,
                # Due now: if the task queued below never runs, the sweep delivers it.
                next_attempt_at=now,
            )
            for pk in wanted
        ]
    )
    # One message to the broker after commit, whatever the number of subscriptions.
    queue_after_commit([event.pk for event in events])
