"""Odd input gets a 4xx JSON answer in the API's error shape, never a 500 or an HTML page
(issue 11, a hostile reader; SPEC section 7: "never a 500 on bad input")."""

import base64
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import InterfaceError, OperationalError

from claims import services
from claims.models import Claim


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    return error


@pytest.mark.parametrize("position", ["abc", "1e5", "--1", "²", "9" * 40])
def test_a_cursor_whose_position_is_not_a_number_is_400(world, anon, position):
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
    error = _error(anon.get("/api/v1/claims/", {"cursor": cursor}), 400)
    assert "cursor" in error["details"]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/x"])
def test_lookup_of_a_malformed_url_is_400(world, anon, url):
    error = _error(anon.get("/api/v1/articles/lookup/", {"url": url}), 400)
    assert "url" in error["message"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_a_thousand_deep_is_400(world, write_client, depth):
    body = '{"statement": ' + "[" * depth + "]" * depth + "}"
    response = write_client.post("/api/v1/claims/", body, content_type="application/json")
    error = _error(response, 400)
    assert "nested too deeply" in error["message"]
    assert Claim.objects.count() == 1


def test_a_ten_megabyte_body_is_413_json(world, write_client):
    body = '{"statement": "' + "x" * 10_000_000 + '"}'
    response = write_client.post("/api/v1/claims/", body, content_type="application/json")
    error = _error(response, 413)
    assert error["code"] == "too_large"
    assert Claim.objects.count() == 1


def test_a_request_django_refuses_before_the_view_is_json_under_the_api(world, anon):
    error = _error(anon.get("/api/v1/claims/", headers={"Host": "evil.example"}), 400)
    assert error["code"] == "bad_request"
    page = anon.get("/", headers={"Host": "evil.example"})
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def _raising(exc):
    def service(**kwargs):
        raise exc

    return service


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("deadlock detected"),
        InterfaceError("connection already closed"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
    ],
    ids=["django-operational", "django-interface", "psycopg-deadlock", "psycopg-dropped"],
)
def test_a_deadlock_or_dropped_connection_on_a_write_is_503_with_retry_after(
    world, write_client, monkeypatch, exc
):
    # A real deadlock needs two PostgreSQL sessions locking in opposite orders; what matters
    # here is the answer to the error the database driver raises then.
    monkeypatch.setattr(services, "claim_create_with_appearances", _raising(exc))
    response = write_client.post(
        "/api/v1/claims/", {"statement": "Never stored.", "claimant": world.port.pk}
    )
    error = _error(response, 503)
    assert error["code"] == "unavailable"
    assert int(response["Retry-After"]) > 0
    assert not Claim.objects.filter(statement="Never stored.").exists()
