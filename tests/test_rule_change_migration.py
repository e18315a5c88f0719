"""Migration 0012 recomputes every existing claim under the interested-party rule: each change
is in the history and the changes feed with no user ("system") and the reason "rule change",
no webhook event is emitted, and the status documents match a fresh render after `migrate`."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.models import Claim, ClaimChange
from core.events import domain_event
from tests.api.conftest import ApiClient, session_client

BEFORE = ("claims", "0010_figures_by_one_name")
ABOUT = ("claims", "0011_claim_about")


def _state(target):
    return MigrationExecutor(connection).loader.project_state(target).apps


def _source(apps, name, kind="government", parent=None):
    Source = apps.get_model("claims", "Source")
    source = Source.objects.create(name=name, kind=kind, parent=parent)
    source.root_id = parent.root_id if parent else source.pk
    source.save(update_fields=["root_id"])
    return source


def _claim(apps, statement, claimant, status, explanation, counts, evidence):
    """A claim as the old rule left it, with its evidence and an old-format document."""
    Claim_ = apps.get_model("claims", "Claim")
    Evidence = apps.get_model("claims", "Evidence")
    ClaimDocument = apps.get_model("claims", "ClaimDocument")
    corroborates, disputes, context, independent = counts
    claim = Claim_.objects.create(
        statement=statement,
        claimant=claimant,
        status=status,
        status_explanation=explanation,
        corroborates_count=corroborates,
        disputes_count=disputes,
        context_count=context,
        independent_corroborates_count=independent,
        version=3,
    )
    for n, (stance, source) in enumerate(evidence):
        Evidence.objects.create(
            claim=claim,
            stance=stance,
            source=source,
            url=f"https://evidence.example.org/{claim.pk}/{n}",
            title=f"Document {n}",
        )
    ClaimDocument.objects.create(
        claim=claim, claim_version=claim.version, public_body=json.dumps({"id": claim.pk})
    )
    return claim.pk


@pytest.mark.django_db(transaction=True)
def test_migrate_recomputes_statuses_records_system_changes_and_keeps_documents_true():
    # A superuser, not a role: an earlier transactional test may have flushed the groups.
    editor = User.objects.create_superuser("erin_editor", "erin@example.org", "pw")
    call_command("migrate", *BEFORE, verbosity=0)
    old = _state(BEFORE)
    ukraine = _source(old, "Government of Ukraine")
    intelligence = _source(old, "Defence Intelligence of Ukraine", parent=ukraine)
    forces = _source(old, "Special Operations Forces of Ukraine", parent=ukraine)
    outlet = _source(old, "Peninsula Monitor", kind="outlet")
    # Corroborated independently, and denied by the claimant's own side: the old rule made it
    # contested; a retraction is not independent, so it is corroborated now.
    retracted = _claim(
        old,
        "About 11,000 North Korean troops have been deployed.",
        intelligence,
        "contested",
        "Contested: corroborated by 1 independent source and disputed by 1 source.",
        (1, 1, 0, 1),
        [("corroborates", outlet), ("disputes", forces)],
    )
    # Nothing changes for a claim with no evidence.
    untouched = _claim(
        old,
        "Nothing yet.",
        intelligence,
        "unverified",
        "Unverified: no evidence yet.",
        (0, 0, 0, 0),
        [],
    )

    # Parties the claim is about, recorded before the rule's migration ran.
    call_command("migrate", *ABOUT, verbosity=0)
    mid = _state(ABOUT)
    russia = _source(mid, "Government of Russia")
    ministry = _source(mid, "Ministry of Defence of Russia", parent=russia)
    zelenskyy = mid.get_model("claims", "Source").objects.get(pk=intelligence.pk)
    accused = _claim(
        mid,
        "Russian forces have killed wounded North Korean troops.",
        zelenskyy,
        "disputed",
        "Disputed by 1 source; no independent source corroborates it.",
        (0, 1, 0, 0),
        [("disputes", mid.get_model("claims", "Source").objects.get(pk=ministry.pk))],
    )
    mid.get_model("claims", "Claim").about.through.objects.create(
        claim_id=accused, source_id=russia.pk
    )

    events = []

    def listener(**kwargs):
        events.append(kwargs["event_type"])

    domain_event.connect(listener, dispatch_uid="test-rule-change")
    try:
        call_command("migrate", verbosity=0)
    finally:
        domain_event.disconnect(dispatch_uid="test-rule-change")
    assert events == []  # no webhook for a rule change

    claim = Claim.objects.get(pk=accused)
    assert claim.status == "unverified"
    assert claim.status_explanation == (
        "Denied by the Ministry of Defence of Russia, a party the claim is about; "
        "no independent evidence yet."
    )
    assert (claim.disputes_count, claim.independent_disputes_count) == (1, 0)
    assert claim.version == 4
    assert Claim.objects.get(pk=retracted).status == "corroborated"
    assert Claim.objects.get(pk=untouched).version == 3

    changes = ClaimChange.objects.filter(field="status").order_by("claim_id")
    assert [(c.claim_id, c.from_value, c.to_value, c.actor_id, c.reason) for c in changes] == [
        (retracted, "contested", "corroborated", None, "rule change"),
        (accused, "disputed", "unverified", None, "rule change"),
    ]
    record = claim.history.order_by("-history_id").first()
    assert (record.history_change_reason, record.history_user, record.status) == (
        "rule change",
        None,
        "unverified",
    )
    assert [row.source_id for row in record.about.all()] == [russia.pk]
    assert not Claim.objects.get(pk=untouched).history.exists()

    # The documents were rendered again once everything was migrated.
    out = StringIO()
    call_command("rebuild_documents", "--check", stdout=out)
    assert "Every document matches" in out.getvalue()

    anon = ApiClient()
    body = anon.get(f"/api/v1/claims/{accused}/").json()
    assert body["about"] == [russia.pk]
    assert body["status"] == "unverified"
    assert body["evidence_counts"]["independent_disputes"] == 0
    feed = anon.get("/api/v1/changes/").json()["results"]
    assert [(e["claim"], e["actor"], e["reason"]) for e in feed] == [
        (retracted, "system", "rule change"),
        (accused, "system", "rule change"),
    ]
    staff_feed = session_client(editor).get("/api/v1/changes/").json()["results"]
    assert {e["actor"] for e in staff_feed} == {"system"}
