"""Fixtures for the ingestion tests: a local HTTP server on 127.0.0.1 (never the internet) and
fetch settings for it."""

import pytest
from django.core.cache import cache
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def local_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def fetch_settings(settings):
    """Private addresses allowed (the test server is on loopback), no per-domain delay, and a
    fresh robots.txt cache for every test."""
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = True
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 0
    settings.FACTCHECK_FETCH_TIMEOUT = 5
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def site(local_server, fetch_settings):
    """The local server with no robots.txt (404: everything allowed). A test that wants rules
    registers a one-shot /robots.txt handler, which is matched before this one."""
    local_server.clear()
    local_server.expect_request("/robots.txt").respond_with_data("", status=404)
    yield local_server
    local_server.clear()


def page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f"<html><head><title>{title}</title>"
        '<meta name="author" content="Ana Reporter">'
        '<meta property="og:site_name" content="Harbour City Gazette">'
        '<meta property="article:published_time" content="2026-11-20T09:00:00Z">'
        f"</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )
