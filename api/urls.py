"""Everything under /api/: the v1 endpoints of SPEC section 7, the schema and its docs."""

from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.articles import views as article_views
from api.claims import views as claim_views
from api.webhooks import views as webhook_views

app_name = "api"


class IdConverter:
    """A primary key: digits that fit a 64-bit integer. A longer number cannot be an id, and
    passing it to the database would overflow (a 500) instead of answering 404."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

# Patterns are tried in order: the reads tools make at volume come first.
endpoints = [
    path("claims/<id:pk>/", claim_views.ClaimDetailView.as_view(), name="claim-detail"),
    path("articles/lookup/", article_views.ArticleLookupView.as_view(), name="article-lookup"),
    path("articles/", article_views.ArticleListCreateView.as_view(), name="article-list"),
    path("articles/<id:pk>/", article_views.ArticleDetailView.as_view(), name="article-detail"),
    path(
        "articles/<id:pk>/candidates/",
        article_views.ArticleCandidatesView.as_view(),
        name="article-candidates",
    ),
    path("claims/", claim_views.ClaimListCreateView.as_view(), name="claim-list"),
    path("claims/match/", claim_views.ClaimMatchView.as_view(), name="claim-match"),
    path(
        "claims/<id:pk>/evidence/",
        claim_views.ClaimEvidenceView.as_view(),
        name="claim-evidence",
    ),
    path(
        "claims/<id:pk>/claimreview/",
        claim_views.ClaimReviewView.as_view(),
        name="claim-claimreview",
    ),
    path("evidence/", claim_views.EvidenceListView.as_view(), name="evidence-list"),
    path("sources/", claim_views.SourceListCreateView.as_view(), name="source-list"),
    path("sources/<id:pk>/", claim_views.SourceDetailView.as_view(), name="source-detail"),
    path("changes/", claim_views.ChangesFeedView.as_view(), name="changes"),
    path("analyse/", claim_views.AnalyseView.as_view(), name="analyse"),
    path("webhooks/", webhook_views.SubscriptionListCreateView.as_view(), name="webhook-list"),
    path(
        "webhooks/<id:pk>/", webhook_views.SubscriptionDetailView.as_view(), name="webhook-detail"
    ),
    path(
        "webhooks/<id:pk>/resume/",
        webhook_views.SubscriptionResumeView.as_view(),
        name="webhook-resume",
    ),
    path(
        "webhooks/<id:pk>/deliveries/",
        webhook_views.SubscriptionDeliveriesView.as_view(),
        name="webhook-deliveries",
    ),
]

urlpatterns = [
    # "v1/" written into each route rather than included: resolving goes one level less deep
    # (a tenth of the Python of a claim detail went to resolving its URL).
    *(
        path(f"v1/{endpoint.pattern}", endpoint.callback, name=endpoint.name)
        for endpoint in endpoints
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP to block.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
