"""/healthz and reads with a dependency down (issue 11, a hostile reader; SPEC section 7)."""

import socket
import sys

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import resolve

from claims.models import Claim
from factcheck.celery import app


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down():
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    with override_settings(CACHES=caches):
        yield


def test_all_well(db):
    cache.clear()
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_cache_down_is_reported_and_reads_go_on(world, settings, cache_down):
    settings.FACTCHECK_ANON_RATE = "3/min"
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "down", "broker": "ok"}

    # The throttle fails open: anonymous reads and matching answer from the database.
    reader = Client()
    for _ in range(5):
        response = reader.get(f"/api/v1/claims/{world.claim.pk}/")
        assert response.status_code == 200
        assert response.json()["statement"] == world.claim.statement
    match = reader.post(
        "/api/v1/claims/match/",
        {"text": "4,200 containers passed through the northern terminal"},
        content_type="application/json",
    )
    assert match.status_code == 200
    assert match.json()["results"][0]["claim"]["id"] == world.claim.pk
    assert Claim.objects.count() == 1


def test_broker_down_is_reported_with_200(db, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_database_down_is_503(db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    # The health view's own name for the connection, wherever the view lives.
    view_module = sys.modules[resolve("/healthz").func.__module__]
    monkeypatch.setattr(view_module, "connection", Unreachable())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
