"""The project's routes: the admin, the API and the pages, each owned by its layer."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Factcheck — editors' desk"
admin.site.site_title = "Factcheck"
admin.site.index_title = "Articles, claims, sources and verdicts"

urlpatterns = [
    # The API first: its reads are most of the traffic, and patterns are tried in order.
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
]

# JSON errors under /api/ (tools parse them), Django's pages elsewhere.
handler400 = "api.exceptions.json_bad_request"
handler404 = "api.exceptions.json_not_found"
handler500 = "api.exceptions.json_server_error"
