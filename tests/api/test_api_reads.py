"""The read endpoints of SPEC section 7: contract fields, lookup by URL variant, audiences."""

import pytest

from articles.services import article_get_or_create, revision_record
from claims import services
from claims.models import ClaimDocument
from tests.conftest import make_evidence

CLAIM_FIELDS = {
    "id",
    "url",
    "statement",
    "claimant",
    "about",
    "status",
    "status_explanation",
    "evidence_counts",
    "verdict",
    "needs_review",
    "appearances",
    "external_review",  # null for our own claims; an imported fact-check's review
    "version",
    "created_at",
    "updated_at",
}
ARTICLE_FIELDS = {
    "id",
    "url",
    "canonical_url",
    "title",
    "publisher",
    "published_at",
    "state",
    "last_error",
    "last_checked_at",
    "next_check_at",
    "revision_count",
    "claims",
}


def test_claim_detail_has_every_contract_field(published, anon):
    claim = published.claim
    response = anon.get(f"/api/v1/claims/{claim.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == CLAIM_FIELDS
    assert body["id"] == claim.pk
    assert body["url"].endswith(f"/claims/{claim.pk}/")
    assert body["external_review"] is None  # our own claim
    assert body["claimant"] == {"id": published.port.pk, "name": "Port Authority"}
    assert body["status"] == "unverified"
    assert body["status_explanation"] == "Unverified: no evidence yet."
    assert body["evidence_counts"] == {
        "corroborates": 0,
        "disputes": 0,
        "context": 0,
        "independent_corroborates": 0,
        "independent_disputes": 0,
    }
    assert body["about"] == []
    assert body["appearances"] == [
        {
            "article": published.article.pk,
            "revision": 1,
            "quote": "4,200 containers passed through",
            "start": published.revision.text.index("4,200"),
            "end": published.revision.text.index("4,200") + len("4,200 containers passed through"),
            "anchor_state": "exact",
        }
    ]
    assert body["version"] == claim.__class__.objects.get(pk=claim.pk).version


def test_anonymous_sees_the_published_verdict_never_the_draft(published, anon):
    body = anon.get(f"/api/v1/claims/{published.claim.pk}/").json()

    assert body["verdict"]["label"] == "Mostly accurate"
    assert body["verdict"]["rating"] == 4
    assert body["verdict"]["state"] == "published"
    assert body["verdict"]["explanation"].startswith("Port records confirm")
    assert body["verdict"]["published_at"] is not None
    for path in (
        "/api/v1/claims/",
        f"/api/v1/claims/{published.claim.pk}/",
        "/api/v1/articles/",
        f"/api/v1/articles/{published.article.pk}/",
        f"/api/v1/articles/lookup/?url={published.article.url}",
        "/api/v1/changes/",
        f"/api/v1/claims/{published.claim.pk}/claimreview/",
    ):
        text = anon.get(path).content.decode()
        assert "DRAFT" not in text, path
        assert '"False"' not in text, path


def test_api_keys_see_the_public_verdict_even_when_their_owner_is_an_editor(published, read_client):
    body = read_client.get(f"/api/v1/claims/{published.claim.pk}/").json()
    assert body["verdict"]["label"] == "Mostly accurate"


def test_editors_in_the_browser_see_the_working_draft(published, editor_client, viewer_client):
    other = services.claim_create(statement="No verdict here.", claimant=published.union)
    services.appearance_create(claim=other, revision=published.revision, quote="3,000")
    for client in (editor_client, viewer_client):
        body = client.get(f"/api/v1/claims/{published.claim.pk}/").json()
        assert body["verdict"]["label"] == "False"
        assert body["verdict"]["state"] == "draft"
        assert body["verdict"]["explanation"].startswith("DRAFT")
        listed = client.get("/api/v1/claims/").json()["results"]
        assert [c["verdict"] and c["verdict"]["label"] for c in listed] == [None, "False"]
        for path in (
            f"/api/v1/articles/lookup/?url={published.article.url}",
            f"/api/v1/articles/{published.article.pk}/",
        ):
            claims = client.get(path).json()["claims"]
            assert [c["verdict"] and c["verdict"]["label"] for c in claims] == ["False", None]
    # A claim whose two renderings agree stores the public one only.
    assert ClaimDocument.objects.get(claim=other).private_body == ""
    assert ClaimDocument.objects.get(claim=published.claim).private_body != ""


def test_outsider_session_sees_what_anonymous_sees(published, outsider):
    from tests.api.conftest import session_client

    body = session_client(outsider).get(f"/api/v1/claims/{published.claim.pk}/").json()
    assert body["verdict"]["label"] == "Mostly accurate"


def test_claim_without_verdict_has_null_verdict(world, anon):
    assert anon.get(f"/api/v1/claims/{world.claim.pk}/").json()["verdict"] is None


def test_unknown_claim_is_a_json_404(db, anon):
    response = anon.get("/api/v1/claims/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_claims_list_is_paginated_with_documents(published, anon):
    response = anon.get("/api/v1/claims/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert [c["id"] for c in body["results"]] == [published.claim.pk]
    assert set(body["results"][0]) == CLAIM_FIELDS


def test_article_list_detail_and_lookup_fields(published, anon):
    article = published.article
    listed = anon.get("/api/v1/articles/").json()["results"]
    assert len(listed) == 1
    assert set(listed[0]) == ARTICLE_FIELDS
    assert listed[0]["revision_count"] == 1
    assert listed[0]["state"] == "ok"
    assert [c["id"] for c in listed[0]["claims"]] == [published.claim.pk]
    assert listed[0]["claims"][0]["status"] == "unverified"

    detail = anon.get(f"/api/v1/articles/{article.pk}/").json()
    assert set(detail) == ARTICLE_FIELDS | {"text", "revisions"}
    assert detail["text"] == published.revision.text
    assert detail["revisions"] == [
        {
            "number": 1,
            "title": "Terminal",
            "fingerprint": published.revision.fingerprint,
            "fetched_at": detail["revisions"][0]["fetched_at"],
        }
    ]

    looked_up = anon.get("/api/v1/articles/lookup/", {"url": article.url}).json()
    assert set(looked_up) == ARTICLE_FIELDS
    assert looked_up["id"] == article.pk
    assert looked_up["canonical_url"] == "https://gazette.example.org/news/terminal"


@pytest.mark.parametrize(
    "variant",
    [
        "https://gazette.example.org/news/terminal",
        "https://gazette.example.org/news/terminal/",
        "https://GAZETTE.Example.ORG/news/terminal",
        "https://gazette.example.org:443/news/terminal",
        "https://gazette.example.org/news/terminal#comments",
        "https://gazette.example.org/news/terminal?utm_source=twitter&utm_medium=social",
        "https://gazette.example.org/news/terminal?fbclid=IwAR0abc",
        "https://gazette.example.org/news/terminal?gclid=EAIaIQ",
        "https://gazette.example.org/news/terminal/?utm_campaign=x&fbclid=y#top",
        "  https://gazette.example.org/news/terminal  ",
    ],
)
def test_lookup_finds_the_article_from_any_variant_of_its_url(
    published, anon, django_assert_num_queries, variant
):
    with django_assert_num_queries(1):
        response = anon.get("/api/v1/articles/lookup/", {"url": variant})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == published.article.pk


def test_lookup_keeps_query_parameters_that_identify_the_article(db, anon):
    first, _ = article_get_or_create(url="https://news.example.org/story?id=1")
    second, _ = article_get_or_create(url="https://news.example.org/story?id=2")
    for variant in (
        "https://news.example.org/story?id=2",
        "https://news.example.org/story/?id=2&utm_source=x",
        "https://news.example.org/story//?id=2#top",
    ):
        found = anon.get("/api/v1/articles/lookup/", {"url": variant})
        assert found.json()["id"] == second.pk != first.pk, variant
    assert article_get_or_create(url="https://news.example.org/story/?id=1") == (first, False)


def test_lookup_of_an_unknown_url_is_404_and_of_a_bad_url_400(db, anon):
    missing = anon.get("/api/v1/articles/lookup/", {"url": "https://nowhere.example.org/a"})
    assert missing.status_code == 404
    assert "nowhere.example.org" in missing.json()["error"]["message"]
    for bad in ("", "ftp://example.org/x", "not a url", "https://"):
        response = anon.get("/api/v1/articles/lookup/", {"url": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid"
    assert anon.get("/api/v1/articles/lookup/").status_code == 400


def test_claim_detail_is_one_query(published, anon, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = anon.get(f"/api/v1/claims/{published.claim.pk}/")
    assert response.status_code == 200


def test_documents_follow_every_change_in_the_same_transaction(published, editor, anon):
    claim = published.claim
    before = ClaimDocument.objects.get(claim=claim).version

    services.source_update(source=published.port, name="Harbour Port Authority", user=editor)
    body = anon.get(f"/api/v1/claims/{claim.pk}/").json()
    assert body["claimant"]["name"] == "Harbour Port Authority"
    assert ClaimDocument.objects.get(claim=claim).version > before

    make_evidence(claim, source=published.outlet, user=editor)
    looked_up = anon.get("/api/v1/articles/lookup/", {"url": published.article.url}).json()
    assert looked_up["claims"][0]["status"] == "corroborated"
    assert looked_up["claims"][0]["claimant"]["name"] == "Harbour Port Authority"

    services.claim_flag_for_review(claim=claim, reason="Article changed", user=editor)
    assert anon.get(f"/api/v1/claims/{claim.pk}/").json()["needs_review"] is True

    revision_record(article=published.article, text=published.revision.text + " Updated.")
    published.article.refresh_from_db()
    assert published.article.revision_count == 2
    assert anon.get(f"/api/v1/articles/{published.article.pk}/").json()["revision_count"] == 2


def test_sources_list_and_detail(world, anon):
    listed = anon.get("/api/v1/sources/").json()["results"]
    assert {s["name"] for s in listed} >= {"Port Authority", "Coastal Ledger"}
    detail = anon.get(f"/api/v1/sources/{world.port.pk}/").json()
    assert detail["name"] == "Port Authority"
    assert detail["kind"] == "government"
    assert detail["parent"] == world.government.pk
    assert set(detail) == {
        *("id", "name", "kind", "parent", "aliases", "url", "created_at", "updated_at"),
    }
    assert detail["aliases"] == []
    assert anon.get("/api/v1/sources/?kind=outlet").json()["results"][0]["name"] == (
        "Coastal Ledger"
    )
    assert anon.get("/api/v1/sources/999999/").status_code == 404


def test_evidence_list_of_a_claim(world, editor, anon):
    make_evidence(
        world.claim,
        stance="disputes",
        source=world.union,
        url="https://union.example.org/statement",
        quote="fewer than 3,000",
        user=editor,
    )
    body = anon.get(f"/api/v1/claims/{world.claim.pk}/evidence/").json()
    assert [(e["stance"], e["source"]["name"], e["url"], e["quote"]) for e in body["results"]] == [
        (
            "disputes",
            "Dock Workers' Union",
            "https://union.example.org/statement",
            "fewer than 3,000",
        )
    ]
    assert anon.get("/api/v1/claims/999999/evidence/").status_code == 404


# Microseconds, and a whole second (which ISO 8601 as DRF writes it leaves without a fraction).
@pytest.mark.parametrize("microsecond", [None, 0])
def test_fast_article_encoding_matches_the_documented_serializer(published, anon, microsecond):
    from django.utils import timezone

    from api.articles.serializers import ArticleFieldsSerializer
    from articles.models import Article

    now = timezone.now()
    if microsecond is not None:
        now = now.replace(microsecond=microsecond)
    Article.objects.filter(pk=published.article.pk).update(
        published_at=now,
        last_checked_at=now,
        next_check_at=now + timezone.timedelta(hours=1),
        publisher="Harbour City Gazette",
    )
    article = Article.objects.get(pk=published.article.pk)
    expected = dict(ArticleFieldsSerializer(article).data)
    for path in (
        f"/api/v1/articles/lookup/?url={article.url}",
        f"/api/v1/articles/{article.pk}/",
        "/api/v1/articles/",
    ):
        body = anon.get(path).json()
        body = body["results"][0] if "results" in body else body
        assert {key: body[key] for key in expected} == expected, path


def test_reanchoring_in_a_new_revision_rewrites_the_documents(published, anon):
    from claims.anchoring import reanchor_appearances

    text = published.revision.text.replace("4,200 containers passed through", "4,200 boxes went")
    revision, _ = revision_record(article=published.article, text=text)
    reanchor_appearances(previous=published.revision, current=revision)

    body = anon.get(f"/api/v1/claims/{published.claim.pk}/").json()
    assert [a["revision"] for a in body["appearances"]] == [1, 2]
    # "4,200 boxes went" keeps under half of "4,200 containers passed through": not the same
    # passage reworded (changed) but a passage that is gone (SPEC section 5: orphaned).
    assert body["appearances"][1]["anchor_state"] == "orphaned"
    assert body["needs_review"] is True
    looked_up = anon.get("/api/v1/articles/lookup/", {"url": published.article.url}).json()
    assert looked_up["revision_count"] == 2
    assert looked_up["claims"][0]["needs_review"] is True
