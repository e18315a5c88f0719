"""Fixtures of the API tests: clients for each kind of caller, keys, a published verdict."""

import pytest
from django.test import Client

from api.models import APIKey, KeyScope
from claims import services
from claims.models import Rating


class ApiClient(Client):
    """Django's test client speaking JSON, with an optional API key."""

    def __init__(self, key: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.key = key

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.key:
            headers.setdefault("Authorization", f"Api-Key {self.key}")
        return headers

    def get(self, path, data=None, headers=None, **extra):
        return super().get(path, data, headers=self._headers(headers), **extra)

    def post(self, path, data=None, content_type="application/json", headers=None, **extra):
        return super().post(
            path, data, content_type=content_type, headers=self._headers(headers), **extra
        )

    def patch(self, path, data=None, content_type="application/json", headers=None, **extra):
        return super().patch(
            path, data, content_type=content_type, headers=self._headers(headers), **extra
        )


@pytest.fixture(autouse=True)
def _no_anonymous_throttle(settings):
    # Throttling has its own test; the others make more requests than a real reader would.
    settings.FACTCHECK_ANON_RATE = None


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


def _key(owner, scope: str) -> str:
    _, key = APIKey.objects.create_key(name=f"{scope} tool", owner=owner, scope=scope)
    return key


@pytest.fixture
def read_key(factchecker) -> str:
    return _key(factchecker, KeyScope.READ)


@pytest.fixture
def write_key(factchecker) -> str:
    return _key(factchecker, KeyScope.WRITE)


@pytest.fixture
def read_client(read_key) -> ApiClient:
    return ApiClient(read_key)


@pytest.fixture
def write_client(write_key) -> ApiClient:
    return ApiClient(write_key)


def session_client(user) -> ApiClient:
    client = ApiClient()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor) -> ApiClient:
    return session_client(editor)


@pytest.fixture
def factchecker_client(factchecker) -> ApiClient:
    return session_client(factchecker)


@pytest.fixture
def viewer_client(viewer) -> ApiClient:
    return session_client(viewer)


def rating(label: str) -> Rating:
    return Rating.objects.get(label=label)


@pytest.fixture
def published(world, editor, second_editor):
    """The world's claim anchored in its article, with a published verdict (Mostly accurate)
    now being revised to a draft (False) that the public must not see."""
    services.appearance_create(
        claim=world.claim, revision=world.revision, quote="4,200 containers passed through"
    )
    verdict = services.verdict_save(
        claim=world.claim,
        user=editor,
        rating=rating("Mostly accurate"),
        explanation="Port records confirm the figure; it counts empty containers too.",
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    verdict = services.verdict_publish(verdict=verdict, user=second_editor)
    verdict = services.verdict_save(
        claim=world.claim,
        user=editor,
        rating=rating("False"),
        explanation="DRAFT: the union's count may be right after all.",
    )
    world.verdict = verdict
    return world
