"""Writes through the API: claims, evidence, sources, articles; scopes, roles, If-Match."""

import pytest
from django.contrib.auth.models import Group

from api.models import APIKey
from articles.models import Article
from claims.models import Appearance, Claim, ClaimChange, Evidence, Source
from tests.api.conftest import ApiClient, session_client


def _evidence(source, n: int, stance: str = "corroborates") -> dict:
    return {
        "stance": stance,
        "source": source.pk,
        "url": f"https://evidence.example.org/{n}",
        "title": f"Document {n}",
    }


def test_status_sequence_through_the_api_with_the_independence_rule(world, write_client):
    """unverified → (a dependent source does not count) → corroborated → contested."""
    claim_url = f"/api/v1/claims/{world.claim.pk}/"
    evidence_url = claim_url + "evidence/"
    assert write_client.get(claim_url).json()["status"] == "unverified"

    # The council shares the port authority's parent (the city): not independent.
    response = write_client.post(evidence_url, _evidence(world.council, 1))
    assert response.status_code == 201, response.content
    body = write_client.get(claim_url).json()
    assert body["status"] == "unverified"
    assert body["status_explanation"] == (
        "Supported by City Council, on the claimant's side; no independent evidence yet."
    )
    assert body["evidence_counts"]["corroborates"] == 1
    assert body["evidence_counts"]["independent_corroborates"] == 0

    write_client.post(evidence_url, _evidence(world.outlet, 2))
    body = write_client.get(claim_url).json()
    assert body["status"] == "corroborated"
    assert body["status_explanation"] == (
        "Corroborated by 1 independent source; also supported by City Council, on the "
        "claimant's side."
    )

    write_client.post(evidence_url, _evidence(world.union, 3, stance="disputes"))
    body = write_client.get(claim_url).json()
    assert body["status"] == "contested"
    assert body["evidence_counts"] == {
        "corroborates": 2,
        "disputes": 1,
        "context": 0,
        "independent_corroborates": 1,
        "independent_disputes": 1,
    }
    world.claim.refresh_from_db()
    assert world.claim.status == "contested"
    assert list(
        ClaimChange.objects.filter(claim=world.claim).values_list("from_value", "to_value")
    ) == [("unverified", "corroborated"), ("corroborated", "contested")]
    assert Evidence.objects.filter(claim=world.claim).count() == 3


def test_create_claim_with_appearance_anchored_in_the_current_revision(world, write_client):
    quote = "fewer than 3,000 were handled"
    response = write_client.post(
        "/api/v1/claims/",
        {
            "statement": "Fewer than 3,000 containers were handled in March.",
            "claimant": world.union.pk,
            "appearances": [{"article": world.article.pk, "quote": quote}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/claims/{body['id']}/"
    assert body["claimant"] == {"id": world.union.pk, "name": "Dock Workers' Union"}
    assert body["status"] == "unverified"
    claim = Claim.objects.get(pk=body["id"])
    assert claim.created_by.username == "fay_factchecker"  # the write key's owner
    appearance = Appearance.objects.get(claim=claim)
    assert appearance.revision == world.revision
    assert world.revision.text[appearance.start : appearance.end] == quote
    assert body["appearances"][0]["start"] == appearance.start
    # The article's document lists the new claim at once.
    looked_up = write_client.get("/api/v1/articles/lookup/", {"url": world.article.url}).json()
    assert [c["id"] for c in looked_up["claims"]] == [claim.pk]


def test_a_quote_not_in_the_article_is_400_and_stores_nothing(world, write_client):
    before = Claim.objects.count()
    response = write_client.post(
        "/api/v1/claims/",
        {
            "statement": "Something else entirely.",
            "claimant": world.union.pk,
            "appearances": [
                {"article": world.article.pk, "quote": "fewer than 3,000 were handled"},
                {"article": world.article.pk, "quote": "five million containers"},
            ],
        },
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "does not appear" in error["message"]
    assert error["details"]["appearances"]
    assert Claim.objects.count() == before
    assert not Appearance.objects.filter(quote__contains="3,000").exists()


def test_a_claim_on_an_article_without_text_is_400(world, write_client):
    pending, _ = Article.objects.get_or_create(
        canonical_url="https://pending.example.org/a",
        defaults={"url": "https://pending.example.org/a"},
    )
    response = write_client.post(
        "/api/v1/claims/",
        {
            "statement": "x",
            "claimant": world.union.pk,
            "appearances": [{"article": pending.pk, "quote": "x"}],
        },
    )
    assert response.status_code == 400
    assert "has no text yet" in response.json()["error"]["message"]


def test_patch_claim_with_if_match(world, write_client):
    url = f"/api/v1/claims/{world.claim.pk}/"
    read = write_client.get(url)
    etag = read["ETag"]

    first = write_client.patch(
        url, {"statement": "4,200 containers in March."}, headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.content
    assert first.json()["statement"] == "4,200 containers in March."
    assert first["ETag"] != etag

    # A second editor still holding the old ETag is refused, and nothing changes.
    stale = write_client.patch(url, {"statement": "Overwritten."}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert "changed by someone else" in stale.json()["error"]["message"]
    world.claim.refresh_from_db()
    assert world.claim.statement == "4,200 containers in March."

    # The bare version number works too, and no If-Match means last write wins.
    version = first.json()["version"]
    assert (
        write_client.patch(url, {"needs_review": True}, headers={"If-Match": str(version)})
    ).status_code == 200
    assert write_client.patch(url, {"needs_review": False}).status_code == 200
    garbage = write_client.patch(url, {"needs_review": True}, headers={"If-Match": '"nonsense"'})
    assert garbage.status_code == 412


def test_evidence_post_with_stale_if_match_is_412(world, write_client):
    url = f"/api/v1/claims/{world.claim.pk}/"
    etag = write_client.get(url)["ETag"]
    ok = write_client.post(
        url + "evidence/", _evidence(world.outlet, 1), headers={"If-Match": etag}
    )
    assert ok.status_code == 201
    stale = write_client.post(
        url + "evidence/", _evidence(world.union, 2), headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert Evidence.objects.filter(claim=world.claim).count() == 1


def test_sources_post(world, write_client):
    response = write_client.post(
        "/api/v1/sources/",
        {"name": "Harbour Pilots", "kind": "organization", "parent": None, "url": ""},
    )
    assert response.status_code == 201, response.content
    source = Source.objects.get(name="Harbour Pilots")
    assert response.json()["id"] == source.pk
    assert source.root_id == source.pk

    child = write_client.post(
        "/api/v1/sources/",
        {"name": "Harbour Master", "kind": "government", "parent": world.government.pk},
    )
    assert child.status_code == 201
    assert Source.objects.get(pk=child.json()["id"]).root_id == world.government.pk

    duplicate = write_client.post(
        "/api/v1/sources/", {"name": "harbour pilots", "kind": "organization"}
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["error"]["message"]


def test_post_article_queues_ingestion_with_202(
    db, write_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = write_client.post(
            "/api/v1/articles/", {"url": "https://News.example.org/story?utm_source=rss#top"}
        )
    assert response.status_code == 202, response.content
    body = response.json()
    article = Article.objects.get(pk=body["id"])
    assert body == {
        "id": article.pk,
        "url": "https://News.example.org/story?utm_source=rss#top",
        "canonical_url": "https://news.example.org/story",
        "state": "pending",
        "created": True,
    }
    assert len(callbacks) == 1  # the ingestion task, queued after commit

    again = write_client.post("/api/v1/articles/", {"url": "https://news.example.org/story/"})
    assert again.status_code == 202
    assert again.json()["id"] == article.pk
    assert again.json()["created"] is False
    assert Article.objects.count() == 1


# Who may write ------------------------------------------------------------------------------


@pytest.fixture
def new_claim(world):
    return {"statement": "About 120 jobs depend on the terminal.", "claimant": world.council.pk}


def test_read_key_can_read_but_not_write(read_client, new_claim):
    assert read_client.get("/api/v1/claims/").status_code == 200
    response = read_client.post("/api/v1/claims/", new_claim)
    assert response.status_code == 403
    assert "read scope" in response.json()["error"]["message"]
    assert not Claim.objects.filter(statement=new_claim["statement"]).exists()


def test_write_key_can_write(write_client, new_claim):
    assert write_client.post("/api/v1/claims/", new_claim).status_code == 201
    assert Claim.objects.filter(statement=new_claim["statement"]).exists()


def test_anonymous_write_is_401_naming_the_scheme(anon, new_claim):
    response = anon.post("/api/v1/claims/", new_claim)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert not Claim.objects.filter(statement=new_claim["statement"]).exists()


def test_unknown_and_revoked_keys_are_401(write_key):
    assert ApiClient("nope.nothing").get("/api/v1/claims/").status_code == 401
    key = APIKey.objects.get(prefix=write_key.partition(".")[0])
    key.revoked = True
    key.save()
    response = ApiClient(write_key).get("/api/v1/claims/")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    assert APIKey.objects.get(pk=key.pk).hashed_key != write_key  # stored hashed


def test_session_writes_follow_the_role(viewer, factchecker, outsider, new_claim):
    assert session_client(viewer).post("/api/v1/claims/", new_claim).status_code == 403
    assert session_client(outsider).post("/api/v1/claims/", new_claim).status_code == 403
    assert session_client(factchecker).post("/api/v1/claims/", new_claim).status_code == 201
    assert Claim.objects.filter(statement=new_claim["statement"]).count() == 1


def test_session_writes_need_the_csrf_token(factchecker, new_claim):
    client = ApiClient(enforce_csrf_checks=True)
    client.force_login(factchecker)
    response = client.post("/api/v1/claims/", new_claim)
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_write_key_stops_writing_when_its_owner_becomes_a_viewer(
    world, factchecker, write_client, new_claim
):
    assert write_client.post("/api/v1/claims/", new_claim).status_code == 201
    factchecker.groups.set([Group.objects.get(name="Viewer")])

    second = {**new_claim, "statement": "Written after the owner became a Viewer."}
    response = write_client.post("/api/v1/claims/", second)
    assert response.status_code == 403
    assert "owner of this API key may no longer" in response.json()["error"]["message"]
    assert not Claim.objects.filter(statement=second["statement"]).exists()
    claim = Claim.objects.get(statement=new_claim["statement"])
    response = write_client.patch(f"/api/v1/claims/{claim.pk}/", {"statement": "Changed."})
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).statement == new_claim["statement"]
    # What the key reads is unchanged.
    assert write_client.get(f"/api/v1/claims/{claim.pk}/").status_code == 200
