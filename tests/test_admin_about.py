"""The parties a claim is about, in the admin: chosen with autocomplete on the claim page,
saved through the claim services (status recomputed, history recorded, documents true)."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimChange, ClaimStatus
from tests.conftest import make_evidence
from tests.test_admin_write_paths import (
    _add,
    _assert_documents_true,
    _change,
    _public_claim,
)


@pytest.fixture(autouse=True)
def _no_anonymous_throttle(settings):
    settings.FACTCHECK_ANON_RATE = None


def test_about_is_chosen_with_autocomplete_and_saved_through_the_services(client, world, editor):
    client.force_login(editor)
    make_evidence(world.claim, stance="disputes", source=world.union, user=editor)
    assert _public_claim(world.claim.pk).json()["status"] == "disputed"

    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    page = client.get(url).content.decode()
    assert 'name="about"' in page
    assert (
        'name="about" aria-describedby="id_about_helptext" id="id_about" class="admin-autocomplete"'
        in page
    )
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "claims",
            "model_name": "claim",
            "field_name": "about",
            "term": "Dock",
        },
    ).json()
    assert [row["text"] for row in found["results"]] == ["Dock Workers' Union"]

    _change(client, "claim", world.claim.pk, about=[world.union.pk])
    claim = Claim.objects.get(pk=world.claim.pk)
    assert list(claim.about.all()) == [world.union]
    assert claim.status == ClaimStatus.UNVERIFIED
    change = ClaimChange.objects.filter(claim=claim).last()
    assert (change.from_value, change.to_value, change.actor) == ("disputed", "unverified", editor)
    body = _public_claim(claim.pk).json()
    assert body["about"] == [world.union.pk]
    assert body["status_explanation"].startswith("Denied by Dock Workers' Union, a party")
    record = claim.history.order_by("-history_id").first()
    assert [row.source_id for row in record.about.all()] == [world.union.pk]

    # The claim page says why the union's evidence is not independent.
    page = client.get(url).content.decode()
    assert "no (a party the claim is about, or under one)" in page
    assert "1 disputing (0 independent)" in page

    # Emptying the field removes the party again.
    _change(client, "claim", world.claim.pk, about=[])
    assert Claim.objects.get(pk=world.claim.pk).status == ClaimStatus.DISPUTED
    _assert_documents_true()


def test_a_claim_added_in_the_admin_with_parties(client, world, editor):
    client.force_login(editor)
    _add(
        client,
        "claim",
        statement="The union blocked the northern gate.",
        claimant=world.outlet.pk,
        about=[world.union.pk, world.government.pk],
    )
    claim = Claim.objects.get(statement="The union blocked the northern gate.")
    assert set(claim.about.all()) == {world.union, world.government}
    assert claim.created_by == editor
    _assert_documents_true()


def test_a_viewer_cannot_change_about(client, world, viewer):
    client.force_login(viewer)
    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    response = client.post(
        url,
        {"statement": world.claim.statement, "claimant": world.port.pk, "about": [world.union.pk]},
    )
    assert response.status_code == 403
    assert not Claim.objects.get(pk=world.claim.pk).about.exists()


def test_a_change_no_person_made_shows_system_as_its_actor(client, world, editor):
    # A service called without a user (a background job, a rule change) records no actor.
    make_evidence(world.claim, stance="corroborates", source=world.outlet)
    client.force_login(editor)
    page = client.get(reverse("admin:claims_claim_change", args=[world.claim.pk]))
    rows = page.content.decode().split("Status and verdict history", 1)[1]
    assert '<td class="field-by">' in rows
    assert "<p>system</p>" in rows
    services.claim_update(claim=world.claim, about=[world.outlet], user=editor)
    page = client.get(reverse("admin:claims_claim_change", args=[world.claim.pk]))
    rows = page.content.decode().split("Status and verdict history", 1)[1]
    assert f"<p>{editor.username}</p>" in rows


def test_the_claims_history_page_shows_the_parties_changing(client, world, editor):
    services.claim_update(claim=world.claim, about=[world.union], user=editor)
    services.claim_update(claim=world.claim, about=[world.union, world.outlet], user=editor)
    client.force_login(editor)
    response = client.get(reverse("admin:claims_claim_history", args=[world.claim.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "About" in html or "about" in html
    assert "Coastal Ledger" in html
