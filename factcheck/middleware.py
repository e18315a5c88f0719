"""The project's own middleware."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.urls import Resolver404, get_resolver

# Answers that are data, not documents: no browser renders them as a page that could run a
# script (they are served with these types and X-Content-Type-Options: nosniff).
DATA_TYPES = ("application/json", "application/ld+json", "text/csv")

API_READ_PREFIX = "/api/v1/"


class DocumentCSPMiddleware(CSPMiddleware):
    """django-csp's middleware for what a browser renders (pages, the API docs, SVG …), left
    out for JSON and CSV answers: a Content-Security-Policy governs what a document may load,
    and building it was a tenth of the Python time of an API read (bench/profile_api.py)."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(DATA_TYPES):
            return response
        return super().process_response(request, response)


class CookielessAPIReadMiddleware:
    """The short way for what newsroom tools do at volume: a GET or HEAD under /api/v1/
    without a session cookie goes from here straight to its view.

    Such a request has no session to load, no CSRF token to check (safe methods), no messages,
    no page to frame or to give a Content-Security-Policy, no history to attribute and no
    login to lock out: the middleware below this one would do nothing for it but still cost
    about as much as the view itself (bench/profile_api.py). The API's own contracts live in
    the views and DRF, not in that middleware: API keys, throttling, ETags and 304, and errors
    as JSON. It sits after the security and static-file middleware, which every answer goes
    through. A path that resolves to no view, a request with a session cookie (an editor's
    browser) and every write take the whole chain as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not request.path_info.startswith(API_READ_PREFIX)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        request.resolver_match = match
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Exception as exc:  # answered as Django answers any view's exception
            response = response_for_exception(request, exc)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response
