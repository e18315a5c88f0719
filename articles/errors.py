"""The errors of fetching and reading URLs. One ``InvalidURL`` for every place a URL is
refused for its form: canonicalisation (a 400 in the API, a form error in the admin) and the
fetcher (a failed check recorded on the article) raise the same class."""


class FetchError(Exception):
    """A fetch that did not give us a usable response. ``retryable`` says whether trying again
    later may help (timeouts, 429, 5xx); ``retry_after`` is the server's wish, in seconds."""

    retryable = False

    def __init__(self, message: str, *, url: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.url = url
        self.retry_after = retry_after


class InvalidURL(FetchError, ValueError):
    """Not an http or https URL, no host, a bad port, or not a URL at all."""
