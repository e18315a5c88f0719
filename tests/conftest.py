"""Shared fixtures: named users in each role, and a small world of sources (STYLE.md)."""

import pytest
from django.contrib.auth.models import Group, User

from articles.services import article_get_or_create, revision_record
from claims import services
from claims.models import SourceKind

ARTICLE_TEXT = (
    "Harbour City Gazette\n"
    "The port authority said on Monday that 4,200 containers passed through the northern "
    "terminal in March, the busiest month since 2019. Dock workers' union leader Ana Ribeiro "
    "disputed the figure, saying fewer than 3,000 were handled. The city council estimates that "
    "about 120 jobs depend on the terminal."
)


def _user(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw-" + username)
    user.is_staff = group is not None
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db) -> User:
    return _user("erin_editor", "Editor")


@pytest.fixture
def second_editor(db) -> User:
    return _user("sam_second_editor", "Editor")


@pytest.fixture
def factchecker(db) -> User:
    return _user("fay_factchecker", "Fact-checker")


@pytest.fixture
def viewer(db) -> User:
    return _user("vic_viewer", "Viewer")


@pytest.fixture
def outsider(db) -> User:
    return _user("olly_outsider", None)


@pytest.fixture
def world(db):
    """A government with two bodies under it, an independent outlet and a union."""

    class World:
        pass

    w = World()
    w.government = services.source_create(name="City of Harbour", kind=SourceKind.GOVERNMENT)
    w.port = services.source_create(
        name="Port Authority", kind=SourceKind.GOVERNMENT, parent=w.government
    )
    w.council = services.source_create(
        name="City Council", kind=SourceKind.GOVERNMENT, parent=w.government
    )
    w.outlet = services.source_create(
        name="Coastal Ledger", kind=SourceKind.OUTLET, url="https://ledger.example.org/"
    )
    w.union = services.source_create(name="Dock Workers' Union", kind=SourceKind.ORGANIZATION)
    w.article, _ = article_get_or_create(
        url="https://gazette.example.org/news/terminal?utm_source=feed", title="Terminal"
    )
    w.revision, _ = revision_record(article=w.article, text=ARTICLE_TEXT, title="Terminal")
    w.claim = services.claim_create(
        statement="4,200 containers passed through the northern terminal in March.",
        claimant=w.port,
    )
    return w
