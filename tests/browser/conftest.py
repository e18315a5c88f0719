"""Fixtures of the browser tests: Debian's Chromium for Playwright, the ORM beside its loop,
and the roles and rating scale in every live-server test."""

import pytest

from tests.browser.support import CHROMIUM
from tests.roles import restore_roles_and_scale


@pytest.fixture(scope="session", autouse=True)
def _orm_calls_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, from the first browser test to
    the end of the session (pytest-playwright's fixtures are session-scoped); Django refuses
    ORM calls from a thread with a running loop unless told that this is deliberate. Set from
    the first test of this module until the loop goes, so the tests that run after it work;
    a run without browser tests keeps the check on."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _roles_and_scale(transactional_db):
    """Live-server tests commit for real, and the database is flushed after each transactional
    test (this module's and others'), which empties the tables the data migrations filled.
    Running those migrations' functions again (all are idempotent) gives every test the roles,
    their permissions and the rating scale. Django's serialized rollback cannot do it here:
    Playwright's sync API runs the test in a greenlet, whose context sees another connection
    object."""
    restore_roles_and_scale()


@pytest.fixture
def console_errors(page):
    """Every console error and uncaught exception of the page; each test asserts none."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(f"{msg.text} @ {page.url} ({msg.location})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(f"{exc} @ {page.url}"))
    page.context.on(
        "response",
        lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status == 404 else None,
    )
    return errors
