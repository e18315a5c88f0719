"""The dashboard: who may see it, its charts, its query count and its weekly activity."""

from django.urls import reverse

from claims import services
from claims.models import Stance
from tests.conftest import make_evidence


def test_dashboard_requires_view_permission(client, outsider):
    assert client.get(reverse("dashboard")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_shows_its_charts(client, pages_world, editor, viewer):
    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    client.force_login(viewer)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert html.count('role="img"') == 5
    assert "Claims by status" in html
    assert response.context["headline"] == {"needs_review": 1, "in_review": 0, "published": 1}
    assert "Corroborated: 1" in html and "Unverified: 1" in html
    assert "Mostly accurate: 1" in html and "No published verdict: 1" in html
    assert "Coastal Ledger: 1 (0 disputes)" in html
    # The claim with a published verdict is no longer open: one open claim in the article.
    assert "Terminal: 1" in html
    weekly = response.context["weekly_chart"]
    assert sum(c["value"] for week in weekly.geometry for c in week["columns"]) >= 2


def test_dashboard_query_count_is_constant(client, pages_world, editor):
    client.force_login(editor)
    client.get(reverse("dashboard"))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(8):
        claim = services.claim_create(statement=f"More {n}.", claimant=pages_world.union)
        services.appearance_create(
            claim=claim, revision=pages_world.revision2, quote="busiest month"
        )
        make_evidence(claim, stance=Stance.DISPUTES, source=pages_world.outlet)
    assert count() == before


def test_weekly_activity_counts_each_week_separately(client, world, editor):
    import datetime as dt

    import time_machine

    monday = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)  # a Monday
    with time_machine.travel(monday, tick=False):
        make_evidence(world.claim, source=world.outlet)
    with time_machine.travel(monday + dt.timedelta(days=15), tick=False):
        make_evidence(world.claim, stance=Stance.DISPUTES, source=world.union)
        client.force_login(editor)
        weekly = client.get(reverse("dashboard")).context["weekly_chart"]
    checked = dict(zip(weekly.labels, weekly.series[0][2], strict=True))
    assert checked["2 Mar"] == 1
    assert checked["9 Mar"] == 0
    assert checked["16 Mar"] == 1
    assert weekly.labels[-1] == "16 Mar" and len(weekly.labels) == 12
