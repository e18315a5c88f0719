"""Input and output serializers of articles. Writes go through ``articles.services``."""

from rest_framework import serializers

from api.claims.serializers import ClaimOutputSerializer
from api.serializers import StrictCharField, StrictInputSerializer
from articles.models import Article, ArticleRevision, ArticleState

# The article object of SPEC section 7, in this order: its own columns, then ``claims`` from
# its document. The fast reads (api/reads.py, api/articles/views.py ``article_head``) and the
# schema below both take the fields from here.
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "publisher",
    "published_at",
    "state",
    "last_error",
    "last_checked_at",
    "next_check_at",
    "revision_count",
)
ARTICLE_DATETIMES = frozenset({"published_at", "last_checked_at", "next_check_at"})


class ArticleFieldsSerializer(serializers.ModelSerializer):
    """The article's own columns; ``claims`` come from its document."""

    class Meta:
        model = Article
        fields = list(ARTICLE_FIELDS)
        extra_kwargs = {
            "last_error": {
                "help_text": "Why the last check failed. Anonymous readers and API keys get the "
                "reason only (“refused: not a public address”); signed-in staff get the full "
                "detail, which may name hosts and addresses."
            }
        }


class ArticleOutputSerializer(ArticleFieldsSerializer):
    """For the schema: the article object as the API returns it."""

    claims = ClaimOutputSerializer(many=True)

    class Meta(ArticleFieldsSerializer.Meta):
        fields = [*ARTICLE_FIELDS, "claims"]


class RevisionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleRevision
        fields = ["number", "title", "fingerprint", "fetched_at"]


class ArticleDetailOutputSerializer(ArticleOutputSerializer):
    text = serializers.CharField(allow_null=True, help_text="The current revision's text.")
    revisions = RevisionOutputSerializer(many=True)

    class Meta(ArticleOutputSerializer.Meta):
        fields = [*ArticleOutputSerializer.Meta.fields, "text", "revisions"]


class ArticleIngestInputSerializer(StrictInputSerializer):
    url = StrictCharField(max_length=2000, help_text="An http or https URL of a news article.")


class ArticleQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    canonical_url = serializers.CharField()
    state = serializers.ChoiceField(choices=ArticleState.choices)
    created = serializers.BooleanField(help_text="False when the article was already known.")
