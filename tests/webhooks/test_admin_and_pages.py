"""The admin of subscriptions and deliveries (editors: their own; superusers: all; every
write through the services), and the paused notice on the review queue (SPEC section 10)."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from claims import services
from core import events
from tests.webhooks.conftest import PUBLIC_URL, subscribe
from webhooks.delivery import event_deliver
from webhooks.models import Event, Subscription

ADD = reverse("admin:webhooks_subscription_add")
CHANGELIST = reverse("admin:webhooks_subscription_changelist")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(subscription) -> str:
    return reverse("admin:webhooks_subscription_change", args=[subscription.pk])


def test_an_editor_adds_a_subscription_and_is_shown_the_secret_once(editor):
    client = logged_in(editor)
    response = client.post(
        ADD,
        {"url": PUBLIC_URL, "description": "CMS", "event_types": ["claim.flagged"]},
        follow=True,
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.owner == editor
    assert subscription.event_types == ["claim.flagged"]
    shown = [str(m) for m in response.context["messages"]]
    assert any(subscription.secret in message for message in shown)
    # Never again: not on its page, not in the list.
    page = client.get(change_url(subscription))
    assert page.status_code == 200
    assert subscription.secret not in page.content.decode()
    assert subscription.secret not in client.get(CHANGELIST).content.decode()


def test_a_loopback_url_is_a_form_error(editor):
    response = logged_in(editor).post(
        ADD, {"url": "http://127.0.0.1:9000/hook", "event_types": ["claim.flagged"]}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "loopback" in errors["url"][0]
    assert not Subscription.objects.exists()


def test_an_editor_sees_and_changes_only_their_own(editor, second_editor, admin_user):
    subscribe(editor, description="mine")
    theirs, _ = subscribe(second_editor, description="theirs")
    client = logged_in(editor)
    listing = client.get(CHANGELIST).content.decode()
    assert "mine" in listing and "theirs" not in listing
    assert client.get(change_url(theirs)).status_code in (302, 403, 404)
    response = client.post(
        change_url(theirs), {"url": PUBLIC_URL, "description": "hijacked", "event_types": []}
    )
    assert response.status_code in (302, 403, 404)
    delete = reverse("admin:webhooks_subscription_delete", args=[theirs.pk])
    assert client.post(delete, {"post": "yes"}).status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.description == "theirs"
    # A superuser sees everyone's.
    everyone = logged_in(admin_user).get(CHANGELIST).content.decode()
    assert "mine" in everyone and "theirs" in everyone


def test_edit_and_delete_go_through_the_services(editor):
    subscription, secret = subscribe(editor)
    client = logged_in(editor)
    response = client.post(
        change_url(subscription),
        {"url": PUBLIC_URL, "description": "renamed", "event_types": ["verdict.published"]},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.description == "renamed"
    assert subscription.event_types == ["verdict.published"]
    assert subscription.secret == secret  # the secret does not change on edit
    delete = reverse("admin:webhooks_subscription_delete", args=[subscription.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Subscription.objects.exists()


def test_roles_without_the_permission_see_no_subscriptions(factchecker, viewer):
    for user in (factchecker, viewer):
        assert logged_in(user).get(CHANGELIST).status_code == 403
        assert logged_in(user).get(ADD).status_code == 403


def test_resume_action_resumes_only_the_editors_own(editor, second_editor, world):
    mine, _ = subscribe(editor, event_types=[events.CLAIM_FLAGGED])
    theirs, _ = subscribe(second_editor, event_types=[events.CLAIM_FLAGGED])
    paused = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    Subscription.objects.update(paused_at=paused)
    services.claim_flag_for_review(claim=world.claim, reason="x")
    response = logged_in(editor).post(
        CHANGELIST,
        {"action": "resume", ACTION_CHECKBOX_NAME: [mine.pk, theirs.pk]},
        follow=True,
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.paused_at is None
    assert theirs.paused_at == paused  # not in the editor's list, so not acted on


def test_the_subscription_page_shows_its_deliveries_and_attempts(editor, world, receiver):
    subscription, _ = subscribe(
        editor, url=receiver.url_for("/hook"), event_types=[events.CLAIM_FLAGGED]
    )
    services.claim_flag_for_review(claim=world.claim, reason="x")
    event = Event.objects.get()
    receiver.expect_oneshot_request("/hook").respond_with_data("", status=502)
    event_deliver(event_id=event.pk)
    client = logged_in(editor)
    page = client.get(change_url(subscription)).content.decode()
    assert event.webhook_id in page
    assert "HTTP 502" in page
    assert "Failing since" in page
    event_page = client.get(reverse("admin:webhooks_event_change", args=[event.pk]))
    assert event_page.status_code == 200
    content = event_page.content.decode()
    assert "The receiver answered 502." in content
    assert "502" in content


def test_deliveries_are_read_only_in_the_admin(editor, world):
    subscribe(editor, event_types=[events.CLAIM_FLAGGED])
    services.claim_flag_for_review(claim=world.claim, reason="x")
    event = Event.objects.get()
    client = logged_in(editor)
    delete = reverse("admin:webhooks_event_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("paused", [True, False])
def test_the_review_queue_tells_the_owner_of_a_paused_subscription(editor, second_editor, paused):
    subscription, _ = subscribe(editor, description="CMS plugin")
    if paused:
        Subscription.objects.update(paused_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    page = logged_in(editor).get(reverse("review")).content.decode()
    assert ("Paused webhook subscriptions" in page) is paused
    assert ("CMS plugin" in page) is paused
    if paused:
        assert change_url(subscription) in page
    # Another editor is not told of it.
    other = logged_in(second_editor).get(reverse("review")).content.decode()
    assert "Paused webhook subscriptions" not in other
