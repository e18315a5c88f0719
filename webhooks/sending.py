"""One signed POST of an event to a subscriber, under the fetcher's rules (SPEC sections 5 and
10): http or https only; the host's every address checked (``articles.fetch.resolve_checked``:
loopback, private, link-local … refused unless ``FACTCHECK_FETCH_ALLOW_PRIVATE``) and the
connection made to the checked address; connect and read timeouts
(``FACTCHECK_FETCH_TIMEOUT``); redirects never followed; the answer read up to a small cap.

Signatures follow Standard Webhooks, made by its reference package: ``webhook-signature`` is
``v1,`` + base64 HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from articles.errors import FetchError
from articles.fetch import resolve_checked, user_agent

# Receivers answer with a short acknowledgement; more than this is read no further.
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def signed_headers(*, secret: str, webhook_id: str, timestamp: dt.datetime, body: str) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent(),
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, timestamp, body),
    }


def _target(url: str) -> tuple[str, str, int, str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url} is not an http or https address.")
    port = parts.port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port, parts.netloc.rpartition("@")[2], path


def send(*, url: str, secret: str, webhook_id: str, body: str, now: dt.datetime) -> SendResult:
    """POST the body; never raises for the receiver's or the network's failures, which come
    back as the result's ``error``."""
    started = time.monotonic()

    def result(status_code: int | None, error: str) -> SendResult:
        return SendResult(status_code, error, int((time.monotonic() - started) * 1000))

    try:
        scheme, host, port, host_header, path = _target(url)
        addresses = resolve_checked(host, port, url=url)
    except ValueError as exc:
        return result(None, str(exc))
    except FetchError as exc:
        return result(None, str(exc))
    headers = {
        **signed_headers(secret=secret, webhook_id=webhook_id, timestamp=now, body=body),
        "Host": host_header,
    }
    seconds = float(settings.FACTCHECK_FETCH_TIMEOUT)
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    error = ""
    for address in addresses:
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            # The checked address, with TLS verifying the certificate for the host name.
            pool = urllib3.HTTPSConnectionPool(
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
            pool = urllib3.HTTPConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1
            )
        try:
            response = pool.urlopen(
                "POST",
                path,
                body=body.encode("utf-8"),
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            response.read(MAX_ANSWER_BYTES, decode_content=False)
            response.release_conn()
            status = response.status
            if 300 <= status < 400:
                return result(
                    status, f"The receiver redirected ({status}); redirects are not followed."
                )
            if not 200 <= status < 300:
                return result(status, f"The receiver answered {status}.")
            return result(status, "")
        except urllib3.exceptions.NewConnectionError as exc:
            error = f"The connection to {host} ({address}) failed: {exc.__class__.__name__}."
            continue  # another checked address of the host may answer
        except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError):
            return result(None, f"The receiver did not answer within {seconds:g} seconds.")
        except urllib3.exceptions.SSLError as exc:
            return result(
                None, f"The secure connection to {host} failed ({exc.__class__.__name__})."
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return result(None, f"The connection to {host} failed: {exc.__class__.__name__}.")
        finally:
            pool.close()
    return result(None, error or f"No address of {host} could be reached.")
