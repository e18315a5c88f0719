"""The events' payloads in the OpenAPI schema, one per event type: what a subscriber
receives, signed (SPEC section 10). drf-spectacular writes them as OpenAPI 3.1's ``webhooks``;
our schema is OpenAPI 3.0, where the same object goes under ``x-webhooks`` (the extension
ReDoc reads), so the document stays valid 3.0."""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema

from api.webhooks.serializers import CLAIM_EVENTS, ArticleNewRevisionEvent

DELIVERY = (
    "POSTed to each subscription that wants this event, as JSON `{type, timestamp, data}`, "
    "with the Standard Webhooks headers `webhook-id` (the same on every retry of the event), "
    "`webhook-timestamp` (seconds since the epoch, of this attempt) and `webhook-signature` "
    "(`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the "
    "subscription's secret). Answer 2xx within the timeout; anything else is retried with "
    "growing delays."
)
ACK = {200: OpenApiResponse(description="Received (any 2xx).")}


def _hook(event_type: str, serializer) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=event_type,
            description=f"{(serializer.__doc__ or '').strip()}\n\n{DELIVERY}",
            request=serializer,
            responses=ACK,
        ),
    )


# One name per event type: SPECTACULAR_SETTINGS["WEBHOOKS"] lists them by import path.
CLAIM_STATUS_CHANGED = _hook("claim.status_changed", CLAIM_EVENTS["claim.status_changed"])
CLAIM_FLAGGED = _hook("claim.flagged", CLAIM_EVENTS["claim.flagged"])
VERDICT_SUBMITTED = _hook("verdict.submitted", CLAIM_EVENTS["verdict.submitted"])
VERDICT_PUBLISHED = _hook("verdict.published", CLAIM_EVENTS["verdict.published"])
VERDICT_RETURNED = _hook("verdict.returned", CLAIM_EVENTS["verdict.returned"])
EVIDENCE_LINK_BROKEN = _hook("evidence.link_broken", CLAIM_EVENTS["evidence.link_broken"])
CANDIDATE_LIKELY_MATCH = _hook("candidate.likely_match", CLAIM_EVENTS["candidate.likely_match"])
ARTICLE_NEW_REVISION = _hook("article.new_revision", ArticleNewRevisionEvent)

EVENT_WEBHOOKS = [
    "CLAIM_STATUS_CHANGED",
    "CLAIM_FLAGGED",
    "VERDICT_SUBMITTED",
    "VERDICT_PUBLISHED",
    "VERDICT_RETURNED",
    "EVIDENCE_LINK_BROKEN",
    "CANDIDATE_LIKELY_MATCH",
    "ARTICLE_NEW_REVISION",
]


def webhooks_as_extension(result, generator, request, public):
    """drf-spectacular post-processing hook: ``webhooks`` becomes ``x-webhooks`` in a 3.0
    schema (3.0 allows only ``x-`` keys beside its own)."""
    if str(result.get("openapi", "")).startswith("3.0") and "webhooks" in result:
        result["x-webhooks"] = result.pop("webhooks")
    return result
