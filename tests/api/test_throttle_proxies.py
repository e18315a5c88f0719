"""The anonymous throttle counts by the reader's real address: X-Forwarded-For is believed
only from FACTCHECK_TRUSTED_PROXIES (issue 11, a hostile reader)."""

import pytest
from django.core.cache import cache

from api.throttling import client_address


@pytest.fixture
def three_a_minute(settings):
    settings.FACTCHECK_ANON_RATE = "3/min"
    cache.clear()
    yield settings
    cache.clear()


def _statuses(anon, forwarded_for: list[str]) -> list[int]:
    return [
        anon.get("/api/v1/claims/", headers={"X-Forwarded-For": value}).status_code
        for value in forwarded_for
    ]


def test_a_new_forwarded_address_per_request_does_not_reset_the_throttle(
    world, anon, three_a_minute
):
    three_a_minute.FACTCHECK_TRUSTED_PROXIES = []
    statuses = _statuses(anon, ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"])
    assert statuses == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_each_reader_has_its_own_count(world, anon, three_a_minute):
    # The test client's peer is 127.0.0.1: the proxy here.
    three_a_minute.FACTCHECK_TRUSTED_PROXIES = ["127.0.0.0/8"]
    assert _statuses(anon, ["203.0.113.1"] * 4) == [200, 200, 200, 429]
    # Another reader behind the same proxy is not throttled for the first one's requests.
    assert _statuses(anon, ["203.0.113.2"]) == [200]
    # An address the reader put in front of the proxy's own entry changes nothing.
    assert _statuses(anon, ["198.51.100.9, 203.0.113.1"]) == [429]


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "192.0.2.1", "203.0.113.5", "192.0.2.1"),
        (["10.0.0.0/8"], "192.0.2.1", "203.0.113.5", "192.0.2.1"),
        (["10.0.0.0/8"], "10.1.2.3", "203.0.113.5", "203.0.113.5"),
        (["10.0.0.0/8"], "10.1.2.3", "198.51.100.1, 203.0.113.5, 10.9.9.9", "203.0.113.5"),
        (["10.0.0.0/8"], "10.1.2.3", "", "10.1.2.3"),
        (["2001:db8::/32"], "2001:db8::1", "203.0.113.5", "203.0.113.5"),
    ],
)
def test_client_address(settings, trusted, peer, forwarded, expected):
    settings.FACTCHECK_TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta) == expected
