"""Every change to claims, evidence, verdicts and sources is in the history: who, when, what."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Source
from tests.conftest import make_evidence


def test_history_names_who_changed_what(world, editor, second_editor):
    services.claim_update(claim=world.claim, user=editor, statement="Revised statement.")
    services.source_update(
        source=world.outlet, user=second_editor, url="https://ledger.example.net/"
    )
    evidence = make_evidence(world.claim, stance="disputes", source=world.union, user=second_editor)
    services.evidence_update(evidence=evidence, user=editor, stance="context")

    claim_history = Claim.objects.get(pk=world.claim.pk).history.order_by("history_id")
    edit = claim_history.filter(statement="Revised statement.").first()
    assert edit.history_user == editor
    delta = edit.diff_against(edit.prev_record)
    assert [c.field for c in delta.changes if c.field == "statement"] == ["statement"]
    # Status changes from evidence are in the claim's history, with the reason.
    status_rows = [h for h in claim_history if h.status == "disputed"]
    assert status_rows and status_rows[0].history_user == second_editor
    assert "evidence added" in status_rows[0].history_change_reason

    source_history = Source.objects.get(pk=world.outlet.pk).history.latest()
    assert source_history.history_user == second_editor
    assert source_history.url == "https://ledger.example.net/"
    evidence_history = list(evidence.history.order_by("history_id"))
    assert [h.history_user for h in evidence_history] == [second_editor, editor]
    assert [h.stance for h in evidence_history] == ["disputes", "context"]


def test_admin_history_page_shows_status_changes_and_who(client, world, editor, second_editor):
    from django.urls import reverse

    make_evidence(world.claim, source=world.outlet, user=second_editor)
    client.force_login(editor)
    page = client.get(reverse("admin:claims_claim_history", args=[world.claim.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    # The computed status is not an editable field, yet its change is what editors look for.
    assert "<strong>Status</strong>: unverified → corroborated" in html
    assert "Corroborates evidence added" in html
    assert second_editor.username in html
    assert 'style="' not in html.split('id="change-history"')[1]  # CSP: no inline styles


@pytest.mark.parametrize("role", ["viewer", "factchecker", "editor"])
def test_history_revert_form_never_writes(client, world, role, request):
    """The history form of django-simple-history saved any POST, a Viewer's included."""
    old = world.claim.history.latest()
    services.claim_update(
        claim=world.claim, user=request.getfixturevalue("editor"), statement="Kept."
    )
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:claims_claim_simple_history", args=[world.claim.pk, old.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no revert button
    answer = client.post(url, {"statement": "Reverted by a reader.", "claimant": world.port.pk})
    assert answer.status_code == 403
    assert Claim.objects.get(pk=world.claim.pk).statement == "Kept."
