"""/api/v1/webhooks/ (SPEC sections 7 and 10): editors in the browser and write keys; a key
acts as its owner with the owner's role today and sees its owner's subscriptions only; a
loopback URL is a 400 unless FACTCHECK_FETCH_ALLOW_PRIVATE; every attempt is listed."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import APIKey, KeyScope
from claims import services
from core import events
from tests.api.conftest import ApiClient
from tests.webhooks.conftest import PUBLIC_URL, subscribe
from webhooks.delivery import event_deliver
from webhooks.models import Event, Subscription

LIST = "/api/v1/webhooks/"


class Client(ApiClient):
    def delete(self, path, data="", content_type="application/json", headers=None, **extra):
        return super().delete(
            path, data, content_type=content_type, headers=self._headers(headers), **extra
        )


def key_client(owner, scope=KeyScope.WRITE) -> Client:
    _, key = APIKey.objects.create_key(name="tool", owner=owner, scope=scope)
    return Client(key)


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anon() -> Client:
    return Client()


@pytest.fixture
def editor_api(editor):
    return session(editor)


def test_an_editor_creates_a_subscription_and_sees_its_secret_once(editor_api, editor):
    response = editor_api.post(
        LIST,
        {
            "url": PUBLIC_URL,
            "event_types": ["verdict.published", "claim.status_changed"],
            "description": "CMS",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["claim.status_changed", "verdict.published"]
    assert body["owner"] == editor.username
    assert body["paused"] is False
    stored = Subscription.objects.get()
    assert stored.owner == editor and stored.secret == body["secret"]
    # Never shown again: not in the detail, the list, or an update's answer.
    detail = editor_api.get(f"{LIST}{stored.pk}/")
    assert detail.status_code == 200 and "secret" not in detail.json()
    assert "whsec_" not in editor_api.get(LIST).content.decode()
    patched = editor_api.patch(f"{LIST}{stored.pk}/", {"description": "CMS plugin"})
    assert patched.status_code == 200 and "secret" not in patched.json()
    assert patched.json()["description"] == "CMS plugin"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
    ],
)
def test_a_subscription_to_a_private_address_is_refused_with_400(editor_api, url):
    response = editor_api.post(LIST, {"url": url, "event_types": ["claim.flagged"]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "url" in error["details"]
    assert "FACTCHECK_FETCH_ALLOW_PRIVATE" in error["message"]
    assert not Subscription.objects.exists()


def test_a_loopback_url_is_allowed_when_the_setting_is_on(editor_api, settings):
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = True
    response = editor_api.post(
        LIST, {"url": "http://127.0.0.1:8000/hook", "event_types": ["claim.flagged"]}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"url": "ftp://192.0.43.10/x", "event_types": ["claim.flagged"]}, "url"),
        ({"url": "not a url", "event_types": ["claim.flagged"]}, "url"),
        ({"url": PUBLIC_URL, "event_types": []}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": ["claim.deleted"]}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": "claim.flagged"}, "event_types"),
        ({"url": PUBLIC_URL}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": ["claim.flagged"], "secret": "mine"}, "secret"),
        ({"url": 42, "event_types": ["claim.flagged"]}, "url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor_api, payload, field):
    response = editor_api.post(LIST, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert not Subscription.objects.exists()


def test_anonymous_callers_are_told_to_authenticate(anon, editor):
    subscription, _ = subscribe(editor)
    assert anon.get(LIST).status_code == 401
    assert anon.get(f"{LIST}{subscription.pk}/").status_code == 401
    assert anon.post(LIST, {"url": PUBLIC_URL, "event_types": ["claim.flagged"]}).status_code == 401


def test_roles_without_the_permission_and_read_keys_are_refused(editor, factchecker, viewer):
    subscription, _ = subscribe(editor)
    fact_checkers_write_key = key_client(factchecker)
    for client in (session(factchecker), session(viewer), fact_checkers_write_key):
        assert client.get(LIST).status_code == 403
        response = client.post(LIST, {"url": PUBLIC_URL, "event_types": ["claim.flagged"]})
        assert response.status_code == 403
    # A read key of an editor: even reading subscriptions needs write scope.
    editor_read = key_client(editor, KeyScope.READ)
    assert editor_read.get(LIST).status_code == 403
    assert editor_read.post(f"{LIST}{subscription.pk}/resume/").status_code == 403
    assert key_client(factchecker, KeyScope.READ).get(LIST).status_code == 403
    assert Subscription.objects.count() == 1


def test_a_write_key_acts_as_its_owner_and_sees_the_owners_subscriptions_only(
    editor, second_editor, admin_user
):
    mine, _ = subscribe(editor, description="mine")
    theirs, _ = subscribe(second_editor, description="theirs")
    admins, _ = subscribe(admin_user, description="admin's")
    client = key_client(editor)
    listed = client.get(LIST).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert client.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert client.patch(f"{LIST}{theirs.pk}/", {"description": "x"}).status_code == 404
    assert client.delete(f"{LIST}{theirs.pk}/").status_code == 404
    assert client.post(f"{LIST}{theirs.pk}/resume/").status_code == 404
    assert client.get(f"{LIST}{theirs.pk}/deliveries/").status_code == 404
    created = client.post(LIST, {"url": PUBLIC_URL, "event_types": ["claim.flagged"]})
    assert created.status_code == 201
    assert Subscription.objects.get(pk=created.json()["id"]).owner == editor
    theirs.refresh_from_db()
    assert theirs.description == "theirs"
    # A superuser's key sees its owner's only too; the superuser's session sees all.
    assert [r["id"] for r in key_client(admin_user).get(LIST).json()["results"]] == [admins.pk]
    everyone = session(admin_user).get(LIST).json()["results"]
    assert {row["id"] for row in everyone} == {
        mine.pk,
        theirs.pk,
        admins.pk,
        created.json()["id"],
    }


def test_a_key_whose_owner_lost_the_role_can_no_longer_manage(editor):
    subscription, _ = subscribe(editor)
    client = key_client(editor)
    assert client.get(LIST).status_code == 200
    editor.groups.set([Group.objects.get(name="Viewer")])
    assert client.get(LIST).status_code == 403
    assert client.delete(f"{LIST}{subscription.pk}/").status_code == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_update_validates_like_create(editor_api, editor):
    subscription, _ = subscribe(editor)
    response = editor_api.patch(f"{LIST}{subscription.pk}/", {"url": "http://127.0.0.1/x"})
    assert response.status_code == 400
    response = editor_api.patch(f"{LIST}{subscription.pk}/", {"event_types": ["claim.flagged"]})
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.url == PUBLIC_URL and subscription.event_types == ["claim.flagged"]


def test_delete(editor_api, editor):
    subscription, _ = subscribe(editor)
    assert editor_api.delete(f"{LIST}{subscription.pk}/").status_code == 204
    assert not Subscription.objects.exists()
    assert editor_api.get(f"{LIST}{subscription.pk}/").status_code == 404


def test_deliveries_list_every_attempt(world, editor, receiver):
    subscription, _ = subscribe(
        editor, url=receiver.url_for("/hook"), event_types=[events.CLAIM_FLAGGED]
    )
    services.claim_flag_for_review(claim=world.claim, reason="x")
    event = Event.objects.get()
    receiver.expect_oneshot_request("/hook").respond_with_data("", status=500)
    event_deliver(event_id=event.pk)
    Event.objects.filter(pk=event.pk).update(next_attempt_at=event.created_at)
    receiver.expect_oneshot_request("/hook").respond_with_data("", status=200)
    event_deliver(event_id=event.pk)

    response = key_client(editor).get(f"{LIST}{subscription.pk}/deliveries/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["webhook_id"] == event.webhook_id
    assert row["type"] == "claim.flagged"
    assert row["state"] == "delivered"
    assert row["attempt_count"] == 2
    assert [(a["number"], a["status_code"], a["succeeded"]) for a in row["attempts"]] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert row["attempts"][0]["error"] == "The receiver answered 500."
    assert isinstance(row["attempts"][0]["duration_ms"], int)


def test_the_deliveries_list_costs_the_same_queries_for_1_and_for_10(world, editor):
    subscription, _ = subscribe(editor, event_types=[events.CLAIM_FLAGGED])
    client = key_client(editor)
    url = f"{LIST}{subscription.pk}/deliveries/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    services.claim_flag_for_review(claim=world.claim, reason="1")
    one = queries()
    for n in range(9):
        services.claim_flag_for_review(claim=world.claim, reason=f"more {n}")
    assert Event.objects.count() == 10
    assert queries() == one


def test_resume_through_the_api(editor, world):
    subscription, _ = subscribe(editor, event_types=[events.CLAIM_FLAGGED])
    services.claim_flag_for_review(claim=world.claim, reason="x")
    Subscription.objects.filter(pk=subscription.pk).update(
        paused_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    client = key_client(editor)
    assert client.get(f"{LIST}{subscription.pk}/").json()["paused"] is True
    response = client.post(f"{LIST}{subscription.pk}/resume/")
    assert response.status_code == 200
    assert response.json()["requeued"] == 1
    assert response.json()["subscription"]["paused"] is False
    subscription.refresh_from_db()
    assert subscription.paused_at is None


def test_the_schema_documents_the_endpoints_and_the_events(anon):
    schema = anon.get("/api/schema/?format=json").json()
    assert {"/api/v1/webhooks/", "/api/v1/webhooks/{id}/deliveries/"} <= set(schema["paths"])
    hooks = schema["x-webhooks"]
    assert set(hooks) == set(events.EVENT_TYPES)
    components = schema["components"]["schemas"]
    status_event = hooks["claim.status_changed"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"].rsplit("/", 1)[1]
    data = components[status_event]["properties"]["data"]
    data_fields = components[data["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"from", "to", "status", "statement", "evidence_counts"} <= set(data_fields)
    assert "secret" in components["SubscriptionCreated"]["properties"]
    assert "attempts" in components["DeliveryOutput"]["properties"]
