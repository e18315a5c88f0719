"""The errors of fetching and reading URLs. One ``InvalidURL`` for every place a URL is
refused for its form: canonicalisation (a 400 in the API, a form error in the admin) and the
fetcher (a failed check recorded on the article) raise the same class.

Each error has a message for editors, which may name hosts and what they resolve to, and a
``public_message`` for anonymous readers and API keys: the reason alone, with no host, address
or URL in it (``Article.last_error_public``)."""

from __future__ import annotations


class FetchError(Exception):
    """A fetch that did not give us a usable response. ``retryable`` says whether trying again
    later may help (timeouts, 429, 5xx); ``retry_after`` is the server's wish, in seconds."""

    retryable = False
    public_reason = "the page could not be fetched"

    def __init__(self, message: str, *, url: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.url = url
        self.retry_after = retry_after

    @property
    def public_message(self) -> str:
        return self.public_reason


class InvalidURL(FetchError, ValueError):
    """Not an http or https URL, no host, a bad port, or not a URL at all."""

    public_reason = "refused: not an http or https address"


class CheckFailed(FetchError):
    """An unexpected exception during a check: a bug (text analysis raising ``KeyError``), the
    cache or the database out of reach, a worker's time limit. It is recorded on the article
    or feed like any failed fetch (error state, message, a next check with backoff), so a batch
    goes on with its next item and nothing is left ``pending`` with no word of why.

    Not retried by the task: the schedule's backoff checks the row again, and a bug does not
    mend itself in a minute."""

    public_reason = "the check failed on our side; it is tried again later"

    @classmethod
    def wrapping(cls, exc: BaseException, *, url: str = "") -> CheckFailed:
        detail = str(exc)
        named = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        return cls(f"The check failed unexpectedly ({named[:1000]}).", url=url)
