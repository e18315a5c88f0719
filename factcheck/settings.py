"""Settings for the fact-tracking app, read from the environment (SPEC section 9).

``DJANGO_DEBUG`` is off unless set; ``make run`` turns it on. Production starts refuse to run
without ``DJANGO_SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from factcheck.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_number,
    env_rate,
    env_seconds_list,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FACTCHECK_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set DJANGO_SECRET_KEY to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    # Needed by its admin base class, which our key admin extends; our keys live in api.APIKey.
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    # The layers, lowest first; each imports only those listed before it (and ``core``, below
    # them all). pyproject.toml's import contract checks the order.
    "articles",
    "claims",
    "pipeline",
    # Beside the pipeline: it listens to the claims' and articles' events, below the pages
    # and the API, which manage its subscriptions.
    "webhooks",
    "web",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # API reads without a session cookie go from here to their view (factcheck/middleware.py).
    "factcheck.middleware.CookielessAPIReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp on pages; JSON and CSV answers carry no policy (factcheck/middleware.py).
    "factcheck.middleware.DocumentCSPMiddleware",
    # Sets request.htmx, so a view answers an htmx request with the fragment it swaps.
    "django_htmx.middleware.HtmxMiddleware",
    # Records the logged-in user as the author of every historical record.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default so a fresh clone runs with nothing installed; DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that polls the socket instead of running SELECT 1
    # before each request's first query (core/db/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"
    # psycopg may prepare statements (Django leaves it off): only the server-binding cursors of
    # the API's hot reads ask for it (api/reads.py); Django's own cursors bind on the client.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write at the same time: WAL lets readers go on
    # while one writes, IMMEDIATE transactions take the write lock up front (no deadlocking
    # lock upgrade), and the timeout waits for the lock instead of failing "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# A cache shared by every process (web workers, Celery workers) when REDIS_CACHE_URL is set:
# the anonymous API throttle counts across gunicorn workers and robots.txt is fetched once per
# site, not once per process. Without it, each process keeps its own memory cache.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# History pages only show past versions: a revert would write around the services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Brute-force protection (django-axes) on every login, the admin's and the pages': after
# FACTCHECK_LOGIN_FAILURE_LIMIT failures a username, and separately an address, is locked out
# for FACTCHECK_LOGIN_COOLOFF_MINUTES. Its backend comes first so a locked-out login is refused
# before the password is checked; the address is the throttle's (trusted proxies only).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("FACTCHECK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("FACTCHECK_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "api.throttling.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no banner before every management command's own output

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "review"
LOGOUT_REDIRECT_URL = "home"

# Security headers and cookies: strict unless DEBUG (local development over plain http).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): every script and style is a file served from static/,
# so the policy allows our own origin only and no inline code; an injected <script> or
# on*-handler in an article's text or a source's name would not run. data: images are for the
# admin's inline SVG icons. JSON-LD is a data block, never executed, so it needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
    # HSTS makes browsers refuse plain http to the site for a year: sent only by a deployment
    # that insists on https itself, never by one still reachable over http.
    if SECURE_SSL_REDIRECT:
        SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
        SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Celery: Redis in production (CELERY_BROKER_URL); without it, an embedded broker that keeps
# messages in files under var/, so `make run` needs no broker server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    # Where the transport keeps its exchange bindings (else a "control" folder in the cwd).
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_queue_dir),
        data_folder_out=str(_queue_dir),
        control_folder=str(_control_dir),
        store_processed=False,
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# With Redis, a message taken by a worker that never acknowledged it (kill -9, a lost machine)
# goes back to the queue after visibility_timeout, by default an hour. A minute above the
# longest time limit: a task still running is never handed to a second worker, and one whose
# worker died runs again within minutes. A retry scheduled further ahead than this (countdown)
# may be delivered twice; the tasks are idempotent (SPEC section 5).
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_TASK_TIME_LIMIT + 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Static beat entries: each dispatches the due rows in batches, one task per row (SPEC 5).
CELERY_BEAT_SCHEDULE: dict = {
    "dispatch-due-articles": {
        "task": "articles.tasks.dispatch_due_articles",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "dispatch-due-feeds": {
        "task": "articles.tasks.dispatch_due_feeds",
        "schedule": 120.0,
        "options": {"expires": 115},
    },
    "dispatch-evidence-checks": {
        "task": "claims.tasks.dispatch_evidence_checks",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Webhook events whose task the broker lost (or never got: it was down at commit) and
    # retries due too far ahead for a countdown (SPEC section 10).
    "dispatch-due-webhooks": {
        "task": "webhooks.tasks.dispatch_due_events",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Product settings (SPEC sections 4, 5 and 9).
FACTCHECK_SECOND_REVIEW = env_bool("FACTCHECK_SECOND_REVIEW", True)
FACTCHECK_FETCH_ALLOW_PRIVATE = env_bool("FACTCHECK_FETCH_ALLOW_PRIVATE", False)
FACTCHECK_FETCH_TIMEOUT = env_number("FACTCHECK_FETCH_TIMEOUT", 20, minimum=0.1)
FACTCHECK_FETCH_MAX_BYTES = env_int("FACTCHECK_FETCH_MAX_BYTES", 10_000_000, minimum=1)
FACTCHECK_FETCH_DOMAIN_DELAY = env_number("FACTCHECK_FETCH_DOMAIN_DELAY", 1)
FACTCHECK_ANON_RATE = env_rate("FACTCHECK_ANON_RATE", "60/min")
# The reverse proxies in front of the app: X-Forwarded-For is believed only from them, else any
# reader could name a new address per request and never be throttled or locked out.
FACTCHECK_TRUSTED_PROXIES = env_networks("FACTCHECK_TRUSTED_PROXIES")
if FACTCHECK_TRUSTED_PROXIES:
    # Behind a proxy that ends TLS, its X-Forwarded-Proto says whether the reader used https.
    # Without one, a reader could send the header and make a plain-http request look secure.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Webhook retries (SPEC section 10): the delay before each retry after a failed delivery, in
# seconds; when they run out the event is given up. 10 s, 1 min, 10 min, 1 h, 6 h, 24 h.
FACTCHECK_WEBHOOK_RETRY_DELAYS = env_seconds_list(
    "FACTCHECK_WEBHOOK_RETRY_DELAYS", [10, 60, 600, 3600, 21600, 86400]
)
FACTCHECK_NEWSROOM_NAME = os.environ.get("FACTCHECK_NEWSROOM_NAME", "Factcheck Desk")
FACTCHECK_NEWSROOM_URL = os.environ.get("FACTCHECK_NEWSROOM_URL", "http://127.0.0.1:8000/")

# The REST API (SPEC section 7). JSON in and out only; API keys first so an anonymous write is
# told to authenticate with a 401 naming the Api-Key scheme; reads are open (anonymous users see
# statuses and published verdicts only) and writes need write scope or the role's permission.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.APIKeyAuthentication",
        "api.authentication.CookieSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Factcheck API",
    "DESCRIPTION": (
        "Verification status of the claims in news articles, for newsroom tools. "
        "Authenticate with `Authorization: Api-Key <key>` (keys are created in the admin) "
        "or a browser session; anonymous users read statuses and published verdicts only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from our static files (the sidecar), not a CDN: the CSP allows 'self' only.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.ClaimStatus",
        "StanceEnum": "claims.models.Stance",
        "SourceKindEnum": "claims.models.SourceKind",
        "ArticleStateEnum": "articles.models.ArticleState",
        "AnchorStateEnum": "claims.models.AnchorState",
        "EventTypeEnum": "core.events.EVENT_TYPES",
        "DeliveryStateEnum": "webhooks.models.EventState",
    },
    # What subscribers receive, one entry per event type (SPEC section 10), under
    # ``x-webhooks``: OpenAPI 3.0 has no ``webhooks`` section (3.1 has), and ReDoc and others
    # read the extension (api.webhooks.schema.webhooks_as_extension).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.webhooks.schema.webhooks_as_extension",
    ],
    "WEBHOOKS": [
        f"api.webhooks.schema.{name}"
        for name in (
            "CLAIM_STATUS_CHANGED",
            "CLAIM_FLAGGED",
            "VERDICT_SUBMITTED",
            "VERDICT_PUBLISHED",
            "VERDICT_RETURNED",
            "EVIDENCE_LINK_BROKEN",
            "CANDIDATE_LIKELY_MATCH",
            "ARTICLE_NEW_REVISION",
        )
    ],
}
