"""The article inbox (/articles/): who sees it and its add forms, the counts on each row, the
filters and search, pagination at a constant query count, and adding an article by URL or by
pasted text through the pipeline's services, with every refusal a clear form error."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.feeds import feed_get_or_create
from articles.models import Article, ArticleState, FeedEntry
from articles.services import article_get_or_create, revision_record
from claims.models import Candidate
from pipeline import services as pipeline_services
from pipeline.tasks import ingest_article
from tests.conftest import ARTICLE_TEXT

INBOX = reverse("article_inbox")


def _rows(response) -> list[int]:
    """The ids of the articles listed, in order."""
    return [a.pk for a in response.context["articles"]]


def _add_text(client, **fields):
    data = {"add": "text", "title": "Harbour jobs", "text": ARTICLE_TEXT, **fields}
    return client.post(INBOX, data)


@pytest.fixture
def inbox_world(pages_world, factchecker):
    """Beside the reviewed article (two claims, one flagged): an article still waiting for its
    fetch, one whose fetch failed, one pasted in with open candidates, one from a feed."""
    w = pages_world
    w.waiting, _ = article_get_or_create(url="https://news.example.org/waiting", title="Waiting")
    w.failed, _ = article_get_or_create(url="https://news.example.org/gone", title="Gone story")
    Article.objects.filter(pk=w.failed.pk).update(
        state=ArticleState.ERROR, last_error="The server answered 404 Not Found."
    )
    w.pasted, _, found = pipeline_services.article_add_text(
        title="Bridge repairs",
        text="The transport ministry said the bridge repairs will cost 12 million dollars. "
        "Officials estimate that 40,000 drivers cross it every day.",
        publisher="Valley Courier",
        user=factchecker,
    )
    assert found
    w.feed, _ = feed_get_or_create(url="https://news.example.org/feed.xml")
    w.from_feed, _ = article_get_or_create(url="https://news.example.org/fed", title="Fed story")
    FeedEntry.objects.create(
        feed=w.feed, key="fed", link="https://news.example.org/fed", article=w.from_feed
    )
    return w


# Who sees what ---------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_users_without_a_role_are_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(INBOX).status_code == 403


def test_viewers_read_the_inbox_without_the_add_forms_and_cannot_post(client, viewer, inbox_world):
    client.force_login(viewer)
    response = client.get(INBOX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Add by URL" not in html and 'name="add"' not in html
    assert "Bridge repairs" in html
    before = Article.objects.count()
    response = _add_text(client, title="Sneaky")
    assert response.status_code == 403
    response = client.post(INBOX, {"add": "url", "url": "https://news.example.org/new"})
    assert response.status_code == 403
    assert Article.objects.count() == before


def test_the_services_check_the_permission_themselves(viewer, db):
    with pytest.raises(PermissionDenied):
        pipeline_services.article_add_text(title="T", text="Some text.", user=viewer)
    with pytest.raises(PermissionDenied):
        pipeline_services.article_add_url(url="https://news.example.org/x", user=viewer)
    assert not Article.objects.exists()


def test_factcheckers_see_both_add_forms(client, factchecker, db):
    client.force_login(factchecker)
    html = client.get(INBOX).content.decode()
    assert "Add by URL" in html and "Add by pasted text" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_home_and_navigation_link_to_the_inbox_and_the_api_docs(client, viewer):
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert f'href="{INBOX}"' in html
    assert f'href="{reverse("api:docs")}"' in html
    assert f'href="{reverse("review")}"' in html and f'href="{reverse("dashboard")}"' in html


def test_the_admins_article_page_links_to_the_review_page(admin_client, pages_world):
    review = reverse("article_review", args=[pages_world.article.pk])
    change = reverse("admin:articles_article_change", args=[pages_world.article.pk])
    assert f'href="{review}"' in admin_client.get(change).content.decode()
    listing = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f'href="{review}"' in listing


# Rows ------------------------------------------------------------------------------------


def test_each_row_shows_state_claims_by_status_candidates_and_checks(
    client, factchecker, inbox_world
):
    w = inbox_world
    client.force_login(factchecker)
    response = client.get(INBOX)
    rows = {a.pk: a for a in response.context["articles"]}
    reviewed = rows[w.article.pk]
    assert reviewed.status_counts == [
        ("unverified", "Unverified", 1),
        ("corroborated", "Corroborated", 1),
    ]
    assert reviewed.has_flagged_claims and reviewed.open_candidates == 0
    pasted = rows[w.pasted.pk]
    open_candidates = Candidate.objects.filter(article=w.pasted, state="new").count()
    assert pasted.open_candidates == open_candidates > 0 and pasted.pasted
    html = response.content.decode()
    # The newest first; the failed fetch says why; only the waiting row polls.
    assert _rows(response)[0] == w.from_feed.pk
    assert "The server answered 404 Not Found." in html
    # Both articles still waiting for their first fetch poll for their row; no other does.
    assert html.count('hx-trigger="every') == 2
    assert f'hx-get="{reverse("article_row", args=[w.waiting.pk])}"' in html
    assert "2 articles on this page were waiting to be fetched" in html
    assert f'<a href="{INBOX}">reload the page</a>' in html


def test_a_rows_own_url_answers_its_current_state(client, factchecker, inbox_world):
    w = inbox_world
    client.force_login(factchecker)
    url = reverse("article_row", args=[w.waiting.pk])
    html = client.get(url).content.decode()
    assert "Queued for fetching" in html and 'hx-trigger="every' in html
    revision_record(article=w.waiting, text="Now it has text.", title="Waiting")
    html = client.get(url).content.decode()
    assert "Queued for fetching" not in html and 'hx-trigger="every' not in html
    assert 'data-state="ok"' in html
    assert client.get(reverse("article_row", args=[999_999])).status_code == 404


# Filters and search ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"state": "pending"}, {"waiting", "from_feed"}),
        ({"state": "error"}, {"failed"}),
        ({"state": "ok"}, {"article", "pasted"}),
        ({"candidates": "yes"}, {"pasted"}),
        ({"candidates": "no"}, {"article", "waiting", "failed", "from_feed"}),
        ({"flagged": "yes"}, {"article"}),
        ({"flagged": "no"}, {"waiting", "failed", "pasted", "from_feed"}),
        ({"state": "ok", "flagged": "no"}, {"pasted"}),
    ],
)
def test_filters(client, factchecker, inbox_world, query, expected):
    client.force_login(factchecker)
    response = client.get(INBOX, query)
    assert response.status_code == 200
    assert set(_rows(response)) == {getattr(inbox_world, name).pk for name in expected}


def test_feed_filter(client, factchecker, inbox_world):
    client.force_login(factchecker)
    response = client.get(INBOX, {"feed": inbox_world.feed.pk})
    assert _rows(response) == [inbox_world.from_feed.pk]
    assert "Clear" in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"state": "lost"}, "Select a valid choice. lost is not one of the available choices."),
        ({"feed": "999999"}, "That feed does not exist (any more)."),
        ({"candidates": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_a_clear_400(client, factchecker, inbox_world, query, message):
    client.force_login(factchecker)
    response = client.get(INBOX, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Some filters could not be applied" in html
    assert _rows(response) == []


@pytest.mark.parametrize(
    "words, expected",
    [
        ("containers", {"article"}),  # in the text
        ("terminal northern", {"article"}),  # every word, any order
        ("bridge", {"pasted"}),  # in the title and the text
        ("fed story", {"from_feed"}),  # in the title only (no text yet)
        ("CONTAINERS harbour", {"article"}),
        ("containers bridge", set()),  # the words are in different articles
        ("zeppelin", set()),
        ("'); DROP TABLE x; --", set()),  # punctuation is no syntax
        ("&|!:*", None),  # no words at all: every article
    ],
)
def test_search(client, factchecker, inbox_world, words, expected):
    client.force_login(factchecker)
    response = client.get(INBOX, {"q": words})
    assert response.status_code == 200
    found = set(_rows(response))
    if expected is None:
        assert found == set(Article.objects.values_list("pk", flat=True))
    else:
        assert found == {getattr(inbox_world, name).pk for name in expected}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full text on PostgreSQL only")
def test_search_is_full_text_on_postgresql(client, factchecker, inbox_world):
    client.force_login(factchecker)
    # Stems ("estimated" finds "estimates" and "estimate") and a word's beginning ("contain").
    both = {inbox_world.article.pk, inbox_world.pasted.pk}
    assert set(_rows(client.get(INBOX, {"q": "estimated"}))) == both
    assert _rows(client.get(INBOX, {"q": "contain"})) == [inbox_world.article.pk]


# Pagination ------------------------------------------------------------------------------


def _articles(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        article, _ = article_get_or_create(url=f"https://many.example.org/{i}", title=f"No. {i}")
        revision_record(article=article, text=f"Story number {i} says 1,000 people came.")


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    assert response.status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_whatever_their_size(client, factchecker, pages_world):
    client.force_login(factchecker)
    client.get(INBOX)  # the session and permissions, read once
    small = _inbox_queries(client)
    _articles(29)
    full = _inbox_queries(client)
    assert small == full
    response = client.get(INBOX)
    assert len(response.context["articles"]) == 25
    assert response.context["page"].paginator.num_pages == 2


def test_pages_keep_the_filters(client, factchecker, db):
    client.force_login(factchecker)
    _articles(30)
    response = client.get(INBOX, {"state": "ok", "q": "story"})
    assert response.context["page"].paginator.count == 30
    html = response.content.decode()
    assert 'href="?state=ok&amp;q=story&amp;page=2"' in html
    second = client.get(INBOX, {"state": "ok", "q": "story", "page": 2})
    assert len(second.context["articles"]) == 5
    # A page out of range or not a number shows the last or the first page, never an error.
    assert client.get(INBOX, {"page": "99"}).context["page"].number == 2
    assert client.get(INBOX, {"page": "x"}).context["page"].number == 1


# Adding by URL ---------------------------------------------------------------------------


def test_adding_by_url_queues_a_fetch_and_lists_the_article_as_waiting(
    client, factchecker, db, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = True  # 127.0.0.1 stands for a news site here
    client.force_login(factchecker)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(INBOX, {"add": "url", "url": " http://127.0.0.1:8765/story "})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}#article-{article.pk}"
    assert article.state == ArticleState.PENDING and article.url == "http://127.0.0.1:8765/story"
    assert len(queued) == 1  # the fetch, sent to the workers once the request committed
    page = client.get(response["Location"])
    assert f"Article #{article.pk} is queued for fetching" in page.content.decode()
    assert "Queued for fetching" in page.content.decode()


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://news.example.org/story", "is not an http or https URL"),
        ("news.example.org/story", "is not an http or https URL"),
        ("http://[::1/story", "is not a valid URL"),
        ("http://127.0.0.1/story", "127.0.0.1, a loopback address"),
        ("http://10.1.2.3/story", "a private network address"),
        ("http://169.254.169.254/latest/meta-data", "Refused to fetch"),
        ("", "This field is required."),
    ],
)
def test_urls_the_fetcher_would_refuse_are_form_errors(client, factchecker, db, url, message):
    client.force_login(factchecker)
    response = client.post(INBOX, {"add": "url", "url": url})
    assert response.status_code == 400
    form = response.context["url_form"]
    assert any(message in error for error in form.errors["url"]), form.errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Article.objects.exists()


def test_a_known_url_leads_to_the_article_on_record(
    client, factchecker, pages_world, django_capture_on_commit_callbacks
):
    client.force_login(factchecker)
    before = Article.objects.count()
    with django_capture_on_commit_callbacks() as queued:
        # Another variant of the fixture's URL: tracking parameter gone, host case changed.
        response = client.post(
            INBOX, {"add": "url", "url": "https://GAZETTE.example.org/news/terminal?utm_medium=x"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("article_review", args=[pages_world.article.pk])
    assert Article.objects.count() == before and queued == []
    page = client.get(response["Location"]).content.decode()
    assert f"already on record as article #{pages_world.article.pk}" in page


# Adding by pasted text -------------------------------------------------------------------


def test_pasting_a_text_finds_its_candidates_and_lands_on_the_review_page(client, factchecker, db):
    client.force_login(factchecker)
    response = _add_text(client, publisher="Harbour City Gazette")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("article_review", args=[article.pk]) + "#candidates-heading"
    )
    assert article.title == "Harbour jobs" and article.publisher == "Harbour City Gazette"
    assert article.state == ArticleState.OK and article.revision_count == 1
    assert article.next_check_at is None  # pasted text is never fetched
    candidates = Candidate.objects.filter(article=article)
    assert candidates.count() >= 2
    page = client.get(response["Location"]).content.decode()
    assert f"{candidates.count()} check-worthy sentences found" in page
    for candidate in candidates:
        assert f'data-candidate-id="{candidate.pk}"' in page


def test_pasting_the_same_text_again_leads_to_the_first_article(client, factchecker, db):
    client.force_login(factchecker)
    first = _add_text(client)
    again = _add_text(client, title="Another title")
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Article.objects.count() == 1
    assert "already on record" in client.get(again["Location"]).content.decode()


def test_pasted_text_with_a_url_on_record_is_refused(client, factchecker, pages_world):
    client.force_login(factchecker)
    before = Article.objects.count()
    response = _add_text(client, url="https://gazette.example.org/news/terminal")
    assert response.status_code == 400
    assert f"already on record as article #{pages_world.article.pk}" in str(
        response.context["text_form"].errors["url"]
    )
    assert Article.objects.count() == before


def test_pasted_text_keeps_its_original_url(client, factchecker, db):
    client.force_login(factchecker)
    _add_text(client, url="https://gazette.example.org/jobs?utm_source=x")
    article = Article.objects.get()
    assert article.canonical_url == "https://gazette.example.org/jobs"
    assert article.next_check_at is None


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"text": ""}, "text", "This field is required."),
        ({"text": "   \n  "}, "text", "Paste the article's text."),
        ({"text": "word " * 20_001}, "text", "The text is too long (100,005 characters; at most"),
        ({"title": "t" * 501}, "title", "at most 500 characters"),
        ({"publisher": "p" * 301}, "publisher", "at most 300 characters"),
        ({"url": "javascript:alert(1)"}, "url", "is not an http or https URL"),
    ],
)
def test_bad_pasted_text_is_a_clear_form_error(client, factchecker, db, fields, field, message):
    client.force_login(factchecker)
    response = _add_text(client, **fields)
    assert response.status_code == 400
    form = response.context["text_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert '<details class="inbox-add__form" open>' in html  # the form shows its errors
    assert not Article.objects.exists()


def test_a_pasted_title_is_escaped(client, factchecker, db):
    client.force_login(factchecker)
    _add_text(client, title="<script>alert(1)</script> Jobs")
    html = client.get(INBOX).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Jobs" in html


def test_a_pasted_text_is_never_fetched_even_when_a_check_is_asked_for(factchecker, db):
    article, _, _ = pipeline_services.article_add_text(
        title="Harbour jobs", text=ARTICLE_TEXT, user=factchecker
    )
    ingest_article.apply(args=[article.pk])  # what the admin's "Re-check now" queues
    article.refresh_from_db()
    assert article.state == ArticleState.OK and article.last_error == ""
    assert article.revision_count == 1 and article.next_check_at is None
