"""One canonical form per article URL, computed once on the way in (SPEC section 7, lookup)."""

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

from articles.errors import InvalidURL


# Newsroom tools ask about the same few articles again and again (the ones being read now):
# each process remembers the canonical form of the URLs it was asked about last. Invalid URLs
# raise and are not remembered. At most 2,048 entries of at most a request line each.
@lru_cache(maxsize=2048)
def canonicalize_url(url: str) -> str:
    """Lower-case host, no default port, no tracking parameters (utm_*, fbclid, gclid …),
    sorted query, no fragment, no trailing slash: every variant of one article's URL maps here.
    """
    candidate = (url or "").strip()
    try:
        # urlsplit refuses an unclosed "[" of an IPv6 host, .port a port out of range.
        parts = urlsplit(candidate)
        hostname, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in {"http", "https"} or not hostname:
        raise InvalidURL(f"{url!r} is not an http or https URL")
    try:
        normalized = normalize_url(candidate, trailing_slash=False)
    except (ValueError, TypeError) as exc:
        raise InvalidURL(f"{url!r} is not a valid URL: {exc}") from None
    scheme, netloc, path, query, _fragment = urlsplit(normalized)
    # courlan drops the trailing slash only when no query is left; "/story/?id=5" and
    # "/story?id=5" are the same article too.
    return urlunsplit((scheme, netloc, path.rstrip("/") or "/", query, ""))
