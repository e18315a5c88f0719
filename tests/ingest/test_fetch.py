"""The safe fetcher (SPEC section 5) against a local HTTP server."""

import gzip
import itertools
import socket
import ssl
import threading
import time

import pytest
import trustme
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug import Response

from articles import fetch as fetch_module
from articles.fetch import (
    ConnectionFailed,
    DomainBusy,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    RedirectLoop,
    RefusedAddress,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    Undecodable,
    UnsupportedContentType,
    fetch,
)
from articles.models import FetchDomain

HTML = "<html><body><p>Hello</p></body></html>"


def test_fetches_a_page_with_an_honest_user_agent(site):
    site.expect_request("/news").respond_with_data(
        HTML, content_type="text/html; charset=utf-8", headers={"ETag": '"v1"'}
    )
    result = fetch(site.url_for("/news"))
    assert result.status == 200
    assert result.text() == HTML
    assert result.etag == '"v1"'
    request = site.log[-1][0]
    assert request.headers["User-Agent"].startswith("FactcheckBot/")
    assert "If-None-Match" not in request.headers


@pytest.mark.parametrize(
    ("status", "retryable"), [(404, False), (410, False), (403, False), (500, True), (503, True)]
)
def test_error_statuses(site, status, retryable):
    site.expect_request("/gone").respond_with_data("no", status=status)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(site.url_for("/gone"))
    assert caught.value.status == status
    assert caught.value.retryable is retryable
    assert str(status) in str(caught.value)


def test_429_is_retryable_after_the_time_the_server_asks(site):
    site.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    with pytest.raises(HTTPStatusError) as caught:
        fetch(site.url_for("/busy"))
    assert caught.value.retryable
    assert caught.value.retry_after == 120
    assert "slow down" in str(caught.value)


def test_timeout(site, settings):
    settings.FACTCHECK_FETCH_TIMEOUT = 0.3

    def slow(request):
        time.sleep(1)
        return Response(HTML, content_type="text/html")

    site.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(FetchTimeout) as caught:
        fetch(site.url_for("/slow"))
    assert caught.value.retryable
    assert "did not answer within 0.3 seconds" in str(caught.value)
    # The server logs the request once its handler returns; wait for it, or the entry lands
    # in the log of whichever test runs next on this shared server.
    deadline = time.monotonic() + 10
    while not any(r.path == "/slow" for r, _ in site.log) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_too_large_by_content_length(site, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 1000
    site.expect_request("/big").respond_with_data("x" * 5000, content_type="text/html")
    with pytest.raises(TooLarge, match="more than the limit of 1,000 bytes"):
        fetch(site.url_for("/big"))


def test_too_large_while_streaming_without_length(site, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 100_000

    def endless(request):
        def chunks():
            for _ in range(1000):
                yield b"<p>" + b"x" * 1000 + b"</p>"

        return Response(chunks(), content_type="text/html")

    site.expect_request("/stream").respond_with_handler(endless)
    with pytest.raises(TooLarge, match="we stopped reading it"):
        fetch(site.url_for("/stream"))


def test_the_cap_counts_decompressed_bytes(site, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 100_000
    bomb = gzip.compress(b"<p>" + b"a" * 5_000_000 + b"</p>")
    assert len(bomb) < 100_000
    site.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(TooLarge):
        fetch(site.url_for("/bomb"))


def test_not_html(site):
    site.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(UnsupportedContentType, match="is application/pdf, not an HTML page"):
        fetch(site.url_for("/doc.pdf"))


def test_undecodable(site):
    site.expect_request("/bad").respond_with_data(
        b"<p>caf\xe9 \xff\xfe</p>", content_type="text/html; charset=utf-8"
    )
    result = fetch(site.url_for("/bad"))
    with pytest.raises(Undecodable, match="not valid in that encoding"):
        result.text()


def test_declared_charset_is_used(site):
    site.expect_request("/latin").respond_with_data(
        "<p>café</p>".encode("latin-1"), content_type="text/html; charset=iso-8859-1"
    )
    assert fetch(site.url_for("/latin")).text() == "<p>café</p>"


def test_follows_up_to_five_redirects(site):
    for hop in range(5):
        site.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )
    site.expect_request("/r5").respond_with_data(HTML, content_type="text/html")
    result = fetch(site.url_for("/r0"))
    assert result.url == site.url_for("/r5")


def test_refuses_a_sixth_redirect(site):
    for hop in range(6):
        site.expect_request(f"/r{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/r{hop + 1}"}
        )
    site.expect_request("/r6").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(TooManyRedirects, match="more than 5 times"):
        fetch(site.url_for("/r0"))
    assert not [r for r, _ in site.log if r.path == "/r6"]


def test_redirect_loop(site):
    site.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    site.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(RedirectLoop, match="redirects in a loop"):
        fetch(site.url_for("/a"))


def test_conditional_get(site):
    site.expect_request("/cond", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    result = fetch(
        site.url_for("/cond"), etag='"v1"', last_modified="Fri, 20 Nov 2026 09:00:00 GMT"
    )
    assert result.not_modified
    assert result.etag == '"v1"'
    request = site.log[-1][0]
    assert request.headers["If-Modified-Since"] == "Fri, 20 Nov 2026 09:00:00 GMT"


def test_robots_disallow_and_cache(site):
    site.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: FactcheckBot\nDisallow: /private\n\nUser-agent: *\nDisallow:\n",
        content_type="text/plain",
    )
    site.expect_request("/public").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(RobotsDisallowed, match="does not allow us"):
        fetch(site.url_for("/private/page"))
    assert fetch(site.url_for("/public")).status == 200
    assert fetch(site.url_for("/public")).status == 200
    paths = [r.path for r, _ in site.log]
    assert paths.count("/robots.txt") == 1, "robots.txt is cached per host"
    assert "/private/page" not in paths


def test_robots_unreadable_disallows_for_now(site):
    site.expect_oneshot_request("/robots.txt").respond_with_data("oops", status=500)
    site.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(RobotsDisallowed, match="could not be read"):
        fetch(site.url_for("/page"))
    assert "/page" not in [r.path for r, _ in site.log]


def test_per_domain_delay(site, settings, db):
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 0.4
    site.expect_request("/one").respond_with_data(HTML, content_type="text/html")
    begin = time.monotonic()
    fetch(site.url_for("/one"), check_robots=False)
    fetch(site.url_for("/one"), check_robots=False)
    fetch(site.url_for("/one"), check_robots=False)
    assert time.monotonic() - begin >= 0.8
    row = FetchDomain.objects.get(host="127.0.0.1")
    assert row.next_request_at is not None


# Refused addresses: these tests keep FACTCHECK_FETCH_ALLOW_PRIVATE off.


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:8.8.8.8",
        "2002:7f00:1::1",
    ],
)
def test_addresses_that_are_refused(address):
    assert fetch_module._refusal_reason(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2001:4860:4860::8888"])
def test_public_addresses_are_allowed(address):
    assert fetch_module._refusal_reason(address) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_is_refused_and_never_contacted(local_server, settings, host):
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = False
    local_server.clear()
    url = f"http://{host}:{local_server.port}/secret"
    with pytest.raises(RefusedAddress, match="Only public internet addresses"):
        fetch(url, check_robots=False)
    # With robots.txt checked, the refusal still names the page, not the site's robots.txt.
    with pytest.raises(RefusedAddress, match=r"Refused to fetch \S+/secret:"):
        fetch(url)
    assert local_server.log == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://a/"])
def test_only_http_and_https(url):
    with pytest.raises(InvalidURL, match="not an http or https address"):
        fetch(url)


@pytest.fixture
def second_loopback_server():
    """A server on 127.0.0.2 (also loopback on Linux) that records whether it was contacted."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.expect_request("/internal").respond_with_data("secret", content_type="text/html")
    server.start()
    yield server
    server.clear()
    server.stop()


def test_redirect_to_a_refused_address_is_never_followed(
    site, settings, monkeypatch, second_loopback_server
):
    """The first server stands for a public site: only its exact address is let through by
    the address policy; the redirect target, another loopback address, stays refused."""
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = False
    policy = fetch_module._refusal_reason
    monkeypatch.setattr(
        fetch_module,
        "_refusal_reason",
        lambda address: None if address == "127.0.0.1" else policy(address),
    )
    target = second_loopback_server.url_for("/internal")
    site.expect_request("/jump").respond_with_data("", status=302, headers={"Location": target})
    with pytest.raises(RefusedAddress, match=r"127\.0\.0\.2"):
        fetch(site.url_for("/jump"))
    assert [r.path for r, _ in site.log] == ["/robots.txt", "/jump"]
    assert second_loopback_server.log == []


@pytest.mark.usefixtures("fetch_settings")
def test_closed_port_is_a_connection_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match=r"connection to 127\.0\.0\.1 .* failed") as caught:
        fetch(f"http://127.0.0.1:{port}/", check_robots=False)
    assert caught.value.retryable


def test_every_checked_address_is_tried(site, monkeypatch):
    """A host with an address that does not answer (here ::1, where nothing listens) and one
    that does: the second is used."""
    port = site.port
    real = socket.getaddrinfo

    def two_records(host, *args, **kwargs):
        if host == "news.test":
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_records)
    site.expect_request("/story").respond_with_data(HTML, content_type="text/html")
    result = fetch(f"http://news.test:{port}/story")
    assert result.text() == HTML
    assert site.log[-1][0].headers["Host"] == f"news.test:{port}"


@pytest.fixture(scope="module")
def tls_authority():
    return trustme.CA()


@pytest.fixture
def tls_site(tls_authority, fetch_settings, monkeypatch):
    """An HTTPS server on 127.0.0.1 whose certificate names news.test, trusted through the
    standard SSL_CERT_FILE variable; news.test resolves to 127.0.0.1 for this test."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_authority.issue_cert("news.test").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/story").respond_with_data(HTML, content_type="text/html")
    server.start()
    with tls_authority.cert_pem.tempfile() as ca_file:
        monkeypatch.setenv("SSL_CERT_FILE", ca_file)
        real = socket.getaddrinfo

        def resolve(host, *args, **kwargs):
            return real(
                "127.0.0.1" if host in ("news.test", "other.test") else host, *args, **kwargs
            )

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        yield server
    server.clear()
    server.stop()


def test_https_connects_to_the_checked_address_and_verifies_the_name(tls_site):
    result = fetch(f"https://news.test:{tls_site.port}/story")
    assert result.text() == HTML
    assert tls_site.log[-1][0].headers["Host"] == f"news.test:{tls_site.port}"


def test_https_refuses_a_certificate_for_another_name(tls_site):
    with pytest.raises(ConnectionFailed, match="certificate could not be verified"):
        fetch(f"https://other.test:{tls_site.port}/story", check_robots=False)
    assert tls_site.log == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL row locks"
)
@pytest.mark.django_db(transaction=True)
def test_per_domain_delay_holds_across_concurrent_workers(site, settings):
    """Three workers (threads with their own database connections, as processes would have)
    fetch from one host at once: the requests still arrive spaced by the delay."""
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 0.3
    arrivals = []

    def record(request):
        arrivals.append(time.monotonic())
        return Response(HTML, content_type="text/html")

    site.expect_request("/shared").respond_with_handler(record)
    barrier = threading.Barrier(3)
    errors = []

    def worker():
        try:
            barrier.wait(5)
            fetch(site.url_for("/shared"), check_robots=False)
        except Exception as exc:  # reported below, with the test's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    arrivals.sort()
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(arrivals) == 3
    assert all(gap >= 0.25 for gap in gaps), gaps


def test_a_long_wait_for_the_domain_is_put_off_not_slept(site, settings, db):
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 20
    site.expect_request("/one").respond_with_data(HTML, content_type="text/html")
    fetch(site.url_for("/one"), check_robots=False, max_domain_wait=5)
    begin = time.monotonic()
    with pytest.raises(DomainBusy, match="waiting their turn") as caught:
        fetch(site.url_for("/one"), check_robots=False, max_domain_wait=5)
    assert time.monotonic() - begin < 2
    assert 15 < caught.value.retry_after <= 20
    assert len(site.log) == 1


_TRICKLED = {
    # The headers at once, then the body one byte at a time.
    "body": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 150\r\n\r\n",
    # A header line that never ends: the response never even starts.
    "headers": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ",
}


@pytest.fixture(params=sorted(_TRICKLED))
def trickling_server(request):
    """A server on 127.0.0.1 that sends the start of its answer at once, then one byte every
    0.2 seconds for up to 30 seconds: each read gets a byte well within the read timeout."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def serve():
        listener.settimeout(5)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(_TRICKLED[request.param])
            for _ in range(150):
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/slowly"
    stop.set()
    listener.close()
    thread.join(5)


def test_an_answer_sent_byte_by_byte_is_cut_at_the_overall_deadline(
    trickling_server, fetch_settings
):
    fetch_settings.FACTCHECK_FETCH_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as caught:
        fetch(trickling_server, check_robots=False)
    elapsed = time.monotonic() - started
    # The whole fetch ends at three times the timeout (1.5 s), not after the 30 s of trickle.
    assert elapsed < 3
    assert caught.value.retryable
    assert "took too long to arrive (limit 1.5 seconds in all)" in str(caught.value)
