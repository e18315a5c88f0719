"""The short way of an API read (factcheck/middleware.py, api/authentication.py,
api/negotiation.py): a tool's GET without a session cookie skips the session, CSRF, messages,
CSP, history and lockout middleware, and keeps every contract of the API: JSON errors,
ETag/304, the security headers, and the editor's view for a browser session."""

from unittest import mock

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client

from api.claims import views as claim_views


@pytest.fixture
def session_spy():
    with mock.patch.object(
        SessionMiddleware, "process_request", autospec=True, side_effect=lambda self, r: None
    ) as spy:
        yield spy


def test_a_cookieless_read_skips_the_session_and_keeps_security_headers(
    published, anon, session_spy, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = anon.get(f"/api/v1/claims/{published.claim.pk}/")
    assert response.status_code == 200
    assert response.json()["verdict"]["label"] == "Mostly accurate"
    assert session_spy.call_count == 0
    assert "Set-Cookie" not in response.headers
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(response.content))
    assert "Content-Security-Policy" not in response
    head = anon.head(f"/api/v1/claims/{published.claim.pk}/")
    assert head.status_code == 200 and head.content == b""


def test_a_lookup_by_a_variant_of_the_url_is_one_query(published, anon, django_assert_num_queries):
    url = published.article.url.replace("https://gazette.", "https://GAZETTE.") + "#top"
    with django_assert_num_queries(1):
        response = anon.get("/api/v1/articles/lookup/", {"url": url})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == published.article.pk


def test_an_etag_still_answers_304(published, anon):
    first = anon.get(f"/api/v1/claims/{published.claim.pk}/")
    again = anon.get(
        f"/api/v1/claims/{published.claim.pk}/", headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304
    assert "Cookie" in again["Vary"]


def test_an_editor_with_a_session_cookie_takes_the_whole_chain_and_sees_the_draft(
    published, editor
):
    browser = Client()
    browser.force_login(editor)
    real = SessionMiddleware.process_request
    with mock.patch.object(
        SessionMiddleware, "process_request", autospec=True, side_effect=real
    ) as spy:
        response = browser.get(f"/api/v1/claims/{published.claim.pk}/")
    assert spy.call_count == 1
    assert response.status_code == 200
    assert response.json()["verdict"]["label"] == "False"  # the working draft


def test_an_unknown_api_path_is_a_json_404(db, anon):
    response = anon.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_an_error_in_a_view_is_a_json_500(published, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(claim_views, "claim_document", broken)
    client = Client(raise_request_exception=False)
    response = client.get(f"/api/v1/claims/{published.claim.pk}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("accept", "query", "status"),
    [
        (None, {}, 200),
        ("*/*", {}, 200),
        ("application/json", {}, 200),
        ("application/json, text/plain;q=0.5", {}, 200),
        ("text/html", {}, 406),
        (None, {"format": "json"}, 200),
        (None, {"format": "xml"}, 404),
    ],
)
def test_content_negotiation_answers_as_before(published, anon, accept, query, status):
    headers = {"Accept": accept} if accept else {}
    response = anon.get(f"/api/v1/claims/{published.claim.pk}/", query, headers=headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")


def test_pages_keep_their_content_security_policy(db, anon):
    page = anon.get("/")
    assert "default-src" in page["Content-Security-Policy"]
    data = anon.get("/api/v1/claims/")
    assert "Content-Security-Policy" not in data
