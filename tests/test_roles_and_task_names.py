"""The roles of SPEC section 4 keep exactly their permissions (a model moving between apps
must carry its grants along), and queued tasks keep their names across a move of the code."""

import pytest
from django.contrib.auth.models import Group

from factcheck.celery import app as celery_app

ROLE_PERMISSIONS = {
    "Editor": {
        "api.add_apikey",
        "api.change_apikey",
        "api.view_apikey",
        # Editors manage their own webhook subscriptions and read their deliveries.
        "webhooks.add_subscription",
        "webhooks.change_subscription",
        "webhooks.delete_subscription",
        "webhooks.view_subscription",
        "webhooks.view_event",
        "webhooks.view_deliveryattempt",
        "articles.add_article",
        "articles.add_feed",
        "articles.change_article",
        "articles.change_feed",
        "articles.delete_feed",
        "articles.view_article",
        "articles.view_articlecheck",
        "articles.view_articlerevision",
        "articles.view_feed",
        "articles.view_feedentry",
        "claims.add_appearance",
        "claims.add_candidate",
        "claims.add_claim",
        "claims.add_claimnote",
        "claims.add_claimfigure",
        "claims.add_evidence",
        "claims.add_rating",
        "claims.add_source",
        "claims.add_verdict",
        "claims.change_appearance",
        "claims.change_candidate",
        "claims.change_claim",
        "claims.change_claimnote",
        "claims.change_claimfigure",
        "claims.change_evidence",
        "claims.change_rating",
        "claims.change_source",
        "claims.change_verdict",
        "claims.delete_appearance",
        "claims.delete_candidate",
        "claims.delete_claim",
        "claims.delete_claimfigure",
        "claims.delete_evidence",
        "claims.delete_rating",
        "claims.delete_source",
        "claims.delete_verdict",
        "claims.publish_verdict",
        "claims.view_appearance",
        "claims.view_candidate",
        "claims.view_claim",
        "claims.view_claimchange",
        "claims.view_claimnote",
        "claims.view_claimfigure",
        "claims.view_evidence",
        "claims.view_rating",
        "claims.view_source",
        "claims.view_verdict",
    },
    "Fact-checker": {
        "articles.add_article",
        "articles.add_feed",
        "articles.change_article",
        "articles.change_feed",
        "articles.view_article",
        "articles.view_articlecheck",
        "articles.view_articlerevision",
        "articles.view_feed",
        "articles.view_feedentry",
        "claims.add_appearance",
        "claims.add_candidate",
        "claims.add_claim",
        "claims.add_claimnote",
        "claims.add_claimfigure",
        "claims.add_evidence",
        "claims.add_source",
        "claims.add_verdict",
        "claims.change_appearance",
        "claims.change_candidate",
        "claims.change_claim",
        "claims.change_claimnote",
        "claims.change_claimfigure",
        "claims.change_evidence",
        "claims.change_source",
        "claims.change_verdict",
        "claims.delete_appearance",
        "claims.delete_claimfigure",
        "claims.delete_evidence",
        "claims.view_appearance",
        "claims.view_candidate",
        "claims.view_claim",
        "claims.view_claimchange",
        "claims.view_claimnote",
        "claims.view_claimfigure",
        "claims.view_evidence",
        "claims.view_rating",
        "claims.view_source",
        "claims.view_verdict",
    },
    "Viewer": {
        "articles.view_article",
        "articles.view_articlecheck",
        "articles.view_articlerevision",
        "articles.view_feed",
        "articles.view_feedentry",
        "claims.view_appearance",
        "claims.view_candidate",
        "claims.view_claim",
        "claims.view_claimchange",
        "claims.view_claimnote",
        "claims.view_claimfigure",
        "claims.view_evidence",
        "claims.view_rating",
        "claims.view_source",
        "claims.view_verdict",
    },
}


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_every_role_has_exactly_its_permissions(db, role):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }
    assert granted == ROLE_PERMISSIONS[role]


def test_publishing_is_the_editors_alone(db):
    holders = Group.objects.filter(permissions__codename="publish_verdict")
    assert list(holders.values_list("name", flat=True)) == ["Editor"]


def test_tasks_and_beat_entries_keep_their_first_names():
    """Messages already queued, and the beat schedule, name tasks as they were first named."""
    celery_app.loader.import_default_modules()
    names = {
        "articles.tasks.ingest_article",
        "articles.tasks.ingest_feed",
        "articles.tasks.dispatch_due_articles",
        "articles.tasks.dispatch_due_feeds",
        "claims.tasks.generate_candidates",
        "claims.tasks.check_evidence_link",
        "claims.tasks.dispatch_evidence_checks",
        "webhooks.tasks.queue_deliveries",
        "webhooks.tasks.deliver_event",
        "webhooks.tasks.dispatch_due_events",
    }
    assert names <= set(celery_app.tasks)
    beat = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert beat <= names
