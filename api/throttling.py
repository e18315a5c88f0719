import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The reader's address: the peer, unless the peer is one of ``FACTCHECK_TRUSTED_PROXIES``;
    then the last address in X-Forwarded-For that no trusted proxy added (the entries before it
    were written by the client and prove nothing). The login lockout uses it too."""
    meta = getattr(request, "META", request)
    peer = meta.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.FACTCHECK_TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous readers, by address, at ``FACTCHECK_ANON_RATE`` (None turns it off). Read at
    each request so tests and deployments can change it without a restart of the module."""

    def get_rate(self) -> str | None:
        return settings.FACTCHECK_ANON_RATE

    def get_ident(self, request) -> str:
        # DRF's own would take X-Forwarded-For from anyone: a new value per request, a new reader.
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        try:
            return super().allow_request(request, view)
        except Exception:
            # The counts live in the cache (Redis in production). Without it, readers are let
            # through unthrottled rather than refused with a 500: reads need only the database.
            logger.warning("Anonymous throttle skipped: the cache is unavailable.", exc_info=True)
            return True
