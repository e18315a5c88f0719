from django.contrib import admin
from django.urls import include, path

from articles import views as article_views
from claims import views as claim_views
from factcheck import dashboard, views

admin.site.site_header = "Factcheck — editors' desk"
admin.site.site_title = "Factcheck"
admin.site.index_title = "Articles, claims, sources and verdicts"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("django.contrib.auth.urls")),
    path("articles/<int:pk>/", article_views.article_review, name="article_review"),
    path(
        "articles/<int:pk>/claims/<int:claim_id>/evidence/",
        article_views.evidence_add,
        name="article_evidence_add",
    ),
    path(
        "articles/<int:pk>/claims/<int:claim_id>/assign/",
        article_views.claim_assign,
        name="article_claim_assign",
    ),
    path("review/", claim_views.review_queue, name="review"),
    path("review/verdicts/<int:pk>/publish/", claim_views.verdict_publish, name="verdict_publish"),
    path("review/verdicts/<int:pk>/return/", claim_views.verdict_return, name="verdict_return"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("claims/", claim_views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", claim_views.claim_public, name="claim_public"),
    path("admin/", admin.site.urls),
]
