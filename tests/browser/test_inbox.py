"""The article inbox in a real browser: adding an article by pasted text and landing on its
review page with its candidates; adding one by URL, served by a local HTTP server, and
watching its row go from queued to fetched (by htmx polling, and by a plain reload without
JavaScript); search and filters; axe-core on desktop and phone; no console errors."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from articles.models import Article, ArticleState
from claims.models import Candidate
from factcheck.celery import app as celery_app
from pipeline import services as pipeline_services
from pipeline.tasks import ingest_article
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot
from tests.conftest import ARTICLE_TEXT
from tests.ingest.conftest import page as html_page

pytestmark = BROWSER

STORY = (
    "The regional health ministry said on Tuesday that 1,240 nurses were hired this year, "
    "the most since 2015.\n\n"
    "The nurses' union disputed the figure, saying fewer than 900 had started work. "
    "Officials estimate that about 3,000 posts remain vacant."
)


@pytest.fixture
def news_site(httpserver, settings):
    """A news page on a local server, which the fetcher may reach in this test only."""
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = True
    settings.FACTCHECK_FETCH_DOMAIN_DELAY = 0
    cache.clear()  # no robots.txt remembered from another test
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/health/nurses").respond_with_data(
        html_page("Nurses hired this year", STORY), content_type="text/html; charset=utf-8"
    )
    yield httpserver
    cache.clear()


def _run_the_queued_fetch(article: Article) -> None:
    """What `make run`'s worker does with the task the page queued: fetch, store the revision
    and find its candidates (queued in turn, run here at once)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        ingest_article.apply(args=[article.pk])
    finally:
        celery_app.conf.task_always_eager = previous


def _no_errors_but(console_errors: list[str], expected_400s: int = 0) -> None:
    """Chromium reports each deliberate 400 answer (a form sent with mistakes) in the console;
    nothing else may be there."""
    refused = [e for e in console_errors if "status of 400" in e]
    assert len(refused) == expected_400s, console_errors
    others = [e for e in console_errors if e not in refused]
    assert others == [], "\n".join(others)


def test_pasting_a_text_lands_on_its_review_page_with_candidates(
    page, live_server, factchecker, console_errors
):
    log_in(page, live_server, factchecker.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_url(f"{live_server.url}/articles/")
    assert_accessible(page)

    page.get_by_text("Add by pasted text").click()
    page.get_by_label(re.compile(r"^Title")).fill("Harbour jobs and containers")
    # A mistake first: no text. The form comes back with its error, focus on the field.
    page.get_by_role("button", name="Add and find candidates").click()
    text_field = page.get_by_label(re.compile(r"^Text"))
    expect(text_field).to_have_attribute("aria-invalid", "true")
    expect(text_field).to_be_focused()
    assert "This field is required." in page.inner_text("main")
    assert_accessible(page)
    text_field.fill(ARTICLE_TEXT)
    page.get_by_label(re.compile(r"^Publisher")).fill("Harbour City Gazette")
    shoot(page, "inbox-paste-desktop")
    page.get_by_role("button", name="Add and find candidates").click()

    article = Article.objects.get(title="Harbour jobs and containers")
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/#candidates-heading")
    candidates = Candidate.objects.filter(article=article)
    assert candidates.count() >= 2
    expect(page.locator("#article-text [data-candidate-id]")).to_have_count(candidates.count())
    expect(page.locator(".message--success")).to_contain_text("check-worthy sentences found")
    expect(page.get_by_role("heading", name="Harbour jobs and containers")).to_be_visible()
    _no_errors_but(console_errors, expected_400s=1)


def test_adding_by_url_shows_the_fetch_progress_until_it_is_done(
    page, live_server, factchecker, news_site, console_errors
):
    log_in(page, live_server, factchecker.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/articles/")
    url_field = page.get_by_label(re.compile(r"^Article URL"))
    # The fetcher's rules first: not a web address.
    url_field.fill("ftp://files.example.org/story")
    page.get_by_role("button", name="Add and fetch").click()
    expect(page.get_by_label(re.compile(r"^Article URL"))).to_have_attribute("aria-invalid", "true")
    assert "is not an http or https URL" in page.inner_text("main")

    story_url = news_site.url_for("/health/nurses")
    page.get_by_label(re.compile(r"^Article URL")).fill(story_url)
    page.get_by_role("button", name="Add and fetch").click()
    article = Article.objects.get(url=story_url)
    page.wait_for_url(f"{live_server.url}/articles/#article-{article.pk}")
    row = page.locator(f"#article-{article.pk}")
    expect(row).to_have_attribute("data-state", "pending")
    expect(row).to_contain_text("Queued for fetching")
    shoot(page, "inbox-queued-desktop")
    # A mark on the window survives htmx's polling but not a page load.
    page.evaluate("window.stillTheSamePage = true")

    _run_the_queued_fetch(article)

    expect(row).to_have_attribute("data-state", "ok", timeout=15_000)
    expect(row).to_contain_text("Nurses hired this year")
    expect(row).not_to_contain_text("Queued")
    assert page.evaluate("window.stillTheSamePage") is True
    open_candidates = Candidate.objects.filter(article=article, state="new").count()
    assert open_candidates >= 2
    expect(row.locator("td[data-label='Open candidates']")).to_contain_text(str(open_candidates))
    shoot(page, "inbox-fetched-desktop")

    # Adding the same page again (another variant of its URL) leads to the article on record.
    page.get_by_label(re.compile(r"^Article URL")).fill(story_url + "?utm_source=newsletter")
    page.get_by_role("button", name="Add and fetch").click()
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator(".message")).to_contain_text(f"already on record as article #{article.pk}")
    assert Article.objects.filter(canonical_url=article.canonical_url).count() == 1
    _no_errors_but(console_errors, expected_400s=1)


def test_without_javascript_a_reload_shows_the_progress(
    browser, live_server, factchecker, news_site
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, live_server, factchecker.username)
        page.goto(f"{live_server.url}/articles/")
        story_url = news_site.url_for("/health/nurses")
        page.get_by_label(re.compile(r"^Article URL")).fill(story_url)
        page.get_by_role("button", name="Add and fetch").click()
        article = Article.objects.get(url=story_url)
        row = page.locator(f"#article-{article.pk}")
        expect(row).to_have_attribute("data-state", "pending")
        _run_the_queued_fetch(article)
        expect(row).to_have_attribute("data-state", "pending")  # nothing polls without JS
        page.get_by_role("link", name="reload the page").click()
        expect(page.locator(f"#article-{article.pk}")).to_have_attribute("data-state", "ok")
        assert Article.objects.get(pk=article.pk).state == ArticleState.OK
        shoot(page, "inbox-nojs-phone")
    finally:
        context.close()


def test_search_and_filters(page, live_server, pages_world, factchecker, console_errors):
    bridge, _, _ = pipeline_services.article_add_text(
        title="Bridge repairs",
        text="The transport ministry said the bridge repairs will cost 12 million dollars.",
        user=factchecker,
    )
    waiting, _ = pipeline_services.article_request_ingestion(
        url="https://news.example.org/waiting", user=factchecker
    )
    log_in(page, live_server, factchecker.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/articles/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_label("Search titles and texts").fill("containers terminal")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-article-id", str(pages_world.article.pk))
    assert "q=containers+terminal" in page.url

    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(3)
    page.get_by_label("Open candidates").select_option(label="Yes")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-article-id", str(bridge.pk))

    page.get_by_label("Open candidates").select_option(label="Any")
    page.get_by_label("Flagged claims").select_option(label="Yes")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-article-id", str(pages_world.article.pk))

    page.get_by_label("Flagged claims").select_option(label="Any")
    page.get_by_label(re.compile(r"^State")).select_option(label="Pending")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-article-id", str(waiting.pk))
    expect(rows.first).to_contain_text("Queued for fetching")
    _no_errors_but(console_errors)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_inbox_is_accessible(page, live_server, pages_world, editor, viewport, console_errors):
    pipeline_services.article_request_ingestion(url="https://news.example.org/waiting", user=editor)
    log_in(page, live_server, editor.username)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/articles/")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.get_by_text("Add by pasted text").click()
    assert_accessible(page)
    name = "desktop" if viewport == DESKTOP else "phone"
    shoot(page, f"inbox-{name}")
    _no_errors_but(console_errors)
