"""Settings for the test suite: the production settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-deployment")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

from factcheck.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests serve static files from the app folders; there is no collectstatic output to scan.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Django's test client logs in through authenticate() without a request, which the lockout's
# backend refuses; the lockout's own tests turn it on (tests/test_login_lockout.py).
AXES_ENABLED = False
