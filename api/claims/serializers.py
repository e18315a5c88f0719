"""Input and output serializers of claims, evidence, sources and the changes feed.

Output serializers only shape data; input serializers only validate it. Writes go through
``claims.services``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import StrictCharField, StrictInputSerializer
from articles.models import Article
from claims.documents import ClaimOutputSerializer, SourceRefSerializer
from claims.models import ClaimChange, Evidence, Source, SourceKind, Stance


class SourceOutputSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="alias",
        help_text="Other names the source goes by; a claimant resolves through them.",
    )

    class Meta:
        model = Source
        fields = ["id", "name", "kind", "parent", "aliases", "url", "created_at", "updated_at"]


class EvidenceOutputSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "stance",
            "source",
            "url",
            "title",
            "quote",
            "published_at",
            "link_state",
            "link_checked_at",
            "created_at",
            "updated_at",
        ]


# The actor of a change no person made (SPEC section 3: every change records who).
SYSTEM_ACTOR = "system"


class ClaimChangeOutputSerializer(serializers.ModelSerializer):
    cursor = serializers.CharField(
        source="id", help_text="Pass the last one you saw as ?after= to get what follows."
    )
    from_value = serializers.CharField(
        help_text="Status, or verdict review state; empty when there was none."
    )
    to_value = serializers.CharField(
        help_text="The new status or review state; for field `claim`, `deleted` or `merged` "
        "(the claim's last event), and for a deleted verdict, `deleted`."
    )
    merged_into = serializers.IntegerField(
        allow_null=True, help_text="For a `merged` event: the claim it was merged into."
    )
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.SerializerMethodField(
        help_text="Who made the change: `system` when no person did (a rule change applied "
        "to every claim, a background job); otherwise the user's name for signed-in staff "
        "and `staff` for everyone else."
    )

    class Meta:
        model = ClaimChange
        fields = [
            "cursor",
            "claim",
            "field",
            "from_value",
            "to_value",
            "rating_label",
            "reason",
            "merged_into",
            "actor",
            "at",
        ]

    def get_actor(self, change: ClaimChange) -> str:
        if change.actor_id is None:
            return SYSTEM_ACTOR
        # Staff names are the newsroom's internal business: the public learns only that a
        # person made the change.
        if not self.context.get("staff_names"):
            return "staff"
        return change.actor.get_username() if change.actor is not None else SYSTEM_ACTOR


class FigureOutputSerializer(serializers.Serializer):
    # Numbers as decimal strings, as stored: "11000", "2.5" (no binary rounding).
    value = serializers.CharField(allow_null=True)
    low = serializers.CharField(allow_null=True)
    high = serializers.CharField(allow_null=True)
    qualifier = serializers.CharField(allow_blank=True, help_text="about, over, under … or empty")
    unit = serializers.CharField(allow_blank=True)


class CandidateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(help_text="The sentence.")
    score = serializers.FloatField(min_value=0, max_value=1)
    features = serializers.JSONField(help_text="What made it check-worthy.")
    suggested_claimant = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    quantities = serializers.SerializerMethodField(
        help_text="The same as `figures`, under the name v1 first gave them; kept in v1."
    )
    state = serializers.ChoiceField(choices=["new", "accepted", "rejected"])
    matched_claim = serializers.IntegerField(source="matched_claim_id", allow_null=True)
    likely_same = serializers.BooleanField(
        source="match_likely_same",
        help_text="The matched claim is likely the same claim: set only where such matches "
        "were right at least 9 times in 10 on public benchmarks (false without a match).",
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_suggested_claimant(self, candidate) -> str | None:
        return candidate.suggested_claimant or None

    @extend_schema_field(FigureOutputSerializer(many=True))
    def get_figures(self, candidate) -> list[dict]:
        fields = ("value", "low", "high", "qualifier", "unit")
        return [{name: figure.get(name) for name in fields} for figure in candidate.figures]

    @extend_schema_field(FigureOutputSerializer(many=True))
    def get_quantities(self, candidate) -> list[dict]:
        return self.get_figures(candidate)


class MatchResultSerializer(serializers.Serializer):
    claim = ClaimOutputSerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
    likely_same = serializers.BooleanField(
        help_text="Likely the same claim: set only where such matches were right at least 9 "
        "times in 10 on public benchmarks (the learned re-ranker's calibrated flag)."
    )


class MatchOutputSerializer(serializers.Serializer):
    results = MatchResultSerializer(many=True, help_text="Best first.")


class AnalysedFigureSerializer(FigureOutputSerializer):
    text = serializers.CharField(help_text="The figure as written.")


class SentenceMatchSerializer(serializers.Serializer):
    claim = serializers.IntegerField(help_text="The id of a claim on record.")
    score = serializers.FloatField(min_value=0, max_value=1)
    likely_same = serializers.BooleanField(
        help_text="Set only where such matches were right at least 9 times in 10 on public "
        "benchmarks."
    )


class AnalysedSentenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="Character offset into the text sent.")
    end = serializers.IntegerField()
    score = serializers.FloatField(min_value=0, max_value=1, help_text="Check-worthiness.")
    check_worthy = serializers.BooleanField(help_text="The candidate threshold applied.")
    features = serializers.JSONField(help_text="What made it check-worthy, with weights.")
    claimant = serializers.CharField(allow_null=True, help_text="The name as found.")
    claimant_source = serializers.IntegerField(
        allow_null=True, help_text="The source that name resolves to (names and aliases)."
    )
    figures = AnalysedFigureSerializer(many=True)
    matches = SentenceMatchSerializer(
        many=True, help_text="At most 3, best first; only for check-worthy sentences."
    )


class AnalysisOutputSerializer(serializers.Serializer):
    sentences = AnalysedSentenceSerializer(many=True)


# Input ------------------------------------------------------------------------------------


class AnalyseInputSerializer(StrictInputSerializer):
    text = StrictCharField(
        max_length=100_000, trim_whitespace=False, help_text="An article or a draft."
    )


class MatchInputSerializer(StrictInputSerializer):
    text = StrictCharField(max_length=5000, help_text="A statement to look for among claims.")
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=10)


class AppearanceInputSerializer(StrictInputSerializer):
    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.all())
    quote = StrictCharField(
        help_text="Copied exactly from the article's current text; anchored there."
    )


# At most this many parties in ``about``: a claim is about a few parties, never hundreds.
MAX_ABOUT = 20


def about_field() -> serializers.ListField:
    # A ListField, not ``many=True``: it refuses an object ({"id": 3}) instead of reading its
    # keys as ids, and bounds the length.
    return serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Source.objects.all()),
        required=False,
        max_length=MAX_ABOUT,
        help_text=f"At most {MAX_ABOUT} ids of the sources (parties) the claim is about, such "
        "as the Government of Russia for “Russian forces killed wounded North Korean "
        "soldiers”: their evidence, and that of the bodies under them, is not independent. "
        "An empty list clears them.",
    )


class ClaimCreateInputSerializer(StrictInputSerializer):
    statement = StrictCharField(max_length=5000)
    claimant = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    about = about_field()
    appearances = AppearanceInputSerializer(many=True, required=False)


class ClaimUpdateInputSerializer(StrictInputSerializer):
    statement = StrictCharField(max_length=5000, required=False)
    claimant = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False)
    about = about_field()
    needs_review = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Nothing to change: send statement, claimant, about or needs_review."
            )
        return attrs


class EvidenceInputSerializer(StrictInputSerializer):
    stance = serializers.ChoiceField(choices=Stance.choices)
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    url = serializers.URLField(max_length=2000)
    title = StrictCharField(max_length=500)
    quote = StrictCharField(required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SourceInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=300)
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.all(), required=False, allow_null=True, default=None
    )
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    description = StrictCharField(required=False, allow_blank=True, default="")
