"""Fixtures of the webhook tests: a receiver on 127.0.0.1 (never the internet), the settings
that let deliveries reach it, and subscriptions made through the service."""

import pytest
from pytest_httpserver import HTTPServer

from core.events import EVENT_TYPES
from webhooks import services

# A public address, for subscriptions that are never delivered to in the test (an address
# literal: nothing is resolved, nothing is contacted).
PUBLIC_URL = "https://192.0.43.10/hooks/factcheck"


@pytest.fixture(scope="session")
def receiver_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def delivery_settings(settings):
    """The receiver is on loopback: allowed here, as FACTCHECK_FETCH_ALLOW_PRIVATE=1 would."""
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = True
    settings.FACTCHECK_FETCH_TIMEOUT = 2
    settings.FACTCHECK_WEBHOOK_RETRY_DELAYS = [10, 60, 600, 3600, 21600, 86400]
    return settings


@pytest.fixture
def receiver(receiver_server, delivery_settings):
    receiver_server.clear()
    yield receiver_server
    receiver_server.clear()


def subscribe(user, url: str = PUBLIC_URL, event_types=EVENT_TYPES, description: str = ""):
    """A subscription through the service; returns it with its secret."""
    subscription, secret = services.subscription_create(
        user=user, url=url, event_types=list(event_types), description=description
    )
    return subscription, secret
