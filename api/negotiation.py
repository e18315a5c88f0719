"""Content negotiation with a short way for the common case."""

from rest_framework.negotiation import DefaultContentNegotiation

# What tools send when any answer will do, or the API's own type.
_PLAIN_ACCEPT = frozenset({"*/*", "application/json"})


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a request with no ``format`` parameter accepting
    anything (or JSON, when JSON is the view's first renderer) gets the first renderer at
    once, without parsing the header into media types: the answer DRF would give anyway."""

    def select_renderer(self, request, renderers, format_suffix=None):
        django_request = request._request
        # Without a query string there is no ``format`` to look for (nor a query to parse).
        if not format_suffix and (
            not django_request.META.get("QUERY_STRING")
            or self.settings.URL_FORMAT_OVERRIDE not in django_request.GET
        ):
            accept = django_request.META.get("HTTP_ACCEPT", "*/*").strip()
            first = renderers[0]
            if accept in _PLAIN_ACCEPT and (
                accept != "application/json" or first.media_type == accept
            ):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
