"""Production settings refuse to start without a secret key and reject bad values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from factcheck.env import env_bool, env_networks, env_number, env_rate

ROOT = Path(__file__).resolve().parent.parent


def _check(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_start_without_secret_key_fails_naming_it():
    result = _check(DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="factcheck.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_start_with_secret_key_passes():
    result = _check(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-key-for-this-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example.org",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("helper", "raw"),
    [(env_bool, "maybe"), (env_number, "ten"), (env_number, "-1"), (env_rate, "lots")],
)
def test_settings_helpers_reject_bad_values(monkeypatch, helper, raw):
    monkeypatch.setenv("FACTCHECK_SOMETHING", raw)
    with pytest.raises(ImproperlyConfigured, match="FACTCHECK_SOMETHING"):
        helper("FACTCHECK_SOMETHING", None) if helper is env_rate else helper(
            "FACTCHECK_SOMETHING", 1
        )


def test_anonymous_rate_none_turns_throttling_off(monkeypatch):
    monkeypatch.setenv("FACTCHECK_ANON_RATE", "none")
    assert env_rate("FACTCHECK_ANON_RATE", "60/min") is None
    monkeypatch.setenv("FACTCHECK_ANON_RATE", "100/hour")
    assert env_rate("FACTCHECK_ANON_RATE", "60/min") == "100/hour"


def test_redis_cache_url_gives_one_cache_for_all_processes():
    script = (
        "from django.conf import settings; from django.core.cache import cache; "
        "print(settings.CACHES['default']['BACKEND']); "
        "cache.set('factcheck-settings-test', 'shared', 30); "
        "print(cache.get('factcheck-settings-test'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="factcheck.settings_test",
        REDIS_CACHE_URL=os.environ.get(
            "FACTCHECK_TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/5"
        ),
    )
    run = [sys.executable, "manage.py", "shell", "-c", script]
    first = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if "Connection refused" in first.stderr and not os.environ.get("CI"):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI starts it)")
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[-2:] == ["django.core.cache.backends.redis.RedisCache", "shared"]
    # A second process sees what the first one stored.
    read = "from django.core.cache import cache; print(cache.get('factcheck-settings-test'))"
    second = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", read],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.stdout.split()[-1] == "shared"


def test_trusted_proxies_are_addresses_or_ranges(monkeypatch):
    monkeypatch.setenv("FACTCHECK_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32")
    assert env_networks("FACTCHECK_TRUSTED_PROXIES") == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "2001:db8::/32",
    ]
    monkeypatch.delenv("FACTCHECK_TRUSTED_PROXIES")
    assert env_networks("FACTCHECK_TRUSTED_PROXIES") == []


def test_a_bad_trusted_proxy_stops_the_start_naming_the_variable():
    result = _check(
        FACTCHECK_TRUSTED_PROXIES="10.0.0.0/33",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-key-for-this-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example.org",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
    )
    assert result.returncode != 0
    assert "FACTCHECK_TRUSTED_PROXIES" in result.stderr
    assert "'10.0.0.0/33'" in result.stderr


def test_a_killed_workers_tasks_come_back_soon_after_the_longest_time_limit(settings):
    from factcheck.celery import app

    app.loader.import_default_modules()
    limits = [task.time_limit for task in app.tasks.values() if task.time_limit]
    assert limits, "the project's tasks declare time limits"
    longest = max([settings.CELERY_TASK_TIME_LIMIT, *limits])
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # Above the longest run, so a running task is never given to a second worker; far below
    # Redis's default hour, so a task of a worker killed mid-run is not left waiting.
    assert longest < visibility <= longest + 120
    assert visibility < 3600


def _production_settings(**env) -> dict:
    """The settings a production start gets from this environment, read in a fresh process."""
    script = (
        "import json; from django.conf import settings; print(json.dumps({name: "
        "getattr(settings, name, None) for name in ('SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FACTCHECK_"))}
    clean.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-key-for-this-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example.org",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_only_when_https_is_enforced():
    plain = _production_settings()
    assert plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False

    enforced = _production_settings(DJANGO_SECURE_SSL_REDIRECT="1")
    assert enforced["SECURE_SSL_REDIRECT"] is True
    assert enforced["SECURE_HSTS_SECONDS"] == 31_536_000
    assert enforced["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_the_forwarded_protocol_is_believed_only_behind_a_configured_proxy():
    assert _production_settings()["SECURE_PROXY_SSL_HEADER"] is None
    behind = _production_settings(FACTCHECK_TRUSTED_PROXIES="10.0.0.0/8")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
