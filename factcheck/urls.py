from django.contrib import admin
from django.contrib.auth import views as auth_views
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
    # Django's own login views. Password reset by email is left out: there is no outgoing
    # mail here, and an editor resets a colleague's password in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
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
    path(
        "articles/<int:pk>/candidates/<int:candidate_id>/accept/",
        article_views.candidate_accept,
        name="article_candidate_accept",
    ),
    path(
        "articles/<int:pk>/candidates/<int:candidate_id>/reject/",
        article_views.candidate_reject,
        name="article_candidate_reject",
    ),
    path(
        "articles/<int:pk>/candidates/<int:candidate_id>/attach/",
        article_views.candidate_attach,
        name="article_candidate_attach",
    ),
    path("review/", claim_views.review_queue, name="review"),
    path("review/verdicts/<int:pk>/publish/", claim_views.verdict_publish, name="verdict_publish"),
    path("review/verdicts/<int:pk>/return/", claim_views.verdict_return, name="verdict_return"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("claims/", claim_views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", claim_views.claim_public, name="claim_public"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]

# JSON errors under /api/ (tools parse them), Django's pages elsewhere.
handler400 = "api.exceptions.json_bad_request"
handler404 = "api.exceptions.json_not_found"
handler500 = "api.exceptions.json_server_error"
