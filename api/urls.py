"""Everything under /api/: the v1 endpoints of SPEC section 7, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from articles.api import views as article_views
from claims.api import views as claim_views

app_name = "api"

v1 = [
    path("articles/", article_views.ArticleListCreateView.as_view(), name="article-list"),
    path("articles/lookup/", article_views.ArticleLookupView.as_view(), name="article-lookup"),
    path("articles/<int:pk>/", article_views.ArticleDetailView.as_view(), name="article-detail"),
    path("claims/", claim_views.ClaimListCreateView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", claim_views.ClaimDetailView.as_view(), name="claim-detail"),
    path(
        "claims/<int:pk>/evidence/",
        claim_views.ClaimEvidenceView.as_view(),
        name="claim-evidence",
    ),
    path(
        "claims/<int:pk>/claimreview/",
        claim_views.ClaimReviewView.as_view(),
        name="claim-claimreview",
    ),
    path("sources/", claim_views.SourceListCreateView.as_view(), name="source-list"),
    path("sources/<int:pk>/", claim_views.SourceDetailView.as_view(), name="source-detail"),
    path("changes/", claim_views.ChangesFeedView.as_view(), name="changes"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
