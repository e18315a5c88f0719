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


# Operations on one claim by id: a deleted or merged claim answers 410 (SPEC section 7).
CLAIM_GONE = {"410": "The claim was deleted or merged into another; the feed keeps its events."}


class AutoSchema(openapi.AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # Our list views are GenericAPIViews with a get() that paginates; say so, so the
        # schema documents the page wrapper, the cursor, page_size and the filters.
        if getattr(self.view, "is_list_view", False):
            return self.method == "GET"
        return super()._is_list_view(serializer)

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
        media_types = list(dict.fromkeys(["application/json", *self.map_renderers("media_type")]))
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, media_types)
                responses[code]["description"] = description
        return responses
