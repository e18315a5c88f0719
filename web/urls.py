"""The pages (SPEC section 8) and the site's own small routes."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web import articles as article_views
from web import claims as claim_views
from web import dashboard, inbox, site, verdicts

urlpatterns = [
    path("", site.home, name="home"),
    path("healthz", site.healthz, name="healthz"),
    path("favicon.ico", site.favicon),
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
    path("articles/", inbox.article_inbox, name="article_inbox"),
    path("articles/<int:pk>/row/", inbox.article_row, name="article_row"),
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
    path("sources/choices/", article_views.source_choices, name="source_choices"),
    path("review/", claim_views.review_queue, name="review"),
    path("review/verdicts/<int:pk>/publish/", verdicts.verdict_publish, name="verdict_publish"),
    path("review/verdicts/<int:pk>/return/", verdicts.verdict_return, name="verdict_return"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("claims/", claim_views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", claim_views.claim_public, name="claim_public"),
    path("claims/<int:pk>/edit/", verdicts.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/verdict/", verdicts.verdict_save, name="verdict_save"),
    path("claims/<int:pk>/notes/", verdicts.note_add, name="note_add"),
    path("claims/notes/<int:pk>/edit/", verdicts.note_edit, name="note_edit"),
]
