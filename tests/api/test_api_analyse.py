"""POST /api/v1/analyse/ (SPEC section 6): sentences with offsets into the text sent,
check-worthiness and its features, claimant and the source it resolves to, figures, and the
claims on record that check-worthy sentences may restate. One code path with candidates."""

import pytest

from articles.services import revision_record
from claims import candidates, services
from claims.models import Candidate, SourceKind

DRAFT = (
    "Port figures\n\n"
    "The port authority said that 4,200 containers passed through the northern terminal in "
    "March. What a month it was! Union leader Ana Ribeiro said twenty-one dock workers were "
    "injured."
)


def _post(client, body):
    return client.post("/api/v1/analyse/", body, format="json")


def test_sentences_offsets_scores_claimants_and_figures(world, anon):
    response = _post(anon, {"text": DRAFT})
    assert response.status_code == 200, response.content
    sentences = response.json()["sentences"]
    assert [DRAFT[s["start"] : s["end"]] for s in sentences] == [s["text"] for s in sentences]
    assert set(sentences[0]) == {
        "text",
        "start",
        "end",
        "score",
        "check_worthy",
        "features",
        "claimant",
        "claimant_source",
        "figures",
        "matches",
    }
    port = next(s for s in sentences if "4,200" in s["text"])
    assert port["check_worthy"] is True and 0.5 <= port["score"] <= 1
    assert port["claimant_source"] == world.port.pk
    assert port["figures"] == [
        {
            "text": port["figures"][0]["text"],
            "value": "4200",
            "low": "4200",
            "high": "4200",
            "qualifier": "",
            "unit": "containers",
        }
    ]
    # The world's claim states this sentence: matched, best first, at most three.
    assert port["matches"][0]["claim"] == world.claim.pk
    assert len(port["matches"]) <= 3
    assert all(isinstance(m["likely_same"], bool) for m in port["matches"])
    exclamation = next(s for s in sentences if s["text"].startswith("What a month"))
    assert exclamation["check_worthy"] is False and exclamation["matches"] == []
    injured = next(s for s in sentences if "twenty-one" in s["text"])
    assert injured["figures"][0]["value"] == "21"
    assert injured["claimant"] and injured["claimant_source"] is None


def test_the_candidates_of_a_revision_are_the_check_worthy_sentences_analysed(world, anon):
    revision, _ = revision_record(article=world.article, text=DRAFT)
    stored = candidates.candidates_generate(revision=revision, match=False)
    analysed = _post(anon, {"text": DRAFT}).json()["sentences"]
    worthy = [s for s in analysed if s["check_worthy"]]
    assert sorted((c.text, c.score) for c in stored) == sorted(
        (s["text"], s["score"]) for s in worthy
    )
    by_text = {c.text: c for c in Candidate.objects.filter(article=world.article)}
    for sentence in worthy:
        assert by_text[sentence["text"]].features == sentence["features"]
        assert [
            {k: v for k, v in f.items() if k != "text"} for f in by_text[sentence["text"]].figures
        ] == [{k: v for k, v in f.items() if k != "text"} for f in sentence["figures"]]


def test_a_claimant_resolves_through_an_alias(world, anon, editor):
    ministry = services.source_create(name="Ministry of Ports", kind=SourceKind.GOVERNMENT)
    services.source_alias_add(source=ministry, alias="harbour ministry", user=editor)
    text = "The harbour ministry said 300 jobs were cut at the terminal in April."
    (sentence,) = _post(anon, {"text": text}).json()["sentences"]
    assert sentence["claimant_source"] == ministry.pk


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": 42},
        {"text": ["a list"]},
        {"text": "x", "lang": "en"},
        {"text": "x" * 100_001},
    ],
)
def test_bad_input_is_400_json(db, anon, body):
    response = _post(anon, body)
    assert response.status_code == 400, body
    assert response.json()["error"]["details"]


def test_the_longest_text_allowed_is_analysed(db, anon):
    sentence = "The council said 120 jobs depend on the terminal. "
    text = (sentence * (100_000 // len(sentence)))[:100_000]
    response = _post(anon, {"text": text})
    assert response.status_code == 200
    assert response.json()["sentences"]
