"""Delivery (SPEC section 10): the same webhook-id on every retry, growing delays from
FACTCHECK_WEBHOOK_RETRY_DELAYS, every attempt recorded, a subscription whose deliveries all
failed for 72 hours paused until its owner resumes it, the sweep for what the broker lost,
and never two sends of one event at once."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from claims import services
from core import events
from tests.webhooks.conftest import subscribe
from webhooks import services as webhook_services
from webhooks.delivery import SEND_LEASE, event_deliver
from webhooks.models import DeliveryAttempt, Event, EventState, Subscription
from webhooks.tasks import dispatch_due_events

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def flagged(world, editor, receiver):
    """A subscription to claim.flagged at the receiver's /hook, and one such event stored."""
    subscription, secret = subscribe(
        editor, url=receiver.url_for("/hook"), event_types=[events.CLAIM_FLAGGED]
    )
    with time_machine.travel(START, tick=False):
        services.claim_flag_for_review(claim=world.claim, reason="Quote changed.")
    event = Event.objects.get()
    return subscription, secret, event


def answer(receiver, status):
    receiver.clear()
    receiver.expect_request("/hook", method="POST").respond_with_data("", status=status)


def deliver_at(when, event):
    with time_machine.travel(when, tick=False):
        return event_deliver(event_id=event.pk)


def test_retries_use_the_growing_delays_and_keep_the_webhook_id(receiver, flagged):
    subscription, secret, event = flagged
    delays = [10, 60, 600, 3600, 21600, 86400]
    when = START
    for number, delay in enumerate(delays, start=1):
        answer(receiver, 500)
        outcome = deliver_at(when, event)
        assert outcome.retry_in == delay
        stored = Event.objects.get(pk=event.pk)
        assert stored.state == EventState.PENDING
        assert stored.attempt_count == number
        assert stored.next_attempt_at == when + dt.timedelta(seconds=delay)
        assert deliver_at(when + dt.timedelta(seconds=delay - 1), event) is None  # not yet due
        when += dt.timedelta(seconds=delay)
    answer(receiver, 200)
    outcome = deliver_at(when, event)
    assert outcome.attempt.succeeded and outcome.retry_in is None
    stored = Event.objects.get(pk=event.pk)
    assert stored.state == EventState.DELIVERED and stored.next_attempt_at is None
    assert stored.delivered_at is not None
    (request, _) = receiver.log[-1]
    assert request.headers["webhook-id"] == event.webhook_id
    with time_machine.travel(when, tick=False):
        assert Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers))

    attempts = list(DeliveryAttempt.objects.filter(event=event).order_by("number"))
    assert [a.status_code for a in attempts] == [500] * 6 + [200]
    assert [a.succeeded for a in attempts] == [False] * 6 + [True]
    assert all(a.error == "The receiver answered 500." for a in attempts[:6])
    assert attempts[-1].error == ""
    assert all(a.duration_ms >= 0 for a in attempts)
    assert attempts[0].attempted_at == START
    # The body, and so the signature's content, is the same on every attempt.
    sent = {req.get_data(as_text=True) for req, _ in receiver.log}
    assert sent == {event.body}
    subscription.refresh_from_db()
    assert subscription.failing_since is None and subscription.paused_at is None


def test_when_the_retries_run_out_the_event_fails(receiver, flagged, delivery_settings):
    delivery_settings.FACTCHECK_WEBHOOK_RETRY_DELAYS = [5, 7]
    _, _, event = flagged
    answer(receiver, 503)
    assert deliver_at(START, event).retry_in == 5
    assert deliver_at(START + dt.timedelta(seconds=5), event).retry_in == 7
    assert deliver_at(START + dt.timedelta(seconds=12), event).retry_in is None
    stored = Event.objects.get(pk=event.pk)
    assert stored.state == EventState.FAILED and stored.attempt_count == 3
    assert stored.next_attempt_at is None
    assert "503" in stored.last_error
    assert deliver_at(START + dt.timedelta(days=9), event) is None


def test_a_subscription_whose_deliveries_all_fail_for_72_hours_is_paused(receiver, flagged, world):
    subscription, _, first = flagged
    answer(receiver, 500)
    deliver_at(START, first)
    subscription.refresh_from_db()
    assert subscription.failing_since == START and subscription.paused_at is None

    # Events keep coming and failing; 71 hours on, still trying.
    later = START + dt.timedelta(hours=71)
    with time_machine.travel(later, tick=False):
        services.claim_flag_for_review(claim=world.claim, reason="Again.")
    second = Event.objects.latest("id")
    deliver_at(later, second)
    subscription.refresh_from_db()
    assert subscription.paused_at is None

    # 72 hours after the first failure, with no delivery in between: paused.
    paused_at = START + dt.timedelta(hours=72)
    outcome = deliver_at(paused_at, second)  # its first retry, due since 71 h + 10 s
    assert not outcome.attempt.succeeded
    assert outcome.retry_in is None  # nothing more is counted down
    subscription.refresh_from_db()
    assert subscription.paused_at == paused_at
    assert Subscription.objects.paused().get() == subscription

    # Nothing is sent while paused, even when due; the events wait, pending.
    answer(receiver, 200)
    assert deliver_at(paused_at + dt.timedelta(days=2), first) is None
    with time_machine.travel(paused_at + dt.timedelta(days=2), tick=False):
        assert dispatch_due_events() == 0
    assert receiver.log == []
    assert set(Event.objects.values_list("state", flat=True)) == {EventState.PENDING}


def test_a_success_in_between_resets_the_72_hours(receiver, flagged, world):
    subscription, _, event = flagged
    answer(receiver, 500)
    deliver_at(START, event)
    answer(receiver, 200)
    deliver_at(START + dt.timedelta(seconds=10), event)
    subscription.refresh_from_db()
    assert subscription.failing_since is None
    with time_machine.travel(START + dt.timedelta(hours=80), tick=False):
        services.claim_flag_for_review(claim=world.claim, reason="Again.")
    answer(receiver, 500)
    deliver_at(START + dt.timedelta(hours=80), Event.objects.latest("id"))
    subscription.refresh_from_db()
    assert subscription.paused_at is None
    assert subscription.failing_since == START + dt.timedelta(hours=80)


def test_resuming_sends_the_pending_events_again(
    receiver, flagged, world, editor, eager_celery, django_capture_on_commit_callbacks
):
    subscription, _, _event = flagged
    Subscription.objects.filter(pk=subscription.pk).update(
        paused_at=START, failing_since=START - dt.timedelta(hours=72)
    )
    # An event of the pause: stored, not sent.
    services.claim_flag_for_review(claim=world.claim, reason="During the pause.")
    answer(receiver, 200)
    with django_capture_on_commit_callbacks(execute=True):
        requeued = webhook_services.subscription_resume(
            subscription=Subscription.objects.get(pk=subscription.pk), user=editor
        )
    assert requeued == 2
    subscription.refresh_from_db()
    assert subscription.paused_at is None and subscription.failing_since is None
    assert set(Event.objects.values_list("state", flat=True)) == {EventState.DELIVERED}
    assert sorted(req.headers["webhook-id"] for req, _ in receiver.log) == sorted(
        Event.objects.values_list("webhook_id", flat=True)
    )


def test_the_sweep_delivers_what_the_broker_lost_once(receiver, flagged, eager_celery):
    _, _, event = flagged
    answer(receiver, 200)
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert dispatch_due_events() == 1
        assert dispatch_due_events() == 0  # leased, then delivered
    assert len(receiver.log) == 1
    assert Event.objects.get(pk=event.pk).state == EventState.DELIVERED


def test_a_task_finds_an_event_leased_by_another_and_sends_nothing(receiver, flagged):
    _, _, event = flagged
    answer(receiver, 200)
    # The sweep leased it (its task not yet run): the immediate task must leave it alone.
    Event.objects.filter(pk=event.pk).update(next_attempt_at=START + SEND_LEASE)
    assert deliver_at(START + dt.timedelta(seconds=1), event) is None
    # Only the sweep's task, holding that exact lease, sends it; a duplicate of it does not.
    with time_machine.travel(START + dt.timedelta(seconds=2), tick=False):
        assert event_deliver(event_id=event.pk, lease_until=START + SEND_LEASE) is not None
        assert event_deliver(event_id=event.pk, lease_until=START + SEND_LEASE) is None
    assert len(receiver.log) == 1


def test_an_event_of_a_deleted_subscription_is_gone_with_it(receiver, flagged, editor):
    subscription, _, event = flagged
    webhook_services.subscription_delete(subscription=subscription, user=editor)
    assert not Event.objects.exists()
    assert event_deliver(event_id=event.pk) is None


def test_the_body_is_the_stored_json(flagged):
    _, _, event = flagged
    body = json.loads(event.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["timestamp"] == "2026-11-30T09:00:00Z"
    assert timezone.is_aware(event.created_at)
