"""``last_error`` by audience (issue "a hostile reader"): anonymous readers and API keys see
the reason without hosts or addresses ("refused: not a public address"); signed-in staff see
the full detail ("… resolves to 127.0.0.1 …") in the same field. On every article answer: the
list, the detail, the lookup's fast path (the spliced document) and its slow path (no document
yet)."""

import pytest

from api.articles.views import LAST_ERROR_WITHHELD
from articles.fetch import RefusedAddress
from articles.models import Article, ArticleState
from claims.documents import articles_changed
from pipeline.ingest import article_ingest_file, article_ingest_url

PUBLIC = RefusedAddress.public_reason
URL = "http://localhost:8/newsroom/story"


@pytest.fixture
def refused(db, settings):
    """An article whose fetch was refused for real: its host resolves to a loopback address."""
    settings.FACTCHECK_FETCH_ALLOW_PRIVATE = False
    report = article_ingest_url(url=URL)
    article = report.article
    assert article.state == ArticleState.ERROR
    assert "resolves to" in article.last_error and "127.0.0.1" in article.last_error
    assert article.last_error_public == PUBLIC == "refused: not a public address"
    return article


def _answers(client, article) -> list[dict]:
    return [
        client.get("/api/v1/articles/").json()["results"][0],
        client.get(f"/api/v1/articles/{article.pk}/").json(),
        client.get("/api/v1/articles/lookup/", {"url": article.url}).json(),
    ]


@pytest.mark.parametrize("with_document", [True, False], ids=["fast path", "no document yet"])
@pytest.mark.parametrize("audience", ["anon", "read_client"])
def test_anonymous_readers_and_keys_see_the_reason_without_addresses(
    refused, with_document, audience, request
):
    client = request.getfixturevalue(audience)
    if with_document:
        articles_changed([refused.pk])
    for answer in _answers(client, refused):
        assert answer["last_error"] == PUBLIC
    raw = client.get("/api/v1/articles/lookup/", {"url": refused.url}).content.decode()
    assert "127.0.0.1" not in raw and "::1" not in raw and "resolves" not in raw


@pytest.mark.parametrize("with_document", [True, False], ids=["fast path", "no document yet"])
def test_signed_in_staff_see_the_full_detail(refused, with_document, viewer_client):
    if with_document:
        articles_changed([refused.pk])
    for answer in _answers(viewer_client, refused):
        assert answer["last_error"] == refused.last_error
        assert "resolves to" in answer["last_error"]


def test_the_lookup_fast_path_stays_one_query_and_its_etag_names_the_audience(
    refused, anon, viewer_client, django_assert_num_queries
):
    articles_changed([refused.pk])
    with django_assert_num_queries(1):
        public = anon.get("/api/v1/articles/lookup/", {"url": refused.url})
    staff = viewer_client.get("/api/v1/articles/lookup/", {"url": refused.url})
    assert public["ETag"] != staff["ETag"]
    # A cached public answer is never served to staff, nor the reverse.
    again = viewer_client.get(
        "/api/v1/articles/lookup/", {"url": refused.url}, headers={"If-None-Match": public["ETag"]}
    )
    assert again.status_code == 200 and "resolves to" in again.json()["last_error"]


def test_an_error_stored_before_public_reasons_shows_no_detail_to_the_public(db, anon):
    Article.objects.create(
        url=URL,
        canonical_url=URL,
        state=ArticleState.ERROR,
        last_error="Refused to fetch: intranet.local resolves to 10.1.2.3, a private address.",
    )
    (listed,) = anon.get("/api/v1/articles/").json()["results"]
    assert listed["last_error"] == LAST_ERROR_WITHHELD


def test_a_later_good_check_clears_both(refused, settings, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Story\nThe port handled 4,200 containers in March.", encoding="utf-8")
    article_ingest_file(path=path, url=URL)
    refused.refresh_from_db()
    assert refused.state == ArticleState.OK
    assert refused.last_error == refused.last_error_public == ""


def test_the_admin_shows_the_detail_and_what_the_public_sees(refused, client, editor):
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{refused.pk}/change/").content.decode()
    assert "resolves to" in page
    assert "last error (public)" in page.lower() and PUBLIC in page
