"""Who made a claim, as editors decide it (SPEC sections 3 and 6): sources have aliases, a
suggested claimant resolves through names and aliases, and accepting a candidate never makes a
source out of the suggested text; a new source is an explicit step with its parent."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.services import article_get_or_create, revision_record
from claims import candidate_review, claimants, services
from claims.candidates import candidates_generate
from claims.models import (
    Candidate,
    CandidateState,
    Claim,
    ClaimStatus,
    Source,
    SourceAlias,
    SourceKind,
    Stance,
)

TEXT = (
    "The Kremlin said on Tuesday that 300 Ukrainian drones were shot down over the Kursk "
    "region overnight.\n"
    "Belarusian border guards said that 40 trucks crossed the border on Monday.\n"
)
CANDIDATES = "admin:claims_candidate_changelist"


@pytest.fixture
def russia(world, editor):
    """The Government of Russia, called "Kremlin" in the news, with a ministry under it, and
    an article whose candidates name the Kremlin and someone not on record."""

    class Russia:
        pass

    r = Russia()
    r.government = services.source_create(name="Government of Russia", kind=SourceKind.GOVERNMENT)
    r.ministry = services.source_create(
        name="Ministry of Defence of Russia", kind=SourceKind.GOVERNMENT, parent=r.government
    )
    services.source_alias_add(source=r.government, alias="Kremlin", user=editor)
    r.article, _ = article_get_or_create(url="https://wire.example.org/drones", title="Drones")
    r.revision, _ = revision_record(article=r.article, text=TEXT, title="Drones")
    candidates_generate(revision=r.revision)
    r.kremlin = Candidate.objects.get(article=r.article, text__startswith="The Kremlin")
    r.guards = Candidate.objects.get(article=r.article, text__startswith="Belarusian")
    r.world = world
    return r


def _review(r, candidate) -> str:
    return reverse("article_review", args=[r.article.pk]) + f"?candidate={candidate.pk}"


def _accept_url(r, candidate) -> str:
    return reverse("article_candidate_accept", args=[r.article.pk, candidate.pk])


# Aliases -----------------------------------------------------------------------------------


def test_a_claimant_resolves_through_aliases(russia):
    assert russia.kremlin.suggested_claimant == "The Kremlin"
    assert claimants.source_match("The Kremlin") == russia.government
    assert claimants.source_match("Kremlin spokesman Dmitry Peskov") == russia.government
    assert claimants.suggested_source(russia.kremlin) == russia.government
    assert claimants.suggested_source(russia.guards) is None


def test_a_claimant_two_sources_fit_equally_is_left_to_the_editor(russia, editor):
    other = services.source_create(name="Presidential Office", kind=SourceKind.GOVERNMENT)
    services.source_alias_add(source=other, alias="kremlin", user=editor)
    assert claimants.source_match("The Kremlin") is None


def test_aliases_are_unique_per_source_in_any_case_and_need_the_right_to_change_sources(
    russia, editor, viewer
):
    with pytest.raises(ValidationError, match="already has this alias"):
        services.source_alias_add(source=russia.government, alias="  KREMLIN ", user=editor)
    with pytest.raises(PermissionDenied):
        services.source_alias_add(source=russia.government, alias="Moscow", user=viewer)
    alias = services.source_alias_add(source=russia.government, alias="Moscow", user=editor)
    assert alias.history.get().history_user == editor
    assert set(russia.government.aliases.values_list("alias", flat=True)) == {"Kremlin", "Moscow"}
    assert list(Source.objects.search("krem")) == [russia.government]


def test_aliases_are_edited_searched_and_shown_in_the_source_admin(client, russia, editor):
    client.force_login(editor)
    url = reverse("admin:claims_source_change", args=[russia.government.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Kremlin"' in page.content.decode()
    (kremlin,) = russia.government.aliases.all()
    data = {
        "name": "Government of Russia",
        "kind": SourceKind.GOVERNMENT,
        "parent": "",
        "url": "",
        "description": "",
        "aliases-TOTAL_FORMS": "2",
        "aliases-INITIAL_FORMS": "1",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-id": kremlin.pk,
        "aliases-0-source": russia.government.pk,
        "aliases-0-alias": "Kremlin",
        "aliases-1-source": russia.government.pk,
        "aliases-1-alias": "Russian government",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = SourceAlias.objects.get(alias="Russian government")
    assert added.source == russia.government
    assert added.history.get().history_user == editor

    listing = client.get(reverse("admin:claims_source_changelist") + "?q=russian+government")
    assert list(listing.context["cl"].result_list) == [russia.government]
    assert "Kremlin, Russian government" in listing.content.decode()


def test_the_api_finds_a_source_by_its_alias(client, russia):
    response = client.get("/api/v1/sources/?q=kremlin")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [russia.government.pk]
    assert response.json()["results"][0]["aliases"] == ["Kremlin"]


# Accepting on the review page ---------------------------------------------------------------


def test_accepting_a_candidate_named_by_an_alias_uses_that_source_and_creates_none(
    client, russia, factchecker
):
    client.force_login(factchecker)
    page = client.get(_review(russia, russia.kremlin))
    html = page.content.decode()
    assert page.context["resolved_claimant"] == russia.government
    assert f'<option value="{russia.government.pk}" selected>Government of Russia' in html
    assert "on record as <strong>Government of Russia</strong>" in html
    sources_before = Source.objects.count()

    response = client.post(
        _accept_url(russia, russia.kremlin),
        {"statement": russia.kremlin.text, "claimant": russia.government.pk},
    )

    assert response.status_code == 302
    claim = Claim.objects.get(candidates=russia.kremlin)
    assert claim.claimant == russia.government
    assert Source.objects.count() == sources_before
    assert not Source.objects.filter(name__icontains="kremlin").exists()


def test_the_source_list_narrows_to_names_and_aliases(client, russia, factchecker):
    client.force_login(factchecker)
    response = client.get(
        reverse("source_choices"),
        {"field": "claimant", "claimant_search": "krem", "claimant": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{russia.government.pk}">Government of Russia, also “Kremlin”' in html
    assert "Ministry of Defence" not in html
    parents = client.get(
        reverse("source_choices"),
        {"field": "new_source_parent", "new_source_parent_search": "zzz"},
    ).content.decode()
    assert 'value="none"' in parents and "No source has “zzz”" in parents


def test_accepting_with_no_resolvable_claimant_and_no_choice_is_refused(
    client, russia, factchecker
):
    client.force_login(factchecker)
    page = client.get(_review(russia, russia.guards))
    assert page.context["resolved_claimant"] is None
    assert "not a source on record by name or alias" in page.content.decode()
    sources_before, claims_before = Source.objects.count(), Claim.objects.count()

    response = client.post(_accept_url(russia, russia.guards), {"statement": "40 trucks."})

    assert response.status_code == 400
    assert "Choose who made the claim, or add the claimant as a new source." in (
        response.content.decode()
    )
    assert (Source.objects.count(), Claim.objects.count()) == (sources_before, claims_before)
    assert Candidate.objects.get(pk=russia.guards.pk).state == CandidateState.NEW
    # The service refuses as well, whoever calls it.
    with pytest.raises(ValidationError, match="Choose who made the claim"):
        candidate_review.candidate_accept(candidate=russia.guards, user=factchecker)
    assert Source.objects.count() == sources_before


def test_a_new_source_asks_for_its_parent_and_then_evidence_independence_follows_it(
    client, russia, factchecker
):
    client.force_login(factchecker)
    url = _accept_url(russia, russia.kremlin)
    new_source = {
        "statement": "300 Ukrainian drones were shot down over the Kursk region.",
        "new_source": "on",
        "new_source_name": "Presidential Executive Office of Russia",
        "new_source_kind": SourceKind.GOVERNMENT,
    }
    sources_before = Source.objects.count()
    refused = client.post(url, new_source)
    assert refused.status_code == 400
    assert "Choose the source it belongs to, or say it belongs to none" in (
        refused.content.decode()
    )
    # A name already on record is that source, not a second one.
    known = client.post(
        url, {**new_source, "new_source_name": "kremlin", "new_source_parent": "none"}
    )
    assert known.status_code == 400
    assert "is already on record as the source “Government of Russia”" in known.content.decode()
    assert Source.objects.count() == sources_before

    response = client.post(url, {**new_source, "new_source_parent": russia.government.pk})

    assert response.status_code == 302
    office = Source.objects.get(name="Presidential Executive Office of Russia")
    assert (office.parent, office.root, office.kind) == (
        russia.government,
        russia.government,
        SourceKind.GOVERNMENT,
    )
    assert office.history.get().history_user == factchecker
    claim = Claim.objects.get(candidates=russia.kremlin)
    assert claim.claimant == office
    # The ministry is part of the same government: its confirmation is not independent.
    services.evidence_create(
        claim=claim,
        stance=Stance.CORROBORATES,
        source=russia.ministry,
        url="https://mil.example.ru/drones",
        title="Drones destroyed overnight",
        user=factchecker,
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIED
    services.evidence_create(
        claim=claim,
        stance=Stance.CORROBORATES,
        source=russia.world.outlet,
        url="https://ledger.example.org/drones",
        title="Drones over Kursk",
        user=factchecker,
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CORROBORATED


def test_a_viewer_cannot_add_a_source_through_accept(russia, viewer, factchecker):
    request = candidate_review.NewSource(
        name="Belarusian border guards", kind="government", parent=None
    )
    with pytest.raises(PermissionDenied):
        candidate_review.candidate_accept(candidate=russia.guards, user=viewer, new_source=request)
    assert not Source.objects.filter(name="Belarusian border guards").exists()
    claim = candidate_review.candidate_accept(
        candidate=russia.guards, user=factchecker, new_source=request
    )
    assert (claim.claimant.name, claim.claimant.parent) == ("Belarusian border guards", None)


# Accepting in the admin --------------------------------------------------------------------


def test_admin_accept_uses_the_source_an_alias_names_and_refuses_an_unknown_claimant(
    client, russia, factchecker
):
    client.force_login(factchecker)
    sources_before = Source.objects.count()
    response = client.post(
        reverse(CANDIDATES),
        {
            "action": "accept_candidates",
            ACTION_CHECKBOX_NAME: [russia.kremlin.pk, russia.guards.pk],
        },
        follow=True,
    )
    html = response.content.decode()
    assert "1 candidate(s) accepted" in html
    assert "“Belarusian border guards” is not a source on record" in html
    assert "on the article&#x27;s review page" in html
    assert Claim.objects.get(candidates=russia.kremlin).claimant == russia.government
    assert Candidate.objects.get(pk=russia.guards.pk).state == CandidateState.NEW
    assert Source.objects.count() == sources_before


# Attaching ---------------------------------------------------------------------------------


def test_attaching_adds_an_appearance_and_no_figures_unless_asked(russia, factchecker):
    claim = services.claim_create(
        statement="Russia says it shot down 300 drones over Kursk.", claimant=russia.government
    )
    appearance = candidate_review.candidate_attach(
        candidate=russia.kremlin, claim=claim, user=factchecker
    )
    assert appearance.claim == claim
    assert not claim.figures.exists()

    other = services.claim_create(
        statement="40 trucks crossed from Belarus.", claimant=russia.world.outlet
    )
    candidate_review.candidate_attach(
        candidate=russia.guards, claim=other, user=factchecker, add_figures=True
    )
    assert list(other.figures.values_list("text", flat=True)) == ["40 trucks"]


def test_admin_attach_asks_whether_to_add_figures(client, russia, factchecker):
    claim = services.claim_create(
        statement="Russia says it shot down 300 drones over Kursk.", claimant=russia.government
    )
    Candidate.objects.filter(pk=russia.kremlin.pk).update(matched_claim=claim, match_score=0.9)
    client.force_login(factchecker)
    data = {"action": "attach_to_matched_claims", ACTION_CHECKBOX_NAME: [russia.kremlin.pk]}
    form_page = client.post(reverse(CANDIDATES), data)
    assert form_page.status_code == 200 and 'name="add_figures"' in form_page.content.decode()
    assert Candidate.objects.get(pk=russia.kremlin.pk).state == CandidateState.NEW

    client.post(reverse(CANDIDATES), {**data, "confirm": "True"}, follow=True)

    assert Candidate.objects.get(pk=russia.kremlin.pk).claim == claim
    assert claim.appearances.count() == 1 and not claim.figures.exists()
