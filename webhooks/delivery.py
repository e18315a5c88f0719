"""Delivering stored events (SPEC section 10): claim the event, POST it, record the attempt,
schedule the retry or give up, pause a subscription whose deliveries all failed for 72 hours.

Claiming is a conditional UPDATE of the event's ``next_attempt_at`` (the lease): of two tasks
holding the same event (a duplicate from the broker, the sweep and a retry's countdown), one
gets the row and the other finds it leased and does nothing, so an event is not POSTed twice
at once. A worker killed while sending leaves the lease to run out; the sweep then sends it
again, with the same ``webhook-id`` (receivers drop repeats by it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks.models import DeliveryAttempt, Event, EventState, Subscription
from webhooks.sending import send

# Longer than any send can take (connect and read timeouts, three times the fetch timeout
# at most), so a lease runs out only when its worker is gone.
SEND_LEASE = dt.timedelta(minutes=10)
FAILING_BEFORE_PAUSE = dt.timedelta(hours=72)


def retry_delays() -> list[float]:
    return [float(seconds) for seconds in settings.FACTCHECK_WEBHOOK_RETRY_DELAYS]


@dataclass(frozen=True)
class Outcome:
    event: Event
    attempt: DeliveryAttempt
    retry_in: float | None  # seconds until the next attempt, None when there is none


def _claim(event_id: int, now: dt.datetime, lease_until: dt.datetime | None) -> bool:
    active = Subscription.objects.filter(paused_at__isnull=True).values("pk")
    rows = Event.objects.filter(pk=event_id, state=EventState.PENDING, subscription_id__in=active)
    # A task queued by the sweep holds the sweep's lease (the exact time it set); any other
    # task may take the event only when it is due.
    if lease_until is not None:
        rows = rows.filter(next_attempt_at=lease_until)
    else:
        rows = rows.filter(next_attempt_at__lte=now)
    return rows.update(next_attempt_at=now + SEND_LEASE) == 1


def event_deliver(*, event_id: int, lease_until: dt.datetime | None = None) -> Outcome | None:
    """One attempt at delivering the event, if it is ours to make now; None when it is not
    (delivered, given up, leased by another task, not yet due, its subscription paused)."""
    now = timezone.now()
    if not _claim(event_id, now, lease_until):
        return None
    event = Event.objects.select_related("subscription").get(pk=event_id)
    subscription = event.subscription
    sent = send(
        url=subscription.url,
        secret=subscription.secret,
        webhook_id=event.webhook_id,
        body=event.body,
        now=now,
    )
    return _record(event.pk, subscription.pk, sent, now)


@transaction.atomic
def _record(event_id: int, subscription_id: int, sent, now: dt.datetime) -> Outcome:
    # The subscription before its events, as ``subscription_resume`` locks them: a resume and
    # an attempt's record never wait for each other in a circle.
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    event = Event.objects.select_for_update().get(pk=event_id)
    event.attempt_count += 1
    attempt = DeliveryAttempt.objects.create(
        event=event,
        number=event.attempt_count,
        attempted_at=now,
        status_code=sent.status_code,
        error=sent.error[:2000],
        duration_ms=sent.duration_ms,
        succeeded=sent.succeeded,
    )
    retry_in = None
    if sent.succeeded:
        event.state = EventState.DELIVERED
        event.delivered_at = timezone.now()
        event.next_attempt_at = None
        event.last_error = ""
        if subscription.failing_since is not None:
            subscription.failing_since = None
            subscription.save(update_fields=["failing_since"])
    else:
        event.last_error = sent.error[:2000]
        delays = retry_delays()
        if event.attempt_count <= len(delays):
            retry_in = delays[event.attempt_count - 1]
            event.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        else:
            event.state = EventState.FAILED
            event.next_attempt_at = None
        if subscription.failing_since is None:
            subscription.failing_since = now
            subscription.save(update_fields=["failing_since"])
        elif now - subscription.failing_since >= FAILING_BEFORE_PAUSE:
            subscription.paused_at = now
            subscription.save(update_fields=["paused_at"])
            retry_in = None  # nothing more is sent until its owner resumes it
    event.save(
        update_fields=["attempt_count", "state", "delivered_at", "next_attempt_at", "last_error"]
    )
    return Outcome(event=event, attempt=attempt, retry_in=retry_in)


def pending_of(subscription: Subscription):
    return Event.objects.filter(subscription=subscription, state=EventState.PENDING)


def requeue_pending(subscription: Subscription, now: dt.datetime) -> list[int]:
    """Make the subscription's pending events due now; return their ids, to be queued after
    commit."""
    ids = list(pending_of(subscription).values_list("pk", flat=True))
    Event.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return ids
