"""The bare floor of bench/api.py: Django with nothing of ours. No installed apps, no
middleware (so no sessions, CSRF, authentication, CSP or history), one URL, Django's own
PostgreSQL backend with persistent connections and no health check (one query per request),
served by the same gunicorn."""

import os

import dj_database_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare_urls"
USE_TZ = True
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
