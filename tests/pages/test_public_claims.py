"""The public claim pages: status only until a verdict is published, never a draft, the
public list and search, and the ClaimReview document in JSON-LD."""

import json
import re

import pytest
from django.urls import reverse

from claims import services
from claims.claimreview import NotPublished, claimreview_document
from claims.models import Claim, Rating, Stance
from tests.conftest import make_evidence

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_public_page_of_an_unpublished_claim_shows_status_only(client, pages_world):
    response = client.get(reverse("claim_public", args=[pages_world.claim.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No verdict published yet" in html
    assert "Corroborated by 1 independent source." in html
    assert pages_world.verdict.explanation not in html
    assert "Mostly accurate" not in html
    assert "Port figures for March" not in html
    assert "application/ld+json" not in html


def test_public_page_of_a_published_verdict(client, pages_world, editor):
    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    html = client.get(reverse("claim_public", args=[pages_world.claim.pk])).content.decode()
    assert "Mostly accurate" in html
    assert pages_world.verdict.explanation in html
    assert "Port figures for March" in html
    assert "Port Authority" in html and "City of Harbour" in html
    assert "Terminal" in html  # where it appeared
    assert "Status changed from" in html and "published" in html
    document = json.loads(JSONLD.search(html).group(1))
    assert document["@type"] == "ClaimReview"
    assert document["url"] == "http://testserver" + reverse(
        "claim_public", args=[pages_world.claim.pk]
    )


def test_public_page_never_shows_a_revised_draft(client, pages_world, editor, factchecker):
    published = services.verdict_publish(verdict=pages_world.verdict, user=editor)
    services.verdict_save(
        claim=pages_world.claim,
        user=factchecker,
        rating=Rating.objects.get(label="False"),
        explanation="DRAFT: reconsidering after the audit.",
        expected_version=published.version,
    )
    html = client.get(reverse("claim_public", args=[pages_world.claim.pk])).content.decode()
    assert "DRAFT: reconsidering" not in html
    assert "Mostly accurate" in html
    assert ">False<" not in html
    # Draft steps are private history.
    assert "reconsidering" not in html


def test_public_history_hides_private_review_steps(client, pages_world):
    html = client.get(reverse("claim_public", args=[pages_world.claim.pk])).content.decode()
    assert "Submitted for review" not in html
    assert "Draft verdict written" not in html


def test_public_page_of_an_unknown_claim_is_404(client, db):
    assert client.get(reverse("claim_public", args=[424242])).status_code == 404


def test_public_list_shows_published_verdicts_and_searches(client, pages_world, editor):
    assert pages_world.claim.statement not in client.get(reverse("claim_list")).content.decode()
    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    html = client.get(reverse("claim_list")).content.decode()
    assert pages_world.claim.statement in html
    assert pages_world.union_claim.statement not in html  # no published verdict
    assert (
        pages_world.claim.statement
        in client.get(reverse("claim_list") + "?q=northern").content.decode()
    )
    assert (
        pages_world.claim.statement
        in client.get(reverse("claim_list") + "?q=port+auth").content.decode()
    )
    html = client.get(reverse("claim_list") + "?q=nothing-like-this").content.decode()
    assert "No published check matches" in html


def test_claimreview_document_fields(pages_world, editor, settings):
    settings.FACTCHECK_NEWSROOM_NAME = "Harbour Desk"
    settings.FACTCHECK_NEWSROOM_URL = "https://desk.example.org/"
    pages_world.article.published_at = pages_world.revision.fetched_at
    pages_world.article.publisher = "Harbour City Gazette"
    pages_world.article.save()
    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    claim = Claim.objects.get(pk=pages_world.claim.pk)
    document = claimreview_document(claim)
    assert document["@context"] == "https://schema.org"
    assert document["url"] == f"https://desk.example.org/claims/{claim.pk}/"
    assert document["claimReviewed"] == claim.statement
    assert document["author"] == {
        "@type": "Organization",
        "name": "Harbour Desk",
        "url": "https://desk.example.org/",
    }
    assert document["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly accurate",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    item = document["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Organization", "name": "Port Authority"}
    assert item["datePublished"] == pages_world.revision.fetched_at.date().isoformat()
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "url": pages_world.article.canonical_url,
            "headline": "Terminal",
            "publisher": {"@type": "Organization", "name": "Harbour City Gazette"},
            "datePublished": pages_world.revision.fetched_at.date().isoformat(),
        }
    ]


def test_claimreview_unproven_has_no_number(pages_world, editor, factchecker):
    verdict = services.verdict_save(
        claim=pages_world.claim,
        user=factchecker,
        rating=Rating.objects.get(label="Unproven"),
        explanation="Nobody can check the count.",
        expected_version=pages_world.verdict.version,
    )
    verdict = services.verdict_submit(verdict=verdict, user=factchecker)
    services.verdict_publish(verdict=verdict, user=editor)
    document = claimreview_document(Claim.objects.get(pk=pages_world.claim.pk))
    assert document["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}


def test_claimreview_refuses_an_unpublished_claim(pages_world):
    with pytest.raises(NotPublished):
        claimreview_document(Claim.objects.get(pk=pages_world.claim.pk))


def test_jsonld_cannot_close_its_script_element(client, pages_world, editor):
    Claim.objects.filter(pk=pages_world.claim.pk).update(
        statement="Bad </script><script>alert(1)</script>"
    )
    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    html = client.get(reverse("claim_public", args=[pages_world.claim.pk])).content.decode()
    script = JSONLD.search(html).group(1)
    assert "</script>" not in script and "<" not in script
    assert json.loads(script)["claimReviewed"] == "Bad </script><script>alert(1)</script>"


def test_public_page_query_count_does_not_grow_with_evidence(client, pages_world, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.verdict_publish(verdict=pages_world.verdict, user=editor)
    url = reverse("claim_public", args=[pages_world.claim.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for _ in range(5):
        make_evidence(pages_world.claim, stance=Stance.CONTEXT, source=pages_world.union)
    assert count() == before
