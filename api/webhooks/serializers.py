"""Input and output serializers of webhook subscriptions, their deliveries, and the events'
payloads (for the schema's ``webhooks`` section). Writes go through ``webhooks.services``."""

from rest_framework import serializers

from api.articles.serializers import ArticleOutputSerializer
from api.serializers import StrictCharField, StrictInputSerializer
from claims.documents import ClaimOutputSerializer, VerdictOutputSerializer
from core.events import EVENT_TYPES
from webhooks.models import DeliveryAttempt, Event, EventState, Subscription

EVENT_TYPES_HELP = "The events to send: " + ", ".join(f"`{name}`" for name in EVENT_TYPES) + "."


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), help_text=EVENT_TYPES_HELP
    )
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    paused = serializers.BooleanField(
        source="is_paused",
        help_text="Every delivery failed for 72 hours: nothing is sent until its owner resumes "
        "it (POST …/resume/); its events wait, pending.",
    )
    failing_since = serializers.DateTimeField(
        allow_null=True,
        help_text="The first failed attempt since the last delivered event, or null.",
    )
    paused_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "owner",
            "paused",
            "paused_at",
            "failing_since",
            "created_at",
            "updated_at",
        ]


class SubscriptionCreatedSerializer(SubscriptionOutputSerializer):
    secret = serializers.CharField(
        help_text="`whsec_` + base64 of 32 random bytes: verify each delivery's "
        "`webhook-signature` with it. Shown in this answer only, never again."
    )

    class Meta(SubscriptionOutputSerializer.Meta):
        fields = [*SubscriptionOutputSerializer.Meta.fields, "secret"]


class SubscriptionInputSerializer(StrictInputSerializer):
    url = StrictCharField(
        max_length=2000,
        help_text="An http or https URL on a public address (loopback and private addresses "
        "are refused unless the server allows them).",
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        help_text=EVENT_TYPES_HELP,
    )
    description = StrictCharField(max_length=200, required=False, allow_blank=True)


class SubscriptionUpdateInputSerializer(SubscriptionInputSerializer):
    url = StrictCharField(max_length=2000, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        required=False,
        help_text=EVENT_TYPES_HELP,
    )


class ResumedSerializer(serializers.Serializer):
    subscription = SubscriptionOutputSerializer()
    requeued = serializers.IntegerField(help_text="Pending events sent again now.")


class AttemptOutputSerializer(serializers.ModelSerializer):
    status_code = serializers.IntegerField(
        allow_null=True, help_text="The receiver's HTTP status; null when none came back."
    )
    error = serializers.CharField(help_text="Why it failed (empty when it succeeded).")
    duration_ms = serializers.IntegerField()

    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "status_code", "succeeded", "error", "duration_ms"]


class DeliveryOutputSerializer(serializers.ModelSerializer):
    """One event sent to the subscription, with every attempt at it."""

    webhook_id = serializers.CharField(
        help_text="The `webhook-id` header: the same on every retry of this event."
    )
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    state = serializers.ChoiceField(
        choices=EventState.choices,
        help_text="`pending` (to be sent, or retried at `next_attempt_at`), `delivered`, or "
        "`failed` (every retry failed).",
    )
    attempts = AttemptOutputSerializer(many=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "webhook_id",
            "type",
            "state",
            "created_at",
            "attempt_count",
            "next_attempt_at",
            "delivered_at",
            "last_error",
            "attempts",
        ]


# The events' payloads (the schema's webhooks) -----------------------------------------------


def _claim_event(name: str, fields: dict, doc: str) -> type[serializers.Serializer]:
    data = type(f"{name}Data", (ClaimOutputSerializer,), {**fields, "__doc__": doc})
    return type(
        f"{name}Event",
        (serializers.Serializer,),
        {
            "type": serializers.CharField(help_text="The event type."),
            "timestamp": serializers.DateTimeField(help_text="When the change happened."),
            "data": data(),
            "__doc__": doc,
        },
    )


def _status_fields() -> dict:
    fields = {
        "to": serializers.CharField(help_text="The new status."),
        "reason": serializers.CharField(help_text="What changed it."),
    }
    fields["from"] = serializers.CharField(help_text="The status before.")
    return fields


class EvidenceEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stance = serializers.CharField()
    source = serializers.JSONField(help_text="`{id, name}`")
    url = serializers.CharField()
    title = serializers.CharField()
    link_state = serializers.CharField()
    link_error = serializers.CharField()
    link_checked_at = serializers.DateTimeField(allow_null=True)


VERDICT_HELP = (
    "The verdict the event is about as editors see it (its working copy and review `state`); "
    "the claim's own `verdict` field shows only what is published."
)

CLAIM_EVENTS = {
    "claim.status_changed": _claim_event(
        "ClaimStatusChanged",
        _status_fields(),
        "A claim's computed status changed: the claim document, with `from`, `to` and `reason`.",
    ),
    "claim.flagged": _claim_event(
        "ClaimFlagged",
        {"reason": serializers.CharField(help_text="Why it needs review.")},
        "A claim was flagged as needing review: the claim document, with `reason`.",
    ),
    "verdict.submitted": _claim_event(
        "VerdictSubmitted",
        {"verdict": VerdictOutputSerializer(help_text=VERDICT_HELP)},
        "A verdict was submitted for review: the claim document, with `verdict`.",
    ),
    "verdict.published": _claim_event(
        "VerdictPublished",
        {"verdict": VerdictOutputSerializer(help_text=VERDICT_HELP)},
        "A verdict was published: the claim document, with `verdict`.",
    ),
    "verdict.returned": _claim_event(
        "VerdictReturned",
        {
            "verdict": VerdictOutputSerializer(help_text=VERDICT_HELP),
            "reason": serializers.CharField(help_text="Why it was returned."),
            "from": serializers.CharField(help_text="The review state it was returned from."),
        },
        "A verdict was returned to draft: the claim document, with `verdict`, `from` and `reason`.",
    ),
    "evidence.link_broken": _claim_event(
        "EvidenceLinkBroken",
        {"evidence": EvidenceEventSerializer()},
        "An evidence link was found broken: the claim document, with the `evidence`.",
    ),
    "candidate.likely_match": _claim_event(
        "CandidateLikelyMatch",
        {
            "candidate_id": serializers.IntegerField(),
            "article_id": serializers.IntegerField(),
        },
        "A new candidate is likely the same as this claim: the claim document, with the "
        "candidate and its article.",
    ),
}


class ArticleNewRevisionData(ArticleOutputSerializer):
    revision = serializers.IntegerField(help_text="The new revision's number.")

    class Meta(ArticleOutputSerializer.Meta):
        fields = [*ArticleOutputSerializer.Meta.fields, "revision"]


class ArticleNewRevisionEvent(serializers.Serializer):
    """An article got a new revision: the article object, with the revision's number."""

    type = serializers.CharField()
    timestamp = serializers.DateTimeField()
    data = ArticleNewRevisionData()
