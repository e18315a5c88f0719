"""The unfiltered claims list's short way (``api.reads.ClaimPageRows``): the same pages, links
and documents as the ORM's way, in one query, with an ETag made from the documents' versions."""

from base64 import b64encode
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from rest_framework.pagination import Cursor

from claims import services
from claims.models import ClaimDocument
from tests.api.conftest import rating
from tests.conftest import make_evidence

# A filter every claim passes: the same list, the ORM's way (a filter parameter is given).
EVERY_CLAIM = "updated_since=2000-01-01T00:00:00Z"


@pytest.fixture
def claims(world):
    """26 claims: the world's and 25 more."""
    for n in range(25):
        services.claim_create(statement=f"Claim {n}", claimant=world.port)
    return world


def _cursor(link: str | None) -> str | None:
    if link is None:
        return None
    (cursor,) = parse_qs(urlsplit(link).query)["cursor"]
    return cursor


def _page(client, query: str) -> tuple[list[dict], str | None, str | None]:
    response = client.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"], _cursor(body["next"]), _cursor(body["previous"])


def _both_ways(client, query: str):
    """The page by the short way and by the ORM's, which must agree."""
    short, orm = _page(client, query), _page(client, f"{query}&{EVERY_CLAIM}")
    assert short == orm, query
    return short


def _encoded(cursor: Cursor) -> str:
    """A cursor as DRF writes it into its links: o(ffset), r(everse), p(osition)."""
    tokens = {
        "o": str(cursor.offset) if cursor.offset else None,
        "r": "1" if cursor.reverse else None,
    }
    tokens["p"] = cursor.position
    query = urlencode({name: value for name, value in tokens.items() if value is not None})
    return quote(b64encode(query.encode()).decode())


@pytest.mark.usefixtures("claims")
@pytest.mark.parametrize("who", ["anon", "editor_client"])
def test_walking_forward_and_back_matches_the_orm(request, who):
    client = request.getfixturevalue(who)
    forward, query = [], "page_size=4"
    while True:
        results, next_cursor, _ = _both_ways(client, query)
        forward.append([claim["id"] for claim in results])
        if next_cursor is None:
            break
        query = f"page_size=4&cursor={next_cursor}"
    ids = [claim_id for page in forward for claim_id in page]
    assert len(ids) == len(set(ids)) == 26
    assert ids == sorted(ids, reverse=True)

    backward, previous_cursor = [], _page(client, query)[2]
    while previous_cursor is not None:
        results, _, previous_cursor = _both_ways(client, f"page_size=4&cursor={previous_cursor}")
        backward.append([claim["id"] for claim in results])
    assert backward == forward[-2::-1]


@pytest.mark.parametrize(
    "make_cursor",
    [
        lambda ids: Cursor(offset=3, reverse=False, position=None),
        lambda ids: Cursor(offset=0, reverse=False, position=str(ids[5])),
        lambda ids: Cursor(offset=2, reverse=False, position=str(ids[5])),
        lambda ids: Cursor(offset=0, reverse=True, position=str(ids[5])),
        lambda ids: Cursor(offset=2, reverse=True, position=str(ids[20])),
        lambda ids: Cursor(offset=0, reverse=True, position=str(ids[-1] - 1)),
        lambda ids: Cursor(offset=0, reverse=False, position=str(ids[0] + 100)),
    ],
)
def test_any_cursor_gives_the_orms_page(claims, anon, make_cursor):
    ids = sorted(claims.claim.__class__.objects.values_list("pk", flat=True), reverse=True)
    cursor = _encoded(make_cursor(ids))
    results, _, _ = _both_ways(anon, f"page_size=5&cursor={cursor}")
    assert results or make_cursor(ids).reverse  # past the first id, going back: nothing


def test_a_page_is_one_query_whatever_its_size(claims, anon, django_assert_num_queries):
    cursor = _page(anon, "page_size=3")[1]
    for query in ("page_size=1", "page_size=50", f"page_size=3&cursor={cursor}"):
        with django_assert_num_queries(1):
            assert anon.get(f"/api/v1/claims/?{query}").status_code == 200


def test_the_page_etag_follows_its_documents_and_audience(published, anon, editor_client):
    url = "/api/v1/claims/?page_size=10"
    first = anon.get(url)
    etag = first["ETag"]
    assert anon.get(url)["ETag"] == etag
    assert anon.get(url, headers={"If-None-Match": etag}).status_code == 304
    # Another audience sees another body (the draft verdict): another ETag. The same body
    # asked for otherwise (one claim either way, no next link) has the same one.
    assert editor_client.get(url)["ETag"] != etag
    assert anon.get("/api/v1/claims/?page_size=9")["ETag"] == etag
    # A change to a claim on the page rewrites its document, so the page changes.
    make_evidence(published.claim, stance="context", source=published.outlet)
    changed = anon.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.content != first.content
    assert changed["ETag"] != etag


def test_a_draft_verdict_changes_the_editors_page_not_the_public_one(
    published, anon, editor_client, editor
):
    url = "/api/v1/claims/?page_size=10"
    public, private = anon.get(url), editor_client.get(url)
    services.verdict_save(
        claim=published.claim, user=editor, rating=rating("Accurate"), explanation="Redone."
    )
    changed = editor_client.get(url, headers={"If-None-Match": private["ETag"]})
    assert changed.status_code == 200
    (claim,) = changed.json()["results"]
    assert claim["verdict"]["label"] == "Accurate"
    assert anon.get(url).content == public.content  # the published verdict still


def test_a_claim_without_a_document_is_rendered_and_its_page_hashed(claims, anon):
    claim = claims.claim
    expected = anon.get(f"/api/v1/claims/{claim.pk}/").json()
    ClaimDocument.objects.filter(claim=claim).delete()
    response = anon.get("/api/v1/claims/?page_size=100")
    assert response.status_code == 200
    (listed,) = [item for item in response.json()["results"] if item["id"] == claim.pk]
    assert listed == expected
    assert (
        anon.get(
            "/api/v1/claims/?page_size=100", headers={"If-None-Match": response["ETag"]}
        ).status_code
        == 304
    )
