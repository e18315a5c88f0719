"""A paused webhook subscription in a real browser (SPEC section 10): its owner is told on the
review queue, follows the link to the admin and resumes it there."""

import datetime as dt

from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from core import events
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot
from webhooks.models import Subscription

pytestmark = BROWSER


def _paused_subscription(owner) -> Subscription:
    # The roles' grant of the webhook permissions (webhooks migration 0002), flushed with the
    # rest of the database between live-server tests.
    Group.objects.get(name="Editor").permissions.add(
        *Permission.objects.filter(content_type__app_label="webhooks")
    )
    return Subscription.objects.create(
        owner=owner,
        url="https://192.0.43.10/hooks/cms",
        description="CMS plugin",
        event_types=[events.CLAIM_STATUS_CHANGED],
        secret="whsec_dGVzdC1vbmx5LXNlY3JldC1ub3QtdXNlZC1mb3Itc2lnbmluZw==",
        failing_since=dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC),
        paused_at=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC),
    )


def test_the_owner_sees_the_paused_subscription_and_resumes_it(
    page, live_server, editor, second_editor, console_errors
):
    subscription = _paused_subscription(editor)
    log_in(page, live_server, editor.username)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        notice = page.get_by_role("region", name="Paused webhook subscriptions")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("CMS plugin")
        expect(notice).to_contain_text("paused since 2026-11-23 08:00 UTC")
        assert_accessible(page)
        shoot(page, f"review-paused-webhook-{name}")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="CMS plugin").click()
    page.wait_for_url(f"**/admin/webhooks/subscription/{subscription.pk}/change/")
    expect(page.locator("body")).to_contain_text("Paused since 2026-11-23 08:00 UTC")
    expect(page.locator("body")).not_to_contain_text(subscription.secret)

    page.goto(f"{live_server.url}/admin/webhooks/subscription/")
    page.locator(f"input[name='_selected_action'][value='{subscription.pk}']").check()
    page.locator("select[name='action']").select_option("resume")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("“CMS plugin” resumed")
    subscription.refresh_from_db()
    assert subscription.paused_at is None

    page.goto(f"{live_server.url}/review/")
    expect(page.get_by_text("Paused webhook subscriptions")).to_have_count(0)
    assert console_errors == []


def test_another_editor_is_not_told(page, live_server, editor, second_editor):
    _paused_subscription(editor)
    log_in(page, live_server, second_editor.username)
    expect(page.get_by_text("Paused webhook subscriptions")).to_have_count(0)
