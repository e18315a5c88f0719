"""The base of every API view: ETags and 304 on reads, If-Match parsing for writes."""

import hashlib
import json
import re

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from rest_framework import generics, views
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings

from api.exceptions import PreconditionFailed

# The request headers that can make an answer conditional (RFC 9110 section 13.1).
_CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# The body depends on who asks (draft verdicts for editors only).
_VARY = ("Authorization", "Cookie")


class ConditionalMixin:
    # Every successful GET carries an ETag (the document's version where the view sets one,
    # otherwise a hash of the body) and answers 304 to a matching If-None-Match.

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A streamed export has no body to hash before it is sent: no ETag.
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
        ):
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if not response.has_header("ETag"):
                set_response_etag(response)
            if response.has_header("Vary"):
                patch_vary_headers(response, _VARY)
            else:  # what patch_vary_headers would write, without parsing a header first
                response.headers["Vary"] = ", ".join(_VARY)
            meta = request._request.META
            # Most reads ask nothing conditional: no header to parse and compare.
            if any(header in meta for header in _CONDITIONAL_HEADERS):
                not_modified = get_conditional_response(
                    request._request, etag=response["ETag"], response=response
                )
                if not_modified is not None:
                    return not_modified
        return response

    def _allowed_methods(self) -> list[str]:
        # The methods a view class has never change: DRF asks for them on every answer (its
        # Allow header), and Django works them out again each time.
        methods = type(self).__dict__.get("_allowed_methods_of_class")
        if methods is None:
            methods = super()._allowed_methods()
            type(self)._allowed_methods_of_class = methods
        return list(methods)


class CSVRenderer(BaseRenderer):
    """Lets content negotiation choose CSV (``Accept: text/csv`` or ``?format=csv``) on the
    lists that export. Those views answer it with a streamed response of their own
    (``claims.exports``); errors are sent as JSON (``api.exceptions.exception_handler``), so
    nothing is ever rendered here."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise TypeError("CSV is streamed by the list views, never rendered from data.")


class CSVListMixin:
    """The lists that also answer CSV (SPEC section 10), to GET: JSON stays the default for
    any Accept that does not ask for CSV (*/*, a browser's, none), and any other method
    answers JSON whatever was asked (a write's answer, a 405)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        chosen = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        formats = [renderer.format for renderer in self.renderer_classes]
        if chosen is not None and chosen not in formats and not force:
            # DRF would ignore an empty one and answer an unknown one 404: both are mistakes.
            raise ValidationError({"format": [f"One of {', '.join(formats)}; got {chosen!r}."]})
        renderer, media_type = super().perform_content_negotiation(request, force)
        if isinstance(renderer, CSVRenderer) and request.method not in ("GET", "HEAD"):
            return JSONRenderer(), JSONRenderer.media_type
        return renderer, media_type

    def csv_requested(self, request) -> bool:
        """Whether to answer with the whole list as CSV. Its pagination parameters are
        ignored, but still checked: a malformed one is a mistake in the caller's URL (400),
        in CSV as in JSON."""
        if request.accepted_renderer.format != "csv":
            return False
        paginator = self.paginator
        if paginator is not None:
            paginator.get_page_size(request)
            paginator.decode_cursor(request)
        return True


class APIView(ConditionalMixin, views.APIView):
    pass


class GenericAPIView(ConditionalMixin, generics.GenericAPIView):
    pass


_CLAIM_ETAG = re.compile(r'^(?:W/)?"c(?P<claim>\d+)\.(?P<version>\d+)\.')
_BARE_VERSION = re.compile(r'^(?:W/)?"?(?P<version>\d+)"?$')


def expected_claim_version(request, claim_id: int) -> int | None:
    """The claim version the client based its write on, from If-Match: either the ETag of
    the claim (``GET /claims/{id}/``) or the bare version number. None when absent or ``*``."""
    header = request.META.get("HTTP_IF_MATCH", "").strip()
    if not header or header == "*":
        return None
    match = _CLAIM_ETAG.match(header)
    if match and int(match["claim"]) == claim_id:
        return int(match["version"])
    match = _BARE_VERSION.match(header)
    if match:
        return int(match["version"])
    raise PreconditionFailed(
        f"If-Match {header!r} is not a version of claim {claim_id}: send the ETag of "
        f"GET /api/v1/claims/{claim_id}/ or the claim's version number."
    )


def claim_etag(
    claim_id: int, claim_version: int, document_version: int, working_verdicts: bool
) -> str:
    audience = "e" if working_verdicts else "p"
    return f'"c{claim_id}.{claim_version}.{document_version}.{audience}"'


def paginated_documents(paginator, bodies, *, versions: list[str] | None = None) -> HttpResponse:
    """A cursor page of bodies that are already JSON (status documents): spliced in rather
    than parsed and re-encoded, which is most of the cost of a list of 50.

    With ``versions`` (what names each document's version, and the audience), the ETag is a
    hash of those and of the links, which are all the body is made of, rather than of the body
    itself (``ConditionalMixin``): hashing 50 documents was a tenth of such a page's time."""
    next_link = json.dumps(paginator.get_next_link())
    previous_link = json.dumps(paginator.get_previous_link())
    body = f'{{"next":{next_link},"previous":{previous_link},"results":[{",".join(bodies)}]}}'
    response = HttpResponse(body, content_type="application/json")
    if versions is not None:
        key = f"{next_link} {previous_link} {' '.join(versions)}"
        response["ETag"] = f'"l{hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()}"'
    return response
