"""*Export as CSV* on the admin's lists (SPEC section 10): the rows selected, or the whole list
as filtered and searched; the API's columns; for anyone who may view the list."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from claims import services
from claims.exports import ARTICLE_COLUMNS, CLAIM_COLUMNS, EVIDENCE_COLUMNS, SOURCE_COLUMNS
from claims.models import Rating, Stance
from tests.conftest import make_evidence


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export(client, model: str, action: str, selected, *, query: str = "", across=False):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in selected], "index": 0}
    if across:
        data["select_across"] = "1"
    return client.post(reverse(f"admin:{model}_changelist") + query, data)


def rows_of(response) -> tuple[list[str], list[dict]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.DictReader(io.StringIO(body, newline=""))
    return list(reader.fieldnames or []), list(reader)


@pytest.fixture
def claims_world(world, editor, second_editor):
    w = world
    w.union_claim = services.claim_create(
        statement="Fewer than 3,000 containers were handled.", claimant=w.union
    )
    make_evidence(w.union_claim, source=w.outlet, stance=Stance.DISPUTES)
    w.third = services.claim_create(statement="About 120 jobs depend on it.", claimant=w.council)
    verdict = services.verdict_save(
        claim=w.claim,
        user=editor,
        rating=Rating.objects.get(label="Accurate"),
        explanation="Draft only.",
    )
    w.verdict = verdict
    return w


def test_viewer_exports_the_selected_claims(claims_world, viewer):
    w = claims_world
    response = export(
        logged_in(viewer), "claims_claim", "export_claims_csv", [w.claim.pk, w.third.pk]
    )

    header, rows = rows_of(response)

    assert header == CLAIM_COLUMNS.header
    assert [int(row["id"]) for row in rows] == [w.third.pk, w.claim.pk]
    # The admin shows working verdicts to a role that may view them; so does its export.
    assert rows[1]["verdict_label"] == "Accurate"
    assert rows[1]["verdict_state"] == "draft"
    assert rows[0]["claimant_name"] == "City Council"


def test_select_all_exports_the_list_as_filtered_and_searched(claims_world, viewer):
    w = claims_world
    client = logged_in(viewer)

    _, disputed = rows_of(
        export(
            client,
            "claims_claim",
            "export_claims_csv",
            [w.union_claim.pk],
            query="?status__exact=disputed",
            across=True,
        )
    )
    _, searched = rows_of(
        export(
            client,
            "claims_claim",
            "export_claims_csv",
            [w.claim.pk],
            query="?q=containers",
            across=True,
        )
    )
    _, everything = rows_of(
        export(client, "claims_claim", "export_claims_csv", [w.claim.pk], across=True)
    )

    assert [int(row["id"]) for row in disputed] == [w.union_claim.pk]
    assert [int(row["id"]) for row in searched] == [w.union_claim.pk, w.claim.pk]
    assert len(everything) == 3


def test_articles_sources_and_evidence_export_too(pages_world, viewer):
    w = pages_world
    client = logged_in(viewer)
    evidence = w.claim.evidence.get()

    article_header, articles = rows_of(
        export(client, "articles_article", "export_csv", [w.article.pk])
    )
    source_header, sources = rows_of(
        export(
            client,
            "claims_source",
            "export_sources_csv",
            [w.port.pk],  # the browser sends the ticked rows of the page too
            query="?kind__exact=government",
            across=True,
        )
    )
    evidence_header, evidence_rows = rows_of(
        export(client, "claims_evidence", "export_evidence_csv", [evidence.pk])
    )

    assert article_header == ARTICLE_COLUMNS.header
    assert articles[0]["claims_id"] == f"{w.claim.pk}; {w.union_claim.pk}"
    assert articles[0]["revision_count"] == "2"
    assert source_header == SOURCE_COLUMNS.header
    assert {row["name"] for row in sources} == {"City of Harbour", "Port Authority", "City Council"}
    assert evidence_header == EVIDENCE_COLUMNS.header
    assert [row["title"] for row in evidence_rows] == ["Port figures for March"]
    assert evidence_rows[0]["source_name"] == "Coastal Ledger"


def test_the_action_is_offered_to_viewers(world, viewer):
    page = logged_in(viewer).get(reverse("admin:claims_claim_changelist"))

    assert page.status_code == 200
    assert b'value="export_claims_csv"' in page.content


def test_staff_who_may_not_view_claims_cannot_export_them(world):
    sources_only = User.objects.create_user("sue_sources", password="pw", is_staff=True)
    sources_only.user_permissions.add(Permission.objects.get(codename="view_source"))
    client = logged_in(sources_only)

    response = export(client, "claims_claim", "export_claims_csv", [world.claim.pk])
    allowed = export(client, "claims_source", "export_sources_csv", [world.port.pk])

    assert response.status_code == 403
    assert not getattr(response, "streaming", False)
    _, rows = rows_of(allowed)
    assert [row["name"] for row in rows] == ["Port Authority"]
