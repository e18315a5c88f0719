"""OpenAPI generation: every operation documents the error answers it can give, in the one
error shape of ``api.exceptions``, so generated clients and schemathesis know them."""

from drf_spectacular import openapi

from api.serializers import ErrorSerializer

ERRORS_ALWAYS = {
    "400": "Bad input: a malformed query parameter, filter value, cursor or page size.",
    "401": "The API key is unknown, revoked or expired.",
    "403": "Not allowed for this key or role.",
    "404": "Not found.",
    "406": "The Accept header asks for a format this endpoint does not produce.",
    "429": "Too many anonymous requests; retry after the Retry-After seconds.",
}
ERRORS_ON_WRITE = {
    "400": "Invalid body: bad JSON, unknown field, wrong type, unknown id, or a quote that is "
    "not in the article.",
    "409": "Conflicts with the current state (a concurrent insert, a review rule).",
    "412": "If-Match names a version of the claim that is no longer current.",
    "415": "The body is not application/json.",
}


CSV = "text/csv"
CSV_BODY = {
    "schema": {
        "type": "string",
        "description": "The whole filtered list as CSV (UTF-8, a header row, every row: no "
        "pagination), nested fields flattened; the columns are listed in the README.",
    }
}

# Operations on one claim by id: a deleted or merged claim answers 410 (SPEC section 7).
CLAIM_GONE = {"410": "The claim was deleted or merged into another; the feed keeps its events."}


class AutoSchema(openapi.AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # Our list views are GenericAPIViews with a get() that paginates; say so, so the
        # schema documents the page wrapper, the cursor, page_size and the filters.
        if getattr(self.view, "is_list_view", False):
            return self.method == "GET"
        return super()._is_list_view(serializer)

    def _get_format_parameters(self):
        # ?format=csv exports a list (api.views.CSVListMixin); other methods answer JSON only.
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = "`csv` for the whole filtered list as CSV."
        return parameters if self.method == "GET" else []

    def get_auth(self):
        auth = super().get_auth()
        open_post = getattr(self.view, "write_permissions", {}).get(self.method) == []
        if (self.method in ("GET", "HEAD") or open_post) and {} not in auth:
            auth.append({})  # Reads are open to anonymous users (published data only).
        return auth

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS_ALWAYS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(ERRORS_ON_WRITE)
        if self.path.startswith("/api/v1/claims/{id}/"):
            errors.update(CLAIM_GONE)
        # Errors raised before the view is chosen (an unknown URL) are always plain JSON; the
        # view's own errors use its renderer (JSON-LD for ClaimReview).
        # A list asked for as CSV answers its errors in JSON (api.exceptions.exception_handler).
        media_types = list(
            dict.fromkeys(
                ["application/json", *(m for m in self.map_renderers("media_type") if m != CSV)]
            )
        )
        for response in responses.values():
            if CSV in response.get("content", {}):
                if self.method == "GET":
                    response["content"][CSV] = CSV_BODY
                else:  # api.views.CSVListMixin: only a GET answers CSV
                    del response["content"][CSV]
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, media_types)
                responses[code]["description"] = description
        return responses
