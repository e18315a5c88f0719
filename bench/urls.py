from django.urls import path

from bench.floor import floor
from factcheck.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/floor/<int:pk>/", floor), *app_urlpatterns]
