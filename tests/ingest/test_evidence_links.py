"""Evidence link checks: snapshot on first success, broken and changed links flag the claim."""

import hashlib

import pytest

from claims.evidence_links import evidence_check_link
from claims.models import Claim, Evidence, LinkState
from tests.conftest import make_evidence
from tests.ingest.conftest import page

REPORT = (
    "The harbour statistics office published its March figures today. It counted 4,200 "
    "containers at the northern terminal, the highest monthly number since the office began "
    "publishing these figures in 2015, and it expects the total to fall again in April."
)


def serve(site, body=None, status=200):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    if body is None:
        site.expect_request("/report").respond_with_data("gone", status=status)
    else:
        site.expect_request("/report").respond_with_data(body, content_type="text/html")
    return site.url_for("/report")


@pytest.fixture
def evidence(site, world):
    url = serve(site, page("March figures", REPORT))
    return make_evidence(world.claim, source=world.outlet, url=url)


def test_first_success_stores_a_snapshot(evidence):
    assert evidence.link_state == LinkState.UNCHECKED
    checked = evidence_check_link(evidence=evidence)
    stored = Evidence.objects.get(pk=evidence.pk)
    assert checked.link_state == stored.link_state == LinkState.OK
    assert "4,200 containers" in stored.snapshot_text
    assert stored.snapshot_sha256 == hashlib.sha256(stored.snapshot_text.encode()).hexdigest()
    assert stored.link_next_check_at > stored.link_checked_at
    assert not Claim.objects.get(pk=evidence.claim_id).needs_review


def test_unchanged_document_stays_ok_and_keeps_the_first_snapshot(site, evidence):
    evidence_check_link(evidence=evidence)
    snapshot = Evidence.objects.get(pk=evidence.pk).snapshot_sha256
    serve(site, page("March figures", REPORT.replace(". ", ".  ")))
    assert evidence_check_link(evidence=evidence).link_state == LinkState.OK
    assert Evidence.objects.get(pk=evidence.pk).snapshot_sha256 == snapshot


def test_changed_document_flags_the_claim(site, evidence):
    evidence_check_link(evidence=evidence)
    serve(site, page("March figures", REPORT.replace("4,200", "3,100")))
    checked = evidence_check_link(evidence=evidence)
    assert checked.link_state == LinkState.CHANGED
    claim = Claim.objects.get(pk=evidence.claim_id)
    assert claim.needs_review
    assert "changed since its snapshot" in claim.needs_review_reason
    assert "4,200" in Evidence.objects.get(pk=evidence.pk).snapshot_text


def test_broken_link_flags_the_claim_and_keeps_the_snapshot(site, evidence):
    evidence_check_link(evidence=evidence)
    serve(site, None, status=404)
    checked = evidence_check_link(evidence=evidence)
    assert checked.link_state == LinkState.BROKEN
    assert "404" in checked.link_error
    claim = Claim.objects.get(pk=evidence.claim_id)
    assert claim.needs_review
    assert "Evidence link broken" in claim.needs_review_reason
    assert "4,200" in Evidence.objects.get(pk=evidence.pk).snapshot_text
    # The break is in the evidence's history, the routine checks are not.
    states = [h.link_state for h in Evidence.objects.get(pk=evidence.pk).history.all()]
    assert states[:2] == [LinkState.BROKEN, LinkState.OK]


def test_server_errors_break_the_link_only_when_they_persist(site, evidence):
    evidence_check_link(evidence=evidence)
    serve(site, None, status=503)
    assert evidence_check_link(evidence=evidence).link_state == LinkState.OK
    assert evidence_check_link(evidence=evidence).link_state == LinkState.OK
    assert not Claim.objects.get(pk=evidence.claim_id).needs_review
    assert evidence_check_link(evidence=evidence).link_state == LinkState.BROKEN
    assert Claim.objects.get(pk=evidence.claim_id).needs_review


@pytest.mark.usefixtures("eager_celery")
def test_the_periodic_dispatch_checks_due_links(evidence):
    from pipeline.tasks import dispatch_evidence_checks

    assert dispatch_evidence_checks() == 1
    assert dispatch_evidence_checks() == 0  # checked: due again tomorrow
    assert Evidence.objects.get(pk=evidence.pk).link_state == LinkState.OK
