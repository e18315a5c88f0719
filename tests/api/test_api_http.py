"""HTTP behaviour of the API: ETags, query counts, the changes feed, ClaimReview, errors."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.services import article_get_or_create, revision_record
from claims import services
from claims.models import Claim, ClaimChange, SourceKind, Verdict
from tests.api.conftest import rating
from tests.conftest import ARTICLE_TEXT, make_evidence

# ETag and 304 ------------------------------------------------------------------------------


def _get_paths(world):
    claim, article = world.claim.pk, world.article.pk
    return [
        "/api/v1/claims/",
        f"/api/v1/claims/{claim}/",
        f"/api/v1/claims/{claim}/evidence/",
        f"/api/v1/claims/{claim}/claimreview/",
        "/api/v1/articles/",
        f"/api/v1/articles/{article}/",
        f"/api/v1/articles/lookup/?url={world.article.url}",
        "/api/v1/sources/",
        f"/api/v1/sources/{world.port.pk}/",
        "/api/v1/changes/",
    ]


def test_every_get_has_an_etag_and_answers_304(published, anon):
    for path in _get_paths(published):
        first = anon.get(path)
        assert first.status_code == 200, path
        etag = first["ETag"]
        assert etag.startswith('"'), path
        assert "Cookie" in first["Vary"] and "Authorization" in first["Vary"]
        again = anon.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert anon.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_claim_etag_changes_with_the_document_and_the_audience(published, anon, editor_client):
    url = f"/api/v1/claims/{published.claim.pk}/"
    public, private = anon.get(url)["ETag"], editor_client.get(url)["ETag"]
    assert public != private
    make_evidence(published.claim, stance="context", source=published.outlet)
    assert anon.get(url, headers={"If-None-Match": public}).status_code == 200


# Query counts do not grow with the page ---------------------------------------------------


@pytest.fixture
def many(world, editor):
    """60 claims over 60 articles, each with an appearance, some evidence and a verdict."""
    for n in range(60):
        article, _ = article_get_or_create(url=f"https://many.example.org/{n}")
        revision, _ = revision_record(article=article, text=ARTICLE_TEXT + f" Item {n}.")
        claim = services.claim_create(statement=f"Claim {n}", claimant=world.port)
        services.appearance_create(claim=claim, revision=revision, quote="4,200 containers")
        make_evidence(claim, source=world.outlet)
        if n % 3 == 0:
            services.verdict_save(
                claim=claim, user=editor, rating=rating("Accurate"), explanation="Checked."
            )
    return world


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


LIST_PATHS = [
    "/api/v1/claims/?page_size={n}",
    "/api/v1/claims/?page_size={n}&status=corroborated&claimant={port}&q=claim",
    "/api/v1/articles/?page_size={n}",
    "/api/v1/sources/?page_size={n}",
    "/api/v1/changes/?page_size={n}",
]


def test_query_count_is_the_same_for_page_size_1_and_50(many, anon, editor_client):
    for client in (anon, editor_client):
        for path in LIST_PATHS:
            path = path.replace("{port}", str(many.port.pk))
            small, small_body = _count(client, path.format(n=1))
            large, large_body = _count(client, path.format(n=50))
            assert len(small_body["results"]) == 1, path
            assert len(large_body["results"]) >= 5, path
            assert small == large, path


def test_evidence_list_query_count_does_not_grow(world, anon):
    for _ in range(12):
        make_evidence(world.claim, stance="context", source=world.outlet)
    path = f"/api/v1/claims/{world.claim.pk}/evidence/?page_size="
    assert _count(anon, path + "1")[0] == _count(anon, path + "12")[0]


@pytest.mark.usefixtures("many")
def test_cursor_pages_walk_every_claim_once(anon):
    seen, url = [], "/api/v1/claims/?page_size=7"
    while url:
        body = anon.get(url).json()
        seen += [c["id"] for c in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 61
    assert seen == sorted(seen, reverse=True)


# Filters --------------------------------------------------------------------------------


def test_claim_filters(many, editor, second_editor, anon):
    some = many.claim
    # A published verdict on the world's claim; drafts elsewhere must not match.
    verdict = services.verdict_save(
        claim=some, user=editor, rating=rating("Misleading"), explanation="Counts differ."
    )
    services.verdict_publish(
        verdict=services.verdict_submit(verdict=verdict, user=editor), user=second_editor
    )

    def ids(query):
        response = anon.get("/api/v1/claims/", {"page_size": 100, **query})
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids({"verdict": "misleading"}) == {some.pk}
    assert ids({"verdict": "Accurate"}) == set()  # only drafts have it
    assert some.pk not in ids({"verdict": "none"})
    assert len(ids({"status": "corroborated"})) == 60
    assert ids({"status": "unverified"}) == {some.pk}
    assert len(ids({"claimant": many.port.pk})) == 61
    assert ids({"claimant": many.union.pk}) == set()
    assert ids({"q": "claim 42"}) == {
        c.pk for c in some.__class__.objects.filter(statement="Claim 42")
    }
    article = some.__class__.objects.get(statement="Claim 7").appearances.get().revision.article
    assert ids({"article": article.pk}) == {some.__class__.objects.get(statement="Claim 7").pk}
    assert len(ids({"updated_since": "2000-01-01T00:00:00Z"})) == 61
    assert ids({"updated_since": "2999-01-01T00:00:00Z"}) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"status": "true-ish"},
        {"verdict": "Pants on fire"},
        {"claimant": "abc"},
        {"claimant": "999999"},
        {"claimant": "1" * 30},
        {"article": "-5"},
        {"updated_since": ""},
        {"article": "999999"},
        {"article": "x"},
        {"updated_since": "yesterday"},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page_size": "ten"},
        {"cursor": "not-a-cursor"},
    ],
)
def test_bad_filter_values_are_400_json(db, anon, query):
    response = anon.get("/api/v1/claims/", query)
    assert response.status_code == 400, (query, response.content)
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid"
    assert next(iter(query)) in error["details"]


# The changes feed -------------------------------------------------------------------------


def test_changes_feed_in_order_without_gaps_or_repeats(
    world, editor, second_editor, anon, editor_client
):
    claim = world.claim
    support = make_evidence(claim, source=world.outlet, user=editor)  # unverified → corroborated
    first = anon.get("/api/v1/changes/").json()
    assert [(e["to_value"]) for e in first["results"]] == ["corroborated"]
    cursor = first["cursor"]

    # Nothing new: the same cursor comes back and nothing is repeated.
    idle = anon.get("/api/v1/changes/", {"after": cursor}).json()
    assert idle["results"] == [] and idle["cursor"] == cursor

    make_evidence(claim, stance="disputes", source=world.union, user=editor)  # → contested
    verdict = services.verdict_save(
        claim=claim, user=editor, rating=rating("Mixed"), explanation="Both counts hold."
    )  # draft: not public
    verdict = services.verdict_submit(verdict=verdict, user=editor)  # not public
    services.verdict_publish(verdict=verdict, user=second_editor)  # public
    services.evidence_delete(evidence=support)

    page = anon.get("/api/v1/changes/", {"after": cursor, "page_size": 2}).json()
    assert [(e["field"], e["to_value"]) for e in page["results"]] == [
        ("status", "contested"),
        ("verdict", "published"),
    ]
    assert page["has_more"] is True
    assert page["results"][1]["rating_label"] == "Mixed"
    rest = anon.get(page["next"]).json()
    assert [(e["field"], e["from_value"], e["to_value"]) for e in rest["results"]] == [
        ("status", "contested", "disputed")
    ]
    assert rest["has_more"] is False
    event = rest["results"][0]
    assert set(event) == {
        "cursor",
        "claim",
        "field",
        "from_value",
        "to_value",
        "rating_label",
        "reason",
        "merged_into",
        "actor",
        "at",
    }
    assert event["claim"] == claim.pk
    assert event["merged_into"] is None
    assert "evidence removed" in event["reason"]
    # evidence_delete was called without a user: no person made the change.
    assert event["actor"] == "system"
    # The public learns that a person acted, not who; editors see the name.
    assert page["results"][0]["actor"] == "staff"

    # Editors also see the draft and review steps, in the same order as the table.
    everything = editor_client.get("/api/v1/changes/").json()["results"]
    assert [int(e["cursor"]) for e in everything] == list(
        ClaimChange.objects.order_by("id").values_list("id", flat=True)
    )
    assert [e["to_value"] for e in everything] == [
        "corroborated",
        "contested",
        "draft",
        "in_review",
        "published",
        "disputed",
    ]
    assert [e["actor"] for e in everything] == [
        editor.username,
        editor.username,
        editor.username,
        editor.username,
        second_editor.username,
        "system",
    ]


def test_editors_see_non_public_changes(world, editor, editor_client, anon):
    services.verdict_save(
        claim=world.claim, user=editor, rating=rating("Mixed"), explanation="Draft."
    )
    assert anon.get("/api/v1/changes/").json()["results"] == []
    assert [e["to_value"] for e in editor_client.get("/api/v1/changes/").json()["results"]] == [
        "draft"
    ]


@pytest.mark.parametrize("query", [{"after": "x"}, {"after": "-1"}, {"page_size": "500"}])
def test_changes_feed_bad_cursor_is_400(db, anon, query):
    response = anon.get("/api/v1/changes/", query)
    assert response.status_code == 400
    assert response.json()["error"]["details"]


# ClaimReview -----------------------------------------------------------------------------


def test_claimreview_of_a_published_verdict(published, anon):
    response = anon.get(f"/api/v1/claims/{published.claim.pk}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    review = response.json()
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == published.claim.statement
    assert review["url"].endswith(f"/claims/{published.claim.pk}/")
    assert review["author"] == {
        "@type": "Organization",
        "name": "Factcheck Desk",
        "url": "http://127.0.0.1:8000/",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mostly accurate",  # the published one, not the draft "False"
    }
    published_at = Verdict.objects.get(claim=published.claim).published_at
    assert review["datePublished"] == published_at.date().isoformat()
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Organization", "name": "Port Authority"}
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "url": "https://gazette.example.org/news/terminal",
            "headline": "Terminal",
        }
    ]
    assert item["datePublished"]
    # The working draft ("False", "DRAFT: …") appears nowhere.
    assert "DRAFT" not in response.content.decode() and '"False"' not in response.content.decode()


def test_claimreview_escapes_markup_so_it_can_sit_in_a_script_tag(published, anon, editor):
    statement = 'Port says </script><script>alert("x")</script> & more.'
    services.claim_update(claim=published.claim, user=editor, statement=statement)
    response = anon.get(f"/api/v1/claims/{published.claim.pk}/claimreview/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "</" not in body and "<" not in body and "&" not in body
    assert "\\u003c/script\\u003e" in body
    # The same JSON to a parser.
    assert response.json()["claimReviewed"] == statement
    assert Claim.objects.get(pk=published.claim.pk).statement == statement


def test_claimreview_of_unproven_has_no_rating_value(world, editor, second_editor, anon, settings):
    settings.FACTCHECK_NEWSROOM_NAME = "Harbour Checks"
    person = services.source_create(name="Ana Ribeiro", kind=SourceKind.PERSON)
    services.claim_update(claim=world.claim, claimant=person)
    verdict = services.verdict_save(
        claim=world.claim, user=editor, rating=rating("Unproven"), explanation="No records."
    )
    services.verdict_publish(
        verdict=services.verdict_submit(verdict=verdict, user=editor), user=second_editor
    )
    review = anon.get(f"/api/v1/claims/{world.claim.pk}/claimreview/").json()
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}
    assert review["author"]["name"] == "Harbour Checks"
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Ana Ribeiro"}


def test_claimreview_404_without_a_published_verdict(world, editor, anon, editor_client):
    url = f"/api/v1/claims/{world.claim.pk}/claimreview/"
    assert anon.get(url).status_code == 404
    services.verdict_save(
        claim=world.claim, user=editor, rating=rating("False"), explanation="Draft only."
    )
    for client in (anon, editor_client):
        response = client.get(url)
        assert response.status_code == 404
        assert "no published verdict" in response.json()["error"]["message"]
    assert anon.get("/api/v1/claims/999999/claimreview/").status_code == 404


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"statement": "x", "claimant": 1, "statment": "typo"}, "statment"),
        ({"statement": 42, "claimant": "{port}"}, "statement"),
        ({"statement": "x", "claimant": "abc"}, "claimant"),
        ({"statement": "x", "claimant": 999999}, "claimant"),
        ({"statement": "x", "claimant": True}, "claimant"),
        ({"statement": "x", "claimant": 10**30}, "claimant"),
        ({"statement": "x", "claimant": -1}, "claimant"),
        ({"statement": "", "claimant": "{port}"}, "statement"),
        ({"claimant": "{port}"}, "statement"),
        ({"statement": "x", "claimant": "{port}", "appearances": "nope"}, "appearances"),
        (
            {
                "statement": "x",
                "claimant": "{port}",
                "appearances": [{"article": 999999, "quote": "a"}],
            },
            "appearances",
        ),
        (
            {
                "statement": "x",
                "claimant": "{port}",
                "appearances": [{"article": "{article}", "quote": 5}],
            },
            "appearances",
        ),
        (
            {
                "statement": "x",
                "claimant": "{port}",
                "appearances": [{"article": "{article}", "quote": "4,200", "x": 1}],
            },
            "appearances",
        ),
        (["not", "an", "object"], "non_field_errors"),
    ],
)
def test_bad_claim_bodies_are_400_json_and_store_nothing(world, write_client, body, field):
    def fill(value):
        if isinstance(value, str) and value in ("{port}", "{article}"):
            return world.port.pk if value == "{port}" else world.article.pk
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    count = world.claim.__class__.objects.count()
    response = write_client.post("/api/v1/claims/", fill(body))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["message"]
    assert field in error["details"]
    assert world.claim.__class__.objects.count() == count


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/claims/{claim}/evidence/",
            {
                "stance": "agrees",
                "source": "{outlet}",
                "url": "https://a.example.org/",
                "title": "t",
            },
        ),
        (
            "/api/v1/claims/{claim}/evidence/",
            {"stance": "corroborates", "source": "{outlet}", "url": "not a url", "title": "t"},
        ),
        (
            "/api/v1/claims/{claim}/evidence/",
            {
                "stance": "corroborates",
                "source": "{outlet}",
                "url": "https://a.example.org/",
                "title": "t",
                "published_at": "last week",
            },
        ),
        (
            "/api/v1/claims/{claim}/evidence/",
            {
                "stance": "corroborates",
                "source": 999999,
                "url": "https://a.example.org/",
                "title": "t",
            },
        ),
        ("/api/v1/sources/", {"name": "X", "kind": "blog"}),
        ("/api/v1/sources/", {"name": "X", "kind": "outlet", "parent": 999999}),
        ("/api/v1/sources/", {"name": ["X"], "kind": "outlet"}),
        ("/api/v1/articles/", {"url": "ftp://example.org/file"}),
        ("/api/v1/articles/", {"url": 12}),
        ("/api/v1/articles/", {}),
    ],
)
def test_bad_bodies_elsewhere_are_400(world, write_client, path, body):
    path = path.format(claim=world.claim.pk)
    body = {k: (world.outlet.pk if v == "{outlet}" else v) for k, v in body.items()}
    response = write_client.post(path, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]


def test_duplicate_evidence_is_400(world, write_client):
    body = {
        "stance": "corroborates",
        "source": world.outlet.pk,
        "url": "https://a.example.org/",
        "title": "t",
    }
    url = f"/api/v1/claims/{world.claim.pk}/evidence/"
    assert write_client.post(url, body).status_code == 201
    again = write_client.post(url, body)
    assert again.status_code == 400
    assert "already linked" in again.json()["error"]["message"]


def test_malformed_json_wrong_media_type_and_method(world, write_client):
    bad_json = write_client.post("/api/v1/claims/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400
    assert "JSON parse error" in bad_json.json()["error"]["message"]

    form = write_client.post(
        "/api/v1/claims/", "statement=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"

    method = write_client.delete(
        f"/api/v1/claims/{world.claim.pk}/",
        headers={"Authorization": f"Api-Key {write_client.key}"},
    )
    assert method.status_code == 405
    assert method.json()["error"]["code"] == "method_not_allowed"

    put = write_client.put(
        "/api/v1/sources/1/",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Api-Key {write_client.key}"},
    )
    assert put.status_code == 405
    assert put.json()["error"]["status"] == 405

    empty_patch = write_client.patch(f"/api/v1/claims/{world.claim.pk}/", {})
    assert empty_patch.status_code == 400

    missing = write_client.patch("/api/v1/claims/999999/", {"needs_review": True})
    assert missing.status_code == 404


def test_read_only_endpoints_answer_405_to_writes(world, write_client):
    for path in (
        "/api/v1/changes/",
        "/api/v1/articles/lookup/",
        f"/api/v1/sources/{world.port.pk}/",
    ):
        response = write_client.post(path, {})
        assert response.status_code == 405, path
        assert response.json()["error"]["status"] == 405


def test_unknown_api_url_is_a_json_404(db, anon):
    for path in ("/api/v1/nothing-here/", "/api/v1/claims/" + "9" * 40 + "/"):
        response = anon.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_not_acceptable_is_json(db, anon):
    response = anon.get("/api/v1/claims/", headers={"Accept": "text/html"})
    # Document-backed reads answer JSON regardless; negotiated ones say 406 in JSON.
    assert response["Content-Type"].startswith("application/json")
    # (text/csv is acceptable on the lists since they export: tests/api/test_api_csv.py)
    response = anon.get("/api/v1/sources/", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.json()["error"]["status"] == 406


def test_anonymous_readers_are_throttled(db, anon, settings):
    settings.FACTCHECK_ANON_RATE = "3/min"
    from django.core.cache import cache

    cache.clear()
    statuses = [anon.get("/api/v1/claims/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = anon.get("/api/v1/claims/")
    assert response.json()["error"]["status"] == 429
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_schema_and_docs_are_served(db, anon):
    schema = anon.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/articles/",
        "/api/v1/articles/lookup/",
        "/api/v1/articles/{id}/",
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/evidence/",
        "/api/v1/claims/{id}/claimreview/",
        "/api/v1/sources/",
        "/api/v1/sources/{id}/",
        "/api/v1/changes/",
    } <= set(paths)
    assert "412" in paths["/api/v1/claims/{id}/"]["patch"]["responses"]

    # The docs page loads everything from our own origin, as the CSP (script-src 'self') needs.
    docs = anon.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert len(scripts) == 3
    assert all(src.startswith("/") for src in scripts), scripts
    assert "<script>" not in page
    start = anon.get(scripts[-1])
    assert start.status_code == 200
    assert "/api/schema/" in start.content.decode()
