"""The one way this app goes to the network (SPEC section 5, "fetching is safe by default").

Every request: http or https only; the host is resolved and every address it resolves to is
checked before anything is sent (a refused address is never contacted) and the connection goes
to the address that was checked, so a DNS answer that changes between check and connect cannot
redirect us; each redirect hop is checked the same way, at most ``MAX_REDIRECTS`` of them;
connect and read timeouts plus an overall deadline; the body is streamed and cut at
``FACTCHECK_FETCH_MAX_BYTES``; robots.txt is honoured; requests to one host are spaced by
``FACTCHECK_FETCH_DOMAIN_DELAY`` across processes; conditional GET with ETag and Last-Modified.

Failures are raised as ``FetchError`` subclasses whose message is meant for an editor.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import urllib3
from charset_normalizer import from_bytes
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from protego import Protego

from articles.errors import FetchError, InvalidURL
from articles.models import FetchDomain

MAX_REDIRECTS = 5
ROBOTS_CACHE_SECONDS = 3600
ROBOTS_MAX_BYTES = 500_000
CHUNK_SIZE = 64 * 1024

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
        "text/plain",
    }
)
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def user_agent() -> str:
    """An honest User-Agent: what we are and where to find out more."""
    return f"FactcheckBot/0.1 (+{settings.FACTCHECK_NEWSROOM_URL}; newsroom fact-tracking)"


# Errors ----------------------------------------------------------------------------------


class RefusedAddress(FetchError):
    public_reason = "refused: not a public address"


class DomainBusy(FetchError):
    """Our own per-domain delay would make this request wait longer than the caller allows:
    it is not the site's failure, just "not now" (``retry_after`` says when)."""

    retryable = True
    public_reason = "put off: waiting for our turn at the site"


class RobotsDisallowed(FetchError):
    public_reason = "refused: the site's robots.txt does not allow it, or could not be read"


class HTTPStatusError(FetchError):
    def __init__(self, status: int, *, url: str, retry_after: float | None = None):
        self.status = status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "unknown status"
        if status in (404, 410):
            why = "the page does not exist (any more)"
        elif status in (401, 403):
            why = "the site refuses to show the page to us"
        elif status == 429:
            why = "the site asks us to slow down; we will try again later"
        elif status >= 500:
            why = "the site had a problem; we will try again later"
        else:
            why = "the site did not give us the page"
        super().__init__(
            f"The server answered {status} {phrase} for {url}: {why}.",
            url=url,
            retry_after=retry_after,
        )
        self.retryable = status == 429 or status == 408 or status >= 500
        self.public_reason = f"the server answered {status} {phrase}"


class FetchTimeout(FetchError):
    retryable = True
    public_reason = "timeout: the server did not answer in time"


class ConnectionFailed(FetchError):
    retryable = True
    public_reason = "the connection to the server failed"


class TooLarge(FetchError):
    public_reason = "too large: the page is over the size limit"


class UnsupportedContentType(FetchError):
    public_reason = "not a page or feed we can read (its content type)"


class Undecodable(FetchError):
    public_reason = "the text encoding of the page could not be read"


class RedirectLoop(FetchError):
    public_reason = "the page redirects in a loop"


class TooManyRedirects(FetchError):
    public_reason = "the page redirects too many times"


# Addresses -------------------------------------------------------------------------------


def _refusal_reason(address: str) -> str | None:
    """Why this address must not be contacted, or None when it is globally routable."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if ip.sixtofour is not None or ip.teredo is not None:
            return "a tunnelled (6to4 or Teredo) address"
    checks = [
        (ip.is_loopback, "a loopback address"),
        (ip.is_private, "a private network address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "an address that is not globally routable"),
    ]
    for refused, reason in checks:
        if refused:
            return reason
    return None


def resolve_checked(host: str, port: int, *, url: str) -> list[str]:
    """Resolve the host and return the addresses to connect to, in the resolver's order,
    refusing the host when any of them is not globally routable (a name with one public and one
    private record must not let us reach the private one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(
            f"The address of {host} could not be found ({exc}).", url=url
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ConnectionFailed(f"The address of {host} could not be found.", url=url)
    if not settings.FACTCHECK_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            reason = _refusal_reason(address)
            if reason:
                raise RefusedAddress(
                    f"Refused to fetch {url}: {host} resolves to {address}, {reason}. "
                    "Only public internet addresses are fetched "
                    "(FACTCHECK_FETCH_ALLOW_PRIVATE=1 allows others).",
                    url=url,
                )
    return addresses


def url_check_fetchable(url: str) -> None:
    """Refuse, before anything is queued, a URL the fetcher would refuse for its form or its
    address (the pages' "add by URL" form): not http(s), no host, a bad port, a host that
    does not resolve, or one that resolves to an address that is not globally routable
    (unless FACTCHECK_FETCH_ALLOW_PRIVATE). Raises ``InvalidURL``, ``ConnectionFailed`` or
    ``RefusedAddress`` with the fetcher's own message. The fetch checks again at each hop, as
    DNS may answer differently by then."""
    _scheme, host, port, _netloc, _target = _parse(url)
    resolve_checked(host, port, url=url)


# Per-domain delay ------------------------------------------------------------------------


def wait_for_domain_slot(host: str, *, max_wait: float | None = None) -> float:
    """Reserve the next request slot for this host and sleep until it; return the seconds
    waited. The reservation is a row per host updated under a row lock, so worker processes
    on other machines keep the spacing too (a Redis key would not exist in ``make run``).

    With ``max_wait``, a slot further away than that is not taken and ``DomainBusy`` is raised:
    a worker must not sleep through its time limit behind many requests to one site."""
    delay = float(settings.FACTCHECK_FETCH_DOMAIN_DELAY)
    if delay <= 0:
        return 0.0
    now = timezone.now()
    with transaction.atomic():
        FetchDomain.objects.get_or_create(host=host, defaults={"next_request_at": now})
        # The lock serialises reservations for one host: without it two workers could both
        # read the same free slot and hit the site at the same moment.
        row = FetchDomain.objects.select_for_update().get(host=host)
        slot = max(now, row.next_request_at)
        wait = (slot - now).total_seconds()
        if max_wait is not None and wait > max_wait:
            raise DomainBusy(
                f"Many requests to {host} are waiting their turn "
                f"(FACTCHECK_FETCH_DOMAIN_DELAY); this one is put off by {wait:.0f} seconds.",
                retry_after=wait,
            )
        row.next_request_at = slot + timedelta(seconds=delay)
        row.save(update_fields=["next_request_at"])
    if wait > 0:
        time.sleep(wait)
    return wait


# Responses -------------------------------------------------------------------------------


@dataclass
class FetchResult:
    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    etag: str
    last_modified: str
    not_modified: bool = False

    def text(self) -> str:
        """The body as text: the declared charset (header or meta tag), else UTF-8, else the
        best guess; a body that is none of these is refused rather than turned into garbage."""
        body = self.body
        if b"\x00" in body[:4096] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Undecodable(f"The page at {self.url} is binary data, not text.", url=self.url)
        declared = self.charset
        if not declared:
            match = _META_CHARSET.search(body[:4096])
            declared = match.group(1).decode("ascii", "replace") if match else None
        if declared:
            try:
                return body.decode(declared)
            except LookupError:
                pass
            except UnicodeDecodeError:
                raise Undecodable(
                    f"The page at {self.url} says it is in {declared}, "
                    "but its bytes are not valid in that encoding.",
                    url=self.url,
                ) from None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        best = from_bytes(body).best()
        if best is None:
            raise Undecodable(
                f"The text encoding of the page at {self.url} could not be determined.",
                url=self.url,
            )
        return str(best)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _split_content_type(value: str) -> tuple[str, str | None]:
    media, _, params = (value or "").partition(";")
    charset = None
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def _parse(url: str) -> tuple[str, str, int, str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL(f"{url} is not an http or https address.", url=url)
    try:
        host = parts.hostname
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise InvalidURL(f"{url} has an invalid port.", url=url) from None
    if not host:
        raise InvalidURL(f"{url} has no host name.", url=url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, parts.netloc.rpartition("@")[2], target


def _one_request(
    url: str,
    *,
    headers: dict[str, str],
    max_bytes: int,
    deadline: float,
    max_domain_wait: float | None,
) -> tuple[urllib3.BaseHTTPResponse, bytes | None]:
    """One hop: check the address, connect to it, send; return the response and, unless it is
    a redirect or 304, its body (read with the byte cap)."""
    scheme, host, port, host_header, target = _parse(url)
    addresses = resolve_checked(host, port, url=url)
    wait_for_domain_slot(host.lower(), max_wait=max_domain_wait)
    for index, address in enumerate(addresses):
        try:
            return _request_address(
                url,
                address,
                scheme=scheme,
                host=host,
                port=port,
                target=target,
                headers={**headers, "Host": host_header},
                max_bytes=max_bytes,
                deadline=deadline,
            )
        except _Unreachable as exc:
            # Another checked address of the host may answer (IPv6 and IPv4 records).
            if index == len(addresses) - 1:
                raise ConnectionFailed(str(exc), url=url) from None
    raise AssertionError("unreachable")  # the loop returns or raises


def _connection_cut_at(base: type, deadline: float, watchdogs: list[threading.Timer]) -> type:
    """The pool's connection class, with its socket shut down at the deadline. The body's reads
    are bounded one by one below, but http.client reads the status line and headers itself:
    a server sending those a byte at a time would never let a read time out."""

    class Connection(base):
        def connect(self) -> None:
            super().connect()
            sock = self.sock
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, (sock,))
            timer.daemon = True
            watchdogs.append(timer)
            timer.start()

    return Connection


def _shut(sock: socket.socket) -> None:
    """Wake a read blocked on the socket from another thread. The plain socket's shutdown, not
    the TLS one, which would touch the TLS state the reading thread is using."""
    with contextlib.suppress(OSError):  # already closed: the fetch ended on its own
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _past_deadline(url: str, timeout_seconds: float) -> FetchTimeout:
    return FetchTimeout(
        f"The page at {url} took too long to arrive "
        f"(limit {timeout_seconds * 3:g} seconds in all).",
        url=url,
    )


class _Unreachable(Exception):
    """No connection could be made to one address: the next one is tried."""


def _request_address(
    url: str,
    address: str,
    *,
    scheme: str,
    host: str,
    port: int,
    target: str,
    headers: dict[str, str],
    max_bytes: int,
    deadline: float,
) -> tuple[urllib3.BaseHTTPResponse, bytes | None]:
    timeout_seconds = float(settings.FACTCHECK_FETCH_TIMEOUT)
    timeout = urllib3.Timeout(connect=timeout_seconds, read=timeout_seconds)
    if scheme == "https":
        # Connect to the checked address while TLS still verifies the certificate for the
        # host name (SNI and hostname check use the name, not the address).
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    watchdogs: list[threading.Timer] = []
    pool.ConnectionCls = _connection_cut_at(pool.ConnectionCls, deadline, watchdogs)
    try:
        response = pool.urlopen(
            "GET",
            target,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        if response.status in _REDIRECT_STATUSES or response.status == 304:
            response.drain_conn()
            return response, None
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(
                f"The page at {url} is {int(declared):,} bytes, more than the limit of "
                f"{max_bytes:,} bytes (FACTCHECK_FETCH_MAX_BYTES).",
                url=url,
            )
        chunks, size = [], 0
        while True:
            # A server that sends a byte just before each read timeout would keep a read going
            # forever: every wait on the socket is cut to the time left before the deadline,
            # and read1 hands back whatever arrived, so the check below runs between bytes.
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _past_deadline(url, timeout_seconds)
            if response.connection is not None and response.connection.sock is not None:
                response.connection.sock.settimeout(min(timeout_seconds, remaining))
            chunk = response.read1(CHUNK_SIZE, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(
                    f"The page at {url} is larger than the limit of {max_bytes:,} bytes "
                    "(FACTCHECK_FETCH_MAX_BYTES); we stopped reading it.",
                    url=url,
                )
            chunks.append(chunk)
        if time.monotonic() >= deadline:
            # Cut by the watchdog: what looks like the end of the body may be the cut.
            raise _past_deadline(url, timeout_seconds)
        return response, b"".join(chunks)
    except urllib3.exceptions.NewConnectionError as exc:
        raise _Unreachable(
            f"The connection to {host} ({address}) failed: {exc.__class__.__name__}."
        ) from None
    except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError):
        if time.monotonic() >= deadline:
            raise _past_deadline(url, timeout_seconds) from None
        raise FetchTimeout(
            f"The server of {url} did not answer within {timeout_seconds:g} seconds "
            "(FACTCHECK_FETCH_TIMEOUT).",
            url=url,
        ) from None
    except urllib3.exceptions.SSLError as exc:
        if time.monotonic() >= deadline:
            raise _past_deadline(url, timeout_seconds) from None
        raise ConnectionFailed(
            f"The secure connection to {host} failed ({exc.__class__.__name__}): "
            "its certificate could not be verified.",
            url=url,
        ) from None
    except urllib3.exceptions.DecodeError:
        raise Undecodable(
            f"The page at {url} was sent compressed but could not be decompressed.", url=url
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if time.monotonic() >= deadline:
            raise _past_deadline(url, timeout_seconds) from None
        raise ConnectionFailed(
            f"The connection to {host} failed: {exc.__class__.__name__}.", url=url
        ) from None
    finally:
        for watchdog in watchdogs:
            watchdog.cancel()
        pool.close()


def _get(
    url: str,
    *,
    headers: dict[str, str],
    max_bytes: int,
    check_robots: bool,
    max_domain_wait: float | None,
) -> tuple[str, urllib3.BaseHTTPResponse, bytes | None]:
    """Follow redirects, checking robots.txt and the address at every hop."""
    deadline = time.monotonic() + float(settings.FACTCHECK_FETCH_TIMEOUT) * 3
    seen = {url}
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        if check_robots:
            robots_check(current, max_domain_wait=max_domain_wait)
        response, body = _one_request(
            current,
            headers=headers,
            max_bytes=max_bytes,
            deadline=deadline,
            max_domain_wait=max_domain_wait,
        )
        if response.status not in _REDIRECT_STATUSES:
            return current, response, body
        location = response.headers.get("Location")
        if not location:
            raise HTTPStatusError(response.status, url=current)
        following = urljoin(current, location.strip())
        if following in seen:
            raise RedirectLoop(
                f"{url} redirects in a loop (back to {following}); the page cannot be reached.",
                url=url,
            )
        seen.add(following)
        current = following
    raise TooManyRedirects(
        f"{url} redirects more than {MAX_REDIRECTS} times; we stopped following it.", url=url
    )


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: frozenset[str] | None = HTML_TYPES,
    check_robots: bool = True,
    max_bytes: int | None = None,
    max_domain_wait: float | None = None,
) -> FetchResult:
    """GET the URL safely. With ``etag`` or ``last_modified`` the request is conditional and a
    304 comes back as ``not_modified``. ``accept`` lists the media types we can use (None: any).
    ``max_domain_wait`` caps the wait for the per-domain delay (``DomainBusy`` beyond it).
    """
    max_bytes = max_bytes or int(settings.FACTCHECK_FETCH_MAX_BYTES)
    headers = {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    final_url, response, body = _get(
        url,
        headers=headers,
        max_bytes=max_bytes,
        check_robots=check_robots,
        max_domain_wait=max_domain_wait,
    )
    status = response.status
    if status == 304:
        return FetchResult(
            url=final_url,
            status=304,
            body=b"",
            content_type="",
            charset=None,
            etag=response.headers.get("ETag", etag),
            last_modified=response.headers.get("Last-Modified", last_modified),
            not_modified=True,
        )
    if status >= 400 or status < 200:
        raise HTTPStatusError(
            status, url=final_url, retry_after=_retry_after(response.headers.get("Retry-After"))
        )
    media, charset = _split_content_type(response.headers.get("Content-Type", ""))
    if accept is not None and media not in accept:
        wanted = "an HTML page" if "text/html" in accept else "a feed"
        raise UnsupportedContentType(
            f"{final_url} is {media or 'of an unknown type'}, not {wanted}.", url=final_url
        )
    return FetchResult(
        url=final_url,
        status=status,
        body=body or b"",
        content_type=media,
        charset=charset,
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
    )


# robots.txt ------------------------------------------------------------------------------


def _robots_rules(scheme: str, netloc: str, *, max_domain_wait: float | None = None) -> str:
    """The robots.txt text of a site, cached per host. Following RFC 9309: a missing file
    (4xx) allows everything; a server error or unreachable file disallows everything for now."""
    key = f"factcheck:robots:{scheme}://{netloc.lower()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    robots_url = f"{scheme}://{netloc}/robots.txt"
    try:
        result = fetch(
            robots_url,
            accept=None,
            check_robots=False,
            max_bytes=ROBOTS_MAX_BYTES,
            max_domain_wait=max_domain_wait,
        )
        rules = result.body.decode("utf-8", "replace")
    except HTTPStatusError as exc:
        if exc.status >= 500 or exc.status == 429:
            raise RobotsDisallowed(
                f"The robots.txt of {netloc} could not be read (status {exc.status}); "
                "we do not fetch from a site whose rules we cannot read. We will try again later.",
                url=robots_url,
            ) from None
        rules = ""
    except TooLarge:
        rules = ""
    except (RefusedAddress, InvalidURL, DomainBusy):
        raise
    except FetchError as exc:
        raise ConnectionFailed(
            f"The robots.txt of {netloc} could not be read: {exc}", url=robots_url
        ) from None
    cache.set(key, rules, ROBOTS_CACHE_SECONDS)
    return rules


def robots_check(url: str, *, max_domain_wait: float | None = None) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL(f"{url} is not an http or https address.", url=url)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise InvalidURL(f"{url} has an invalid port.", url=url) from None
    # A page on a refused address is refused in its own name, before its site's robots.txt is
    # asked for (the error then names the page the editor submitted, not /robots.txt).
    resolve_checked(parts.hostname, port, url=url)
    rules = _robots_rules(scheme, parts.netloc.rpartition("@")[2], max_domain_wait=max_domain_wait)
    if rules and not Protego.parse(rules).can_fetch(url, user_agent()):
        raise RobotsDisallowed(
            f"The robots.txt of {parts.hostname} does not allow us to fetch {url}.", url=url
        )
