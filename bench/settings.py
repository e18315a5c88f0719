"""The production settings plus one bare view (the benchmark's floor), served by the same
gunicorn, middleware and database settings as the API it is compared with."""

from factcheck.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
