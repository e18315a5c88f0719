"""The public search of published checks (/claims/?q=): every word must occur, in any order
and in any of the statement, the claimant's name and the published explanation; PostgreSQL
searches full text (stems and prefixes), SQLite every word as a substring. Run on both:
``DATABASE_URL=postgres://... pytest tests/test_public_search.py``."""

import pytest
from django.db import connection
from django.urls import reverse

from claims import services
from claims.models import Rating, SourceKind


def publish(claim, *, writer, publisher, explanation: str):
    verdict = services.verdict_save(
        claim=claim,
        user=writer,
        rating=Rating.objects.get(label="False"),
        explanation=explanation,
    )
    verdict = services.verdict_submit(verdict=verdict, user=writer)
    services.verdict_publish(verdict=verdict, user=publisher)


@pytest.fixture
def published(world, factchecker, editor):
    ministry = services.source_create(name="Ministry of Defence", kind=SourceKind.GOVERNMENT)
    troops = services.claim_create(
        statement="The army said its troops had captured 40 villages in a week.",
        claimant=ministry,
    )
    publish(
        troops,
        writer=factchecker,
        publisher=editor,
        explanation="Satellite images show fighting in six of the villages, not forty.",
    )
    port = services.claim_create(
        statement="4,200 containers passed through the northern terminal in March.",
        claimant=world.port,
    )
    publish(
        port,
        writer=factchecker,
        publisher=editor,
        explanation="Customs counted 3,100 containers in March.",
    )
    # Not published: never found.
    services.claim_create(statement="Troops captured the northern bridge.", claimant=ministry)
    return {"troops": troops, "port": port}


def found(client, query: str) -> list[int]:
    response = client.get(reverse("claim_list"), {"q": query})
    assert response.status_code == 200
    return sorted(response.context["page"].paginator.object_list.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "query", ["troops captured", "captured troops", "Captured   TROOPS", "villages army week"]
)
def test_words_in_any_order_find_the_claim(client, published, query):
    assert found(client, query) == [published["troops"].pk]


def test_every_word_must_occur(client, published):
    assert found(client, "troops bridge") == []
    assert found(client, "troops terminal") == []


def test_words_may_come_from_the_claimant_and_the_explanation(client, published):
    # "Ministry" from the claimant, "satellite" from the published explanation.
    assert found(client, "ministry villages") == [published["troops"].pk]
    assert found(client, "satellite troops") == [published["troops"].pk]
    # A word's beginning is enough on both databases ("Port Auth…").
    assert found(client, "port auth") == [published["port"].pk]
    assert found(client, "customs northern") == [published["port"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_matches_other_forms_of_a_word(client, published):
    # "capture" and "captured" share a stem; "village" is a prefix of "villages" anyway.
    assert found(client, "capture village") == [published["troops"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "troops\x00captured",
        "\x00",
        "'",
        "troops & | ! ( ) :* <-> captured",
        "a:* | !b",
        '"troops captured"',
        "\\",
        "%_%",
        "\u00bd \u00b2 \u2074 \U0001d7d8",  # fractions, superscripts, a maths digit
        "\U0001d57f\U0001d597\U0001d594 \U0001fa96",  # maths letters, an emoji
        "Déjà vu ünïcödé 部队 войска",
        "x" * 500,
        " ".join(["troops"] * 100),
        "the and of",
        "\u202etroops\ufeff",
    ],
)
def test_odd_input_answers_a_page_never_a_500(client, published, query):
    response = client.get(reverse("claim_list"), {"q": query})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_a_nul_between_words_is_a_space(client, published):
    assert found(client, "troops\x00captured") == [published["troops"].pk]
