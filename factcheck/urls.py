from django.contrib import admin
from django.urls import include, path

from factcheck import views

admin.site.site_header = "Factcheck — editors' desk"
admin.site.site_title = "Factcheck"
admin.site.index_title = "Articles, claims, sources and verdicts"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]

# JSON errors under /api/ (tools parse them), Django's pages elsewhere.
handler404 = "api.exceptions.json_not_found"
handler500 = "api.exceptions.json_server_error"
