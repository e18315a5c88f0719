from django.contrib import admin
from django.urls import path

from factcheck import views

admin.site.site_header = "Factcheck — editors' desk"
admin.site.site_title = "Factcheck"
admin.site.index_title = "Articles, claims, sources and verdicts"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
]
