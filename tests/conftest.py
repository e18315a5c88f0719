"""Shared fixtures: named users in each role, a small world of sources and the newsroom the
page tests work in (STYLE.md), an evidence factory, and Celery run eagerly."""

import itertools

import pytest
from django.contrib.auth.models import Group, User

from articles.services import article_get_or_create, revision_record
from claims import services
from claims.models import AnchorState, Evidence, Rating, SourceKind, Stance
from factcheck.celery import app as celery_app
from tests.roles import restore_roles_and_scale

ARTICLE_TEXT = (
    "Harbour City Gazette\n"
    "The port authority said on Monday that 4,200 containers passed through the northern "
    "terminal in March, the busiest month since 2019. Dock workers' union leader Ana Ribeiro "
    "disputed the figure, saying fewer than 3,000 were handled. The city council estimates that "
    "about 120 jobs depend on the terminal."
)


def _user(username: str, group: str | None) -> User:
    if group and not Group.objects.filter(name=group).exists():
        restore_roles_and_scale()  # emptied by an earlier transactional test's flush
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


_evidence_numbers = itertools.count(1)


def make_evidence(
    claim,
    *,
    source,
    stance: str = Stance.CORROBORATES,
    url: str | None = None,
    title: str | None = None,
    **fields,
) -> Evidence:
    """Evidence added through the service, as the pages and the API add it. The link and title
    are numbered unless the test names them (one link per claim: a unique constraint)."""
    n = next(_evidence_numbers)
    return services.evidence_create(
        claim=claim,
        stance=stance,
        source=source,
        url=url or f"https://evidence.example.org/{n}",
        title=title or f"Document {n}",
        **fields,
    )


@pytest.fixture
def eager_celery():
    """Queued tasks run at once in this process, as a worker would run them."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


REVISED_TEXT = ARTICLE_TEXT.replace("4,200 containers", "4,400 containers") + (
    "\nThe authority later corrected its figure after an audit."
)
PORT_QUOTE = "4,200 containers passed through the northern terminal in March"
UNION_QUOTE = "fewer than 3,000 were handled"


@pytest.fixture
def pages_world(world, factchecker):
    """A small newsroom for the page tests, built through the services only: the ``world``
    plus the union's claim, both claims anchored in the article, evidence, a verdict in review
    waiting for a second editor, and a second revision in which the port's figure changed."""
    w = world
    services.appearance_create(claim=w.claim, revision=w.revision, quote=PORT_QUOTE)
    w.union_claim = services.claim_create(
        statement="Fewer than 3,000 containers were handled in March.", claimant=w.union
    )
    services.appearance_create(claim=w.union_claim, revision=w.revision, quote=UNION_QUOTE)
    make_evidence(
        w.claim,
        source=w.outlet,
        url="https://ledger.example.org/port-figures",
        title="Port figures for March",
        quote="The terminal handled 4,200 boxes.",
        user=factchecker,
    )
    w.claim.refresh_from_db()
    w.verdict = services.verdict_save(
        claim=w.claim,
        user=factchecker,
        rating=Rating.objects.get(label="Mostly accurate"),
        explanation="Customs data match the port authority count within a few dozen containers.",
    )
    w.verdict = services.verdict_submit(verdict=w.verdict, user=factchecker)
    w.revision2, _ = revision_record(article=w.article, text=REVISED_TEXT, title="Terminal")
    services.appearance_create(claim=w.union_claim, revision=w.revision2, quote=UNION_QUOTE)
    services.appearance_create(
        claim=w.claim,
        revision=w.revision2,
        quote="containers passed through the northern terminal in March",
        anchor_state=AnchorState.CHANGED,
    )
    services.claim_flag_for_review(
        claim=w.claim, reason="Quote changed in revision 2: 4,200 became 4,400."
    )
    w.article.refresh_from_db()
    w.claim.refresh_from_db()
    return w
