"""Each service that SPEC section 10 names stores an event for the subscriptions that want it,
in its own transaction, with the claim's or article's document as the API serves it; nothing
when the change rolls back or nobody subscribes."""

import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.articles.serializers import ARTICLE_FIELDS
from api.models import APIKey, KeyScope
from articles.services import revision_record
from claims import services
from claims.evidence_links import evidence_check_link
from claims.models import ClaimStatus, Rating, ReviewState, Stance
from core import events
from tests.api.conftest import ApiClient
from tests.conftest import ARTICLE_TEXT, make_evidence
from tests.webhooks.conftest import subscribe
from webhooks import payloads
from webhooks.models import Event, EventState


def bodies(event_type=None):
    rows = Event.objects.order_by("id")
    if event_type:
        rows = rows.filter(type=event_type)
    return [json.loads(body) for body in rows.values_list("body", flat=True)]


def test_a_status_change_stores_one_event_per_subscription_with_the_claim_document(
    world, editor, second_editor, admin_user
):
    subscribe(editor)
    subscribe(second_editor, event_types=[events.CLAIM_STATUS_CHANGED])
    subscribe(admin_user, event_types=[events.VERDICT_PUBLISHED])  # wants something else
    make_evidence(world.claim, source=world.outlet, stance=Stance.CORROBORATES)

    stored = list(Event.objects.filter(type=events.CLAIM_STATUS_CHANGED).order_by("id"))
    assert len(stored) == 2
    assert {e.subscription.owner for e in stored} == {editor, second_editor}
    assert stored[0].webhook_id != stored[1].webhook_id
    assert all(e.state == EventState.PENDING and e.next_attempt_at for e in stored)
    body = json.loads(stored[0].body)
    assert body["type"] == "claim.status_changed"
    assert body["timestamp"].endswith("Z")
    data = body["data"]
    assert data["from"] == ClaimStatus.UNVERIFIED
    assert data["to"] == ClaimStatus.CORROBORATED
    assert "evidence added" in data["reason"]
    # The claim object exactly as an API key reads it, plus from/to/reason.
    key = APIKey.objects.create_key(name="t", owner=editor, scope=KeyScope.READ)[1]
    served = ApiClient(key).get(f"/api/v1/claims/{world.claim.pk}/").json()
    assert {k: v for k, v in data.items() if k not in ("from", "to", "reason")} == served


def test_a_write_that_changes_no_status_stores_no_status_event(world, editor):
    subscribe(editor, event_types=[events.CLAIM_STATUS_CHANGED])
    make_evidence(world.claim, source=world.outlet, stance=Stance.CONTEXT)
    assert not Event.objects.exists()


def test_flagging_stores_claim_flagged_with_the_reason(world, editor):
    subscribe(editor, event_types=[events.CLAIM_FLAGGED])
    services.claim_flag_for_review(claim=world.claim, reason="Quote changed in revision 2.")
    (body,) = bodies()
    assert body["type"] == "claim.flagged"
    assert body["data"]["id"] == world.claim.pk
    assert body["data"]["needs_review"] is True
    assert body["data"]["reason"] == "Quote changed in revision 2."


def test_verdict_steps_store_their_events_with_the_verdict(world, editor, second_editor):
    subscribe(
        editor,
        event_types=[events.VERDICT_SUBMITTED, events.VERDICT_PUBLISHED, events.VERDICT_RETURNED],
    )
    verdict = services.verdict_save(
        claim=world.claim,
        user=editor,
        rating=Rating.objects.get(label="Mostly accurate"),
        explanation="Port records match.",
    )
    assert not Event.objects.exists()  # a draft is no event of SPEC section 10
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    verdict = services.verdict_return_to_draft(
        verdict=verdict, user=second_editor, reason="Cite the customs data."
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    services.verdict_publish(verdict=verdict, user=second_editor)

    submitted, returned, resubmitted, published = bodies()
    assert [b["type"] for b in (submitted, returned, resubmitted, published)] == [
        "verdict.submitted",
        "verdict.returned",
        "verdict.submitted",
        "verdict.published",
    ]
    assert submitted["data"]["verdict"] == {
        "rating": Rating.objects.get(label="Mostly accurate").ordinal,
        "label": "Mostly accurate",
        "explanation": "Port records match.",
        "published_at": None,
        "state": ReviewState.IN_REVIEW,
    }
    assert returned["data"]["verdict"]["state"] == ReviewState.DRAFT
    assert returned["data"]["from"] == ReviewState.IN_REVIEW
    assert returned["data"]["reason"] == "Cite the customs data."
    assert published["data"]["verdict"]["state"] == ReviewState.PUBLISHED
    assert published["data"]["verdict"]["published_at"]
    # The claim document is the public one: it shows the verdict once published.
    assert published["data"]["id"] == world.claim.pk


def test_a_new_revision_stores_article_new_revision_with_the_article_object(world, editor):
    subscribe(editor, event_types=[events.ARTICLE_NEW_REVISION])
    services.appearance_create(claim=world.claim, revision=world.revision, quote="4,200")
    revision_record(article=world.article, text=ARTICLE_TEXT + "\nA correction.", title="T")
    revision_record(article=world.article, text=ARTICLE_TEXT + "\nA correction.", title="T")
    (body,) = bodies()  # the same text again is no new revision
    data = body["data"]
    assert body["type"] == "article.new_revision"
    assert data["revision"] == 2
    assert data["id"] == world.article.pk
    assert data["revision_count"] == 2
    assert [claim["id"] for claim in data["claims"]] == [world.claim.pk]
    key = APIKey.objects.create_key(name="t", owner=editor, scope=KeyScope.READ)[1]
    served = ApiClient(key).get(f"/api/v1/articles/{world.article.pk}/").json()
    assert {k: v for k, v in data.items() if k != "revision"} == {
        k: served[k] for k in [*ARTICLE_FIELDS, "claims"]
    }


def test_the_article_fields_are_the_apis(db):
    assert payloads.ARTICLE_FIELDS == ARTICLE_FIELDS


def test_a_broken_evidence_link_stores_evidence_link_broken(
    world, editor, receiver, delivery_settings
):
    delivery_settings.FACTCHECK_FETCH_DOMAIN_DELAY = 0
    cache.clear()  # robots.txt of an earlier test
    receiver.expect_request("/robots.txt").respond_with_data("", status=404)
    receiver.expect_request("/report").respond_with_data("gone", status=404)
    evidence = make_evidence(world.claim, source=world.outlet, url=receiver.url_for("/report"))
    subscribe(editor, event_types=[events.EVIDENCE_LINK_BROKEN, events.CLAIM_FLAGGED])
    evidence_check_link(evidence=evidence)
    cache.clear()
    flagged, broken = bodies()
    assert flagged["type"] == "claim.flagged"
    assert broken["type"] == "evidence.link_broken"
    assert broken["data"]["id"] == world.claim.pk
    assert broken["data"]["evidence"]["id"] == evidence.pk
    assert broken["data"]["evidence"]["link_state"] == "broken"
    assert "404" in broken["data"]["evidence"]["link_error"]


def test_a_likely_match_names_the_claim_the_candidate_and_its_article(world, editor):
    subscribe(editor, event_types=[events.CANDIDATE_LIKELY_MATCH])
    with transaction.atomic():
        events.emit(
            events.CANDIDATE_LIKELY_MATCH,
            claim_id=world.claim.pk,
            article_id=world.article.pk,
            candidate_id=77,
        )
    (body,) = bodies()
    assert body["data"]["id"] == world.claim.pk
    assert body["data"]["statement"] == world.claim.statement
    assert body["data"]["candidate_id"] == 77
    assert body["data"]["article_id"] == world.article.pk


def test_a_rolled_back_change_stores_no_event(world, editor):
    subscribe(editor)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        make_evidence(world.claim, source=world.outlet)
        services.claim_flag_for_review(claim=world.claim, reason="x")
        assert Event.objects.count() == 2
        raise Abort
    assert not Event.objects.exists()
    world.claim.refresh_from_db()
    assert world.claim.status == ClaimStatus.UNVERIFIED


def test_without_subscribers_an_event_costs_one_query(world):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        events.emit(events.CLAIM_FLAGGED, claim_id=world.claim.pk, reason="x")
    assert len([q for q in queries.captured_queries if "webhooks" in q["sql"]]) == 1
    assert not Event.objects.exists()


def test_delivery_is_queued_once_after_commit(
    world, editor, second_editor, eager_celery, receiver, django_capture_on_commit_callbacks
):
    receiver.expect_request("/a", method="POST").respond_with_data("ok")
    receiver.expect_request("/b", method="POST").respond_with_data("ok")
    subscribe(editor, url=receiver.url_for("/a"), event_types=[events.CLAIM_FLAGGED])
    subscribe(second_editor, url=receiver.url_for("/b"), event_types=[events.CLAIM_FLAGGED])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.claim_flag_for_review(claim=world.claim, reason="x")
    assert len(receiver.log) == 0  # nothing is sent before the commit
    assert len(callbacks) == 1  # one message to the broker, whatever the subscriptions
    callbacks[0]()
    assert sorted(request.path for request, _ in receiver.log) == ["/a", "/b"]
    assert set(Event.objects.values_list("state", flat=True)) == {EventState.DELIVERED}
