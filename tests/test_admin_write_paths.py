"""Every write made in the admin goes through the services and keeps the API's status documents
true (SPEC section 7): deletes of published verdicts, appearances and claims with history,
renamed ratings, merges. Each focused test reads the API as the public does afterwards; the
long one drives every admin write path and ends with ``rebuild_documents --check``."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from articles.models import Article, Feed
from claims import candidates, services
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimChange,
    ClaimDocument,
    Evidence,
    Rating,
    ReviewState,
    Source,
    Verdict,
)


@pytest.fixture(autouse=True)
def _no_anonymous_throttle(settings):
    settings.FACTCHECK_ANON_RATE = None


# Driving the admin as a browser does -----------------------------------------------------


def _form_data(page) -> dict:
    """The POST body the admin page would send unchanged: the main form and every inline
    formset (management forms included), with each field's current value."""
    assert page.status_code == 200, page.status_code
    forms = [page.context["adminform"].form]
    data: dict = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else part
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value
    return data


def _errors(response) -> str:
    context = response.context
    if context is None or "adminform" not in context:
        return response.content.decode()[:2000]
    errors = [context["adminform"].form.errors]
    for inline in context.get("inline_admin_formsets", []):
        errors += [inline.formset.non_form_errors(), *inline.formset.errors]
    return repr([e for e in errors if e])


def _change(client, model: str, pk: int, app: str = "claims", **changes):
    """Open the change page of an object, change some fields, save; the save must succeed."""
    url = reverse(f"admin:{app}_{model}_change", args=[pk])
    response = client.post(url, {**_form_data(client.get(url)), **changes})
    assert response.status_code == 302, _errors(response)
    return response


def _add(client, model: str, app: str = "claims", **fields):
    url = reverse(f"admin:{app}_{model}_add")
    response = client.post(url, {**_form_data(client.get(url)), **fields})
    assert response.status_code == 302, _errors(response)
    return response


def _delete(client, model: str, pk: int, app: str = "claims"):
    """The admin's delete page, confirmed."""
    url = reverse(f"admin:{app}_{model}_delete", args=[pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _action(client, model: str, action: str, pks, app: str = "claims", **extra):
    response = client.post(
        reverse(f"admin:{app}_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: list(pks), **extra},
        follow=True,
    )
    assert response.status_code == 200
    return response


def _inline_prefix(page, model) -> str:
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline of {model.__name__}")


# Reading the API as the public does ------------------------------------------------------


def _public_claim(claim_id: int):
    return Client().get(reverse("api:claim-detail", args=[claim_id]))


def _public_article_claims(article: Article) -> list[dict]:
    response = Client().get(reverse("api:article-lookup"), {"url": article.canonical_url})
    assert response.status_code == 200
    return response.json()["claims"]


def _public_feed() -> list[dict]:
    return Client().get(reverse("api:changes"), {"after": 0}).json()["results"]


def _assert_documents_true():
    call_command("rebuild_documents", "--check", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def quoted(world):
    """The world's claim anchored in its article."""
    services.appearance_create(
        claim=world.claim, revision=world.revision, quote="4,200 containers passed through"
    )
    return world


def _published_verdict(claim, author, publisher, label="Mostly accurate") -> Verdict:
    verdict = services.verdict_save(
        claim=claim,
        user=author,
        rating=Rating.objects.get(label=label),
        explanation="Port records confirm the figure.",
    )
    verdict = services.verdict_submit(verdict=verdict, user=author)
    return services.verdict_publish(verdict=verdict, user=publisher)


# Focused: each of these left the API showing what is gone ---------------------------------


def test_deleting_a_published_verdict_in_the_admin_withdraws_it_from_the_api(
    client, quoted, editor, second_editor
):
    verdict = _published_verdict(quoted.claim, editor, second_editor)
    assert _public_claim(quoted.claim.pk).json()["verdict"]["label"] == "Mostly accurate"

    client.force_login(editor)
    _delete(client, "verdict", verdict.pk)

    assert not Verdict.objects.filter(pk=verdict.pk).exists()
    assert _public_claim(quoted.claim.pk).json()["verdict"] is None
    assert [c["verdict"] for c in _public_article_claims(quoted.article)] == [None]
    # The public, who saw it published, learns that it is withdrawn.
    last = _public_feed()[-1]
    assert (last["claim"], last["field"], last["from_value"], last["to_value"]) == (
        quoted.claim.pk,
        "verdict",
        "published",
        "deleted",
    )
    _assert_documents_true()


def test_deleting_an_appearance_in_the_admin_takes_the_claim_off_the_article(
    client, quoted, editor
):
    assert [c["id"] for c in _public_article_claims(quoted.article)] == [quoted.claim.pk]
    client.force_login(editor)
    _delete(client, "appearance", quoted.claim.appearances.get().pk)

    assert _public_article_claims(quoted.article) == []
    assert _public_claim(quoted.claim.pk).json()["appearances"] == []
    _assert_documents_true()


def test_removing_an_appearance_on_the_claim_page_takes_the_claim_off_the_article(
    client, quoted, editor
):
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[quoted.claim.pk])
    page = client.get(url)
    prefix = _inline_prefix(page, Appearance)
    response = client.post(url, {**_form_data(page), f"{prefix}-0-DELETE": "on"})
    assert response.status_code == 302, _errors(response)

    assert not Appearance.objects.filter(claim=quoted.claim).exists()
    assert _public_article_claims(quoted.article) == []
    _assert_documents_true()


def test_renaming_a_rating_in_the_admin_renames_it_in_the_api(
    client, quoted, editor, second_editor
):
    verdict = _published_verdict(quoted.claim, editor, second_editor)
    client.force_login(editor)
    _change(client, "rating", verdict.rating_id, label="Largely accurate")

    assert _public_claim(quoted.claim.pk).json()["verdict"]["label"] == "Largely accurate"
    assert _public_article_claims(quoted.article)[0]["verdict"]["label"] == "Largely accurate"
    _assert_documents_true()


def test_a_fact_checker_cannot_rename_ratings_through_the_service(quoted, factchecker):
    mixed = Rating.objects.get(label="Mixed")
    with pytest.raises(services.PermissionDenied):
        services.rating_update(rating=mixed, user=factchecker, label="Half true")
    assert Rating.objects.get(pk=mixed.pk).label == "Mixed"


def test_an_editor_deletes_a_claim_with_history_and_its_events_stay(
    client, quoted, editor, second_editor
):
    claim = quoted.claim
    services.evidence_create(
        claim=claim,
        stance="corroborates",
        source=quoted.outlet,
        url="https://ledger.example.org/containers",
        title="Ledger",
        user=editor,
    )
    _published_verdict(claim, editor, second_editor)
    before = list(ClaimChange.objects.filter(claim_id=claim.pk).values_list("id", flat=True))
    public_before = [e["cursor"] for e in _public_feed() if e["claim"] == claim.pk]
    assert len(before) >= 4 and public_before

    client.force_login(editor)
    # Before, the admin refused: "no permission to delete claim change".
    _delete(client, "claim", claim.pk)

    assert not Claim.objects.filter(pk=claim.pk).exists()
    events = list(ClaimChange.objects.filter(claim_id=claim.pk).order_by("id"))
    assert [e.pk for e in events[:-1]] == before
    assert (events[-1].field, events[-1].to_value, events[-1].actor) == ("claim", "deleted", editor)
    # The public feed keeps its old events, the deletion last.
    feed = [e for e in _public_feed() if e["claim"] == claim.pk]
    assert [e["cursor"] for e in feed[:-1]] == public_before
    assert (feed[-1]["field"], feed[-1]["to_value"]) == ("claim", "deleted")
    # The claim's history (django-simple-history) records who deleted it.
    assert Claim.history.filter(id=claim.pk, history_type="-").get().history_user == editor

    response = _public_claim(claim.pk)
    assert response.status_code == 410
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (410, "gone")
    assert f"Claim #{claim.pk} was deleted" in error["message"]
    assert error["details"] == {"claim": claim.pk, "event": "deleted", "merged_into": None}
    for name in ("claim-evidence", "claim-claimreview"):
        assert Client().get(reverse(f"api:{name}", args=[claim.pk])).status_code == 410
    # An id that never was a claim is still 404.
    assert _public_claim(claim.pk + 1000).status_code == 404
    assert _public_article_claims(quoted.article) == []
    _assert_documents_true()


def test_a_fact_checker_may_not_delete_claims(client, quoted, factchecker):
    client.force_login(factchecker)
    url = reverse("admin:claims_claim_delete", args=[quoted.claim.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=quoted.claim.pk).exists()


def test_merging_in_the_admin_keeps_past_events_and_sends_a_moved_verdict_back_to_review(
    client, quoted, editor, second_editor
):
    target = quoted.claim
    duplicate = services.claim_create(
        statement="In March 4,200 containers went through the north terminal.",
        claimant=quoted.port,
    )
    services.evidence_create(
        claim=duplicate,
        stance="corroborates",
        source=quoted.outlet,
        url="https://ledger.example.org/a",
        title="Ledger",
        user=editor,
    )
    _published_verdict(duplicate, second_editor, editor)
    duplicate_events = list(
        ClaimChange.objects.filter(claim_id=duplicate.pk).values_list("id", flat=True)
    )
    target_events = list(
        ClaimChange.objects.filter(claim_id=target.pk).values_list("id", flat=True)
    )

    client.force_login(editor)
    response = _action(client, "claim", "merge_claims", [target.pk, duplicate.pk], target=target.pk)
    assert f"Merged 1 claim(s) into claim #{target.pk}" in response.content.decode()

    # Past events stay where they happened; the duplicate's last event is the merge.
    events = list(ClaimChange.objects.filter(claim_id=duplicate.pk).order_by("id"))
    assert [e.pk for e in events[:-1]] == duplicate_events
    assert (events[-1].field, events[-1].to_value, events[-1].merged_into) == (
        "claim",
        "merged",
        target.pk,
    )
    assert set(target_events) <= set(
        ClaimChange.objects.filter(claim_id=target.pk).values_list("id", flat=True)
    )
    assert not ClaimChange.objects.filter(pk__in=duplicate_events, claim_id=target.pk).exists()

    # The moved verdict was reviewed for another statement: back in review, not public.
    verdict = Verdict.objects.get(claim=target)
    assert (verdict.state, verdict.published_at, verdict.written_by) == (
        ReviewState.IN_REVIEW,
        None,
        editor,
    )
    assert _public_claim(target.pk).json()["verdict"] is None
    # The merging editor cannot publish it alone; a second editor can.
    with pytest.raises(services.ReviewRuleError):
        services.verdict_publish(verdict=verdict, user=editor)
    services.verdict_publish(verdict=verdict, user=second_editor)
    assert _public_claim(target.pk).json()["verdict"]["label"] == "Mostly accurate"

    gone = _public_claim(duplicate.pk)
    assert gone.status_code == 410
    assert gone.json()["error"]["details"]["merged_into"] == target.pk
    feed = [e for e in _public_feed() if e["claim"] == duplicate.pk]
    assert (feed[-1]["to_value"], feed[-1]["merged_into"]) == ("merged", target.pk)
    _assert_documents_true()


def test_a_top_level_source_can_be_deleted_in_the_admin(client, world, editor):
    lonely = services.source_create(name="Lonely Blog", kind="outlet")
    client.force_login(editor)
    _delete(client, "source", lonely.pk)
    assert not Source.objects.filter(pk=lonely.pk).exists()


def test_rebuild_documents_check_finds_a_document_written_around_the_services(quoted):
    _assert_documents_true()
    # A write around the services: the claim's text changes, its document does not.
    Claim.objects.filter(pk=quoted.claim.pk).update(statement="Changed behind its back.")
    out = []

    class Lines:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    with pytest.raises(CommandError, match="2 document"):
        call_command("rebuild_documents", "--check", stdout=Lines())
    # The claim's document and its article's list of claims.
    assert any(f"claim {quoted.claim.pk}: public body" in line for line in out)
    call_command("rebuild_documents", stdout=Lines())
    _assert_documents_true()


# Every admin write path, then the documents checked against a fresh render ---------------


def test_every_admin_write_path_keeps_the_documents_true(
    client, world, editor, second_editor, factchecker
):
    client.force_login(editor)
    claim = world.claim

    # Sources: add, rename (claim documents show the claimant's name), move in the tree.
    _add(client, "source", name="Harbour Radio", kind="outlet", url="https://radio.example.org/")
    radio = Source.objects.get(name="Harbour Radio")
    _change(client, "source", world.port.pk, name="Harbour Port Authority")
    assert _public_claim(claim.pk).json()["claimant"]["name"] == "Harbour Port Authority"

    # A claim added in the admin, then changed with an appearance and evidence inline.
    _add(
        client,
        "claim",
        statement="About 120 jobs depend on the terminal.",
        claimant=world.council.pk,
    )
    jobs = Claim.objects.get(statement="About 120 jobs depend on the terminal.")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = client.get(url)
    appearances, evidence = _inline_prefix(page, Appearance), _inline_prefix(page, Evidence)
    response = client.post(
        url,
        {
            **_form_data(page),
            f"{appearances}-TOTAL_FORMS": 1,
            f"{appearances}-0-revision": world.revision.pk,
            f"{appearances}-0-quote": "4,200 containers passed through",
            f"{evidence}-0-stance": "corroborates",
            f"{evidence}-0-source": radio.pk,
            f"{evidence}-0-url": "https://radio.example.org/port",
            f"{evidence}-0-title": "Radio: a record March",
        },
    )
    assert response.status_code == 302, _errors(response)
    assert _public_claim(claim.pk).json()["status"] == "corroborated"
    # The evidence inline changed (its stance), then deleted.
    page = client.get(url)
    _change(client, "claim", claim.pk, **{f"{evidence}-0-stance": "disputes"})
    assert _public_claim(claim.pk).json()["status"] == "disputed"
    page = client.get(url)
    _change(client, "claim", claim.pk, **{f"{evidence}-0-DELETE": "on"})
    assert _public_claim(claim.pk).json()["status"] == "unverified"

    # Evidence on its own page: add, change, delete.
    _add(
        client,
        "evidence",
        claim=claim.pk,
        stance="corroborates",
        source=world.outlet.pk,
        url="https://ledger.example.org/march",
        title="Ledger: March figures",
    )
    ledger = Evidence.objects.get(url="https://ledger.example.org/march")
    assert _public_claim(claim.pk).json()["evidence_counts"]["corroborates"] == 1
    _change(client, "evidence", ledger.pk, stance="context")
    assert _public_claim(claim.pk).json()["evidence_counts"]["context"] == 1
    _delete(client, "evidence", ledger.pk)
    assert _public_claim(claim.pk).json()["evidence_counts"]["context"] == 0
    services.evidence_create(
        claim=claim,
        stance="corroborates",
        source=world.union,
        url="https://union.example.org/count",
        title="Union count",
        user=editor,
    )

    # A source moved in the tree: the union joins the city, so its support is no longer
    # independent of the port authority's claim.
    assert _public_claim(claim.pk).json()["status"] == "corroborated"
    _change(client, "source", world.union.pk, parent=world.government.pk)
    assert _public_claim(claim.pk).json()["status"] == "unverified"

    # A verdict written on the claim page, submitted, published by a second editor.
    page = client.get(url)
    verdicts = _inline_prefix(page, Verdict)
    _change(
        client,
        "claim",
        claim.pk,
        **{
            f"{verdicts}-0-rating": Rating.objects.get(label="Mixed").pk,
            f"{verdicts}-0-explanation": "Transfers were counted twice.",
        },
    )
    verdict = Verdict.objects.get(claim=claim)
    _action(client, "verdict", "submit", [verdict.pk])
    client.force_login(second_editor)
    _action(client, "claim", "publish_verdicts", [claim.pk])
    assert _public_claim(claim.pk).json()["verdict"]["label"] == "Mixed"
    client.force_login(editor)
    # Revised on the verdict's own page (back to draft; the public keeps the published one).
    _change(client, "verdict", verdict.pk, explanation="Transfers were counted twice; fixed.")
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.DRAFT
    assert _public_claim(claim.pk).json()["verdict"]["explanation"] == (
        "Transfers were counted twice."
    )

    # The rating scale: renamed, added, deleted.
    _change(client, "rating", verdict.rating_id, label="Half right")
    assert _public_claim(claim.pk).json()["verdict"]["label"] == "Half right"
    _add(client, "rating", label="Satire", description="Not meant as fact.")
    _delete(client, "rating", Rating.objects.get(label="Satire").pk)

    # A published verdict deleted on its own page.
    _delete(client, "verdict", verdict.pk)
    assert _public_claim(claim.pk).json()["verdict"] is None

    # Candidates: accepted, rejected, attached (their actions call the candidate services).
    found = candidates.candidates_generate(revision=world.revision)
    council = next(c for c in found if c.text.startswith("The city council"))
    union = next(c for c in found if "Ribeiro" in c.text)
    _action(client, "candidate", "accept_candidates", [council.pk])
    assert Candidate.objects.get(pk=council.pk).state == CandidateState.ACCEPTED
    _action(client, "candidate", "reject_candidates", [union.pk], reason="Opinion")
    assert Candidate.objects.get(pk=union.pk).state == CandidateState.REJECTED
    port = next(c for c in found if c.text.startswith("The port authority"))
    # (The claim already appears in this revision; the one added in the admin does not.)
    Candidate.objects.filter(pk=port.pk).update(matched_claim=jobs, match_score=0.9)
    _action(client, "candidate", "attach_to_matched_claims", [port.pk], confirm="1")
    assert Candidate.objects.get(pk=port.pk).claim_id == jobs.pk

    # Merging the accepted claim into the one added in the admin.
    accepted = Candidate.objects.get(pk=council.pk).claim
    _action(client, "claim", "merge_claims", [jobs.pk, accepted.pk], target=jobs.pk)
    assert not Claim.objects.filter(pk=accepted.pk).exists()

    # The appearance removed on its own page; the claim with its history deleted.
    _delete(client, "appearance", Appearance.objects.filter(claim=jobs).first().pk)
    _delete(client, "claim", jobs.pk)
    assert _public_claim(jobs.pk).status_code == 410

    # The claim changed in the admin (statement, review flag), a claim-less source deleted.
    _change(client, "claim", claim.pk, statement="4,200 containers passed the north terminal.")
    assert _public_claim(claim.pk).json()["statement"] == (
        "4,200 containers passed the north terminal."
    )
    _delete(client, "source", radio.pk)

    # Articles and feeds (the pipeline's admin), through their services.
    _change(client, "article", world.article.pk, app="articles", title="Terminal traffic")
    assert Article.objects.get(pk=world.article.pk).title == "Terminal traffic"
    response = Client().get(reverse("api:article-detail", args=[world.article.pk]))
    assert response.json()["title"] == "Terminal traffic"
    _add(client, "feed", app="articles", url="https://gazette.example.org/rss.xml", paused="on")
    feed = Feed.objects.get(url="https://gazette.example.org/rss.xml")
    _change(client, "feed", feed.pk, app="articles", check_interval=120)
    _action(client, "feed", "resume", [feed.pk], app="articles")
    _action(client, "feed", "pause", [feed.pk], app="articles")
    feed.refresh_from_db()
    assert (feed.check_interval, feed.paused) == (120, True)

    # Nothing the admin wrote left a document behind.
    _assert_documents_true()
    assert ClaimDocument.objects.filter(claim_id=claim.pk).exists()
    assert json.loads(ClaimDocument.objects.get(claim_id=claim.pk).public_body)["id"] == claim.pk
