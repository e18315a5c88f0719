"""`about` in the API: the parties a claim is about, as source ids, on input (create and
edit, validated) and on output, with `independent_disputes` in the evidence counts."""

import pytest

from claims import services
from claims.models import Claim, ClaimChange, SourceKind
from tests.conftest import make_evidence


def test_create_a_claim_about_parties_and_read_them_back(world, write_client):
    response = write_client.post(
        "/api/v1/claims/",
        {
            "statement": "The union blocked the northern gate.",
            "claimant": world.outlet.pk,
            "about": [world.union.pk, world.government.pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["about"] == sorted([world.union.pk, world.government.pk])
    claim = Claim.objects.get(pk=body["id"])
    assert set(claim.about.values_list("pk", flat=True)) == {world.union.pk, world.government.pk}
    # The fast read (the document) and a fresh render agree.
    assert write_client.get(f"/api/v1/claims/{claim.pk}/").json()["about"] == body["about"]


def test_an_interested_denial_through_the_api_leaves_the_claim_unverified(world, write_client):
    url = f"/api/v1/claims/{world.claim.pk}/"
    response = write_client.patch(url, {"about": [world.union.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["about"] == [world.union.pk]
    posted = write_client.post(
        url + "evidence/",
        {
            "stance": "disputes",
            "source": world.union.pk,
            "url": "https://union.example.org/statement",
            "title": "The union rejects the port's figure",
        },
    )
    assert posted.status_code == 201, posted.content
    body = write_client.get(url).json()
    assert body["status"] == "unverified"
    assert body["status_explanation"] == (
        "Denied by Dock Workers' Union, a party the claim is about; no independent evidence yet."
    )
    assert body["evidence_counts"] == {
        "corroborates": 0,
        "disputes": 1,
        "context": 0,
        "independent_corroborates": 0,
        "independent_disputes": 0,
    }
    # Clearing the parties makes the union independent again: disputed.
    cleared = write_client.patch(url, {"about": []}).json()
    assert cleared["about"] == []
    assert cleared["status"] == "disputed"
    assert cleared["evidence_counts"]["independent_disputes"] == 1
    assert list(
        ClaimChange.objects.filter(claim=world.claim, field="status").values_list(
            "to_value", "actor__username"
        )
    ) == [("disputed", "fay_factchecker")]


@pytest.mark.parametrize(
    ("about", "message"),
    [
        ([999_999], "object does not exist"),
        (["abc"], "Incorrect type"),
        ([True], "Incorrect type"),
        ([10**30], "object does not exist"),
        ("not a list", "Expected a list"),
        ({"id": 1}, "Expected a list"),
        ("many", "no more than 20 elements"),
    ],
)
def test_bad_about_is_400_and_changes_nothing(world, write_client, about, message):
    if about == "many":
        about = [
            services.source_create(name=f"Party {n}", kind=SourceKind.ORGANIZATION).pk
            for n in range(21)
        ]
    before = (Claim.objects.count(), world.claim.version)
    created = write_client.post(
        "/api/v1/claims/",
        {"statement": "x", "claimant": world.union.pk, "about": about},
    )
    edited = write_client.patch(f"/api/v1/claims/{world.claim.pk}/", {"about": about})
    for response in (created, edited):
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert "about" in error["details"]
        assert message in str(error["details"]["about"])
    world.claim.refresh_from_db()
    assert (Claim.objects.count(), world.claim.version) == before
    assert not world.claim.about.exists()


def test_a_read_key_cannot_change_about(world, read_client):
    response = read_client.patch(f"/api/v1/claims/{world.claim.pk}/", {"about": [world.union.pk]})
    assert response.status_code == 403
    assert not world.claim.about.exists()


def test_the_schema_documents_about_and_independent_disputes(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert components["ClaimOutput"]["properties"]["about"]["type"] == "array"
    assert "independent_disputes" in components["EvidenceCounts"]["properties"]
    assert components["ClaimCreateInputRequest"]["properties"]["about"]["maxItems"] == 20
    assert "about" in components["PatchedClaimUpdateInputRequest"]["properties"]
    assert "actor" in components["ClaimChangeOutput"]["properties"]


def test_article_documents_carry_about(world, editor, anon):
    services.appearance_create(
        claim=world.claim, revision=world.revision, quote="4,200 containers passed through"
    )
    ministry = services.source_create(
        name="Ministry of Ports", kind=SourceKind.GOVERNMENT, parent=world.union
    )
    services.claim_update(claim=world.claim, about=[world.union], user=editor)
    make_evidence(world.claim, stance="disputes", source=ministry, user=editor)
    looked_up = anon.get("/api/v1/articles/lookup/", {"url": world.article.url}).json()
    (claim,) = looked_up["claims"]
    assert claim["about"] == [world.union.pk]
    assert claim["status"] == "unverified"
