"""Candidates of an article and claim matching through the API (SPEC section 7)."""

from claims import candidates, services
from claims.models import Candidate


def test_candidates_best_first_with_the_contract_fields(world, anon):
    candidates.candidates_generate(revision=world.revision)
    stored = list(Candidate.objects.filter(article=world.article).best_first())
    assert stored

    response = anon.get(f"/api/v1/articles/{world.article.pk}/candidates/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["id"] for c in results] == [c.pk for c in stored]
    assert [c["score"] for c in results] == sorted((c["score"] for c in results), reverse=True)
    first = results[0]
    assert set(first) == {
        "id",
        "text",
        "score",
        "features",
        "suggested_claimant",
        "figures",
        "quantities",
        "state",
        "matched_claim",
        "likely_same",
    }
    assert 0 <= first["score"] <= 1
    assert first["state"] == "new"
    with_figure = next(c for c in results if "4,200" in c["text"])
    assert with_figure["figures"][0]["value"] == "4200"
    assert set(with_figure["figures"][0]) == {"value", "low", "high", "qualifier", "unit"}
    # v1 first called them quantities: the old name stays, the same list.
    assert with_figure["quantities"] == with_figure["figures"]
    # The world's claim states this sentence: the candidate points at it.
    assert with_figure["matched_claim"] == world.claim.pk

    assert anon.get(f"/api/v1/articles/{world.article.pk}/candidates/?state=rejected").json() == {
        "results": []
    }
    assert anon.get(f"/api/v1/articles/{world.article.pk}/candidates/?state=x").status_code == 400
    assert anon.get("/api/v1/articles/999999/candidates/").status_code == 404


def test_match_finds_the_claim_in_other_words(world, anon):
    response = anon.post(
        "/api/v1/claims/match/",
        {"text": "In March 4,200 containers went through the terminal's northern side."},
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["claim"]["id"] == world.claim.pk
    assert results[0]["claim"]["status"] == "unverified"
    assert 0 < results[0]["score"] <= 1
    assert set(results[0]) == {"claim", "score", "likely_same"}
    assert all(isinstance(r["likely_same"], bool) for r in results)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)

    unrelated = anon.post("/api/v1/claims/match/", {"text": "Volcanic ash closed the airport."})
    assert all(
        r["claim"]["id"] != world.claim.pk or r["score"] < 0.5 for r in unrelated.json()["results"]
    )
    assert not any(r["likely_same"] for r in unrelated.json()["results"])


def test_likely_same_is_set_for_a_restatement_and_never_for_another_figure(world, anon):
    """The calibrated flag (claims.text.rerank): a plain restatement of the claim is likely the
    same; the same sentence with another figure never is, however high its score."""
    same = anon.post(
        "/api/v1/claims/match/",
        {"text": "4,200 containers passed through the northern terminal in March."},
    ).json()["results"]
    assert same[0]["claim"]["id"] == world.claim.pk and same[0]["likely_same"] is True
    other = anon.post(
        "/api/v1/claims/match/",
        {"text": "3,100 containers passed through the northern terminal in March."},
    ).json()["results"]
    assert all(not r["likely_same"] for r in other if r["claim"]["id"] == world.claim.pk)


def test_match_bad_input_is_400(db, anon):
    for body in (
        {},
        {"text": ""},
        {"text": 5},
        {"text": "x", "lang": "en"},
        {"text": "x", "limit": 0},
    ):
        response = anon.post("/api/v1/claims/match/", body)
        assert response.status_code == 400, body
        assert response.json()["error"]["details"]
    assert anon.post("/api/v1/claims/match/", {"text": "x" * 5001}).status_code == 400


def test_match_with_a_compound_number_ending_in_one_in_the_pool(world, anon):
    """A claim stating "twenty-one" in the pool made every match through it fail (KeyError in
    the figures parser)."""
    claim = services.claim_create(
        statement="Twenty-one dock workers were injured at the northern terminal.",
        claimant=world.port,
    )
    for text in (
        "21 dock workers were hurt at the northern terminal.",
        "Forty-one percent of dock workers at the terminal were injured.",
    ):
        response = anon.post("/api/v1/claims/match/", {"text": text})
        assert response.status_code == 200, response.content
        assert claim.pk in [r["claim"]["id"] for r in response.json()["results"]]


ODD_TEXTS = [
    "🙂🙂🙂",
    "https://t.co/abc pic.twitter.com/xyz",
    "#DeepStateFiles @JulianAssange",
    "a & b | !c :* ( ) ' \\ <-> 11:00",
    "2020 2021 4,200 5.25 1e9 99999999999999999999",
    "Ukraine\u0000 has captured two soldiers",
    "x" * 4999,
    " ".join(["containers"] * 800),
    "Kreta und Griechenland 北朝鮮 Россия",
    "I'm sure we don't, can't, won't and I've never",
]


def test_no_text_makes_matching_fail(world, anon):
    """Issue 15: some public tweets answered 5xx. Odd, long and hostile texts are matched
    (200) or refused with a reason (400), never an error."""
    for text in ODD_TEXTS:
        response = anon.post("/api/v1/claims/match/", {"text": text})
        assert response.status_code in (200, 400), (text[:40], response.content[:200])
        if response.status_code == 200:
            assert all(0 <= r["score"] <= 1 for r in response.json()["results"])
        else:
            assert response.json()["error"]["details"]
