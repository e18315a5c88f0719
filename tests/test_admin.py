"""The admin is the editors' main tool: pages render for editors, refuse anonymous visitors,
save through the services, and show rule violations as messages or form errors."""

import pytest
from django.contrib import admin
from django.urls import reverse

from articles.models import Article
from claims import services
from claims.models import Claim, ClaimStatus, Evidence, Rating, ReviewState, Source, Stance, Verdict
from tests.conftest import make_evidence

# Rows only the system writes: ingestion, re-anchoring, candidates, history, login records.
NO_ADD_PAGE = {
    "articlerevision",
    "appearance",
    "candidate",
    "claimchange",
    "accessattempt",
    "accesslog",
    "accessfailurelog",
    "event",  # webhook deliveries: written by the workers alone
}


def _admin_urls(world):
    """Changelist, add and change page of every registered model."""
    objects = {
        "article": world.article,
        "articlerevision": world.revision,
        "source": world.outlet,
        "claim": world.claim,
        "rating": Rating.objects.first(),
    }
    urls = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))
        obj = objects.get(model._meta.model_name) or model._default_manager.first()
        if obj is not None:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
            urls.append(reverse(f"{prefix}_history", args=[obj.pk]))
    return urls


def test_every_admin_page_renders_for_an_editor(client, world, editor):
    make_evidence(world.claim, source=world.outlet, user=editor)
    editor.is_superuser = True  # every model, including users and groups
    editor.save()
    client.force_login(editor)
    for url in _admin_urls(world):
        _admin, _app, model_name, *page = url.strip("/").split("/")
        expected = 403 if page == ["add"] and model_name in NO_ADD_PAGE else 200
        assert client.get(url).status_code == expected, url


def test_admin_pages_refuse_anonymous_visitors(client, world):
    for url in _admin_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_viewer_sees_claims_but_cannot_change_them(client, world, viewer):
    client.force_login(viewer)
    change_url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    assert client.get(reverse("admin:claims_claim_changelist")).status_code == 200
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="statement"' not in page.content  # read-only view
    response = client.post(change_url, {"statement": "Changed", "claimant": world.port.pk})
    assert response.status_code == 403
    assert Claim.objects.get(pk=world.claim.pk).statement == world.claim.statement


def _claim_form(claim, **overrides):
    """The POST body of the claim change page with its inlines, as a browser sends it."""
    data = {
        "statement": claim.statement,
        "claimant": claim.claimant_id,
        "expected_version": claim.version,
        "needs_review_reason": "",
        "evidence-TOTAL_FORMS": 0,
        "evidence-INITIAL_FORMS": 0,
        "appearances-TOTAL_FORMS": 0,
        "appearances-INITIAL_FORMS": 0,
        "verdict-TOTAL_FORMS": 0,
        "verdict-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "changes-TOTAL_FORMS": 0,
        "changes-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_adding_evidence_inline_updates_status_and_history(client, world, factchecker):
    client.force_login(factchecker)
    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    response = client.post(
        url,
        _claim_form(
            world.claim,
            **{
                "evidence-TOTAL_FORMS": 1,
                "evidence-0-stance": "corroborates",
                "evidence-0-source": world.outlet.pk,
                "evidence-0-url": "https://ledger.example.org/containers",
                "evidence-0-title": "Ledger: terminal traffic in March",
            },
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    claim = Claim.objects.get(pk=world.claim.pk)
    assert claim.status == ClaimStatus.CORROBORATED
    assert claim.status_explanation == "Corroborated by 1 independent source."
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.added_by == factchecker
    assert evidence.history.get().history_user == factchecker
    assert claim.history.latest().history_user == factchecker
    # The claim page shows the badge and explanation.
    page = client.get(url)
    assert b'<span class="badge status-corroborated">' in page.content
    assert b"Corroborated by 1 independent source." in page.content
    history = client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert factchecker.username.encode() in history.content


def test_stale_claim_page_save_is_a_form_error(client, world, factchecker, editor):
    client.force_login(factchecker)
    opened_version = world.claim.version
    services.claim_update(claim=world.claim, user=editor, statement="Edited by the editor.")
    response = client.post(
        reverse("admin:claims_claim_change", args=[world.claim.pk]),
        _claim_form(
            world.claim, statement="Edited by the fact-checker.", expected_version=opened_version
        ),
    )
    assert response.status_code == 200
    assert b"changed by someone else" in response.content
    assert Claim.objects.get(pk=world.claim.pk).statement == "Edited by the editor."


def test_appearance_quote_must_be_in_the_revision(client, world, factchecker):
    client.force_login(factchecker)
    response = client.post(
        reverse("admin:claims_claim_change", args=[world.claim.pk]),
        _claim_form(
            world.claim,
            **{
                "appearances-TOTAL_FORMS": 1,
                "appearances-0-revision": world.revision.pk,
                "appearances-0-quote": "a sentence the article never printed",
            },
        ),
    )
    assert response.status_code == 200
    assert b"does not appear in this revision" in response.content
    assert not world.claim.appearances.exists()

    response = client.post(
        reverse("admin:claims_claim_change", args=[world.claim.pk]),
        _claim_form(
            world.claim,
            **{
                "appearances-TOTAL_FORMS": 1,
                "appearances-0-revision": world.revision.pk,
                "appearances-0-quote": "4,200 containers passed through the northern terminal",
            },
        ),
    )
    assert response.status_code == 302
    appearance = world.claim.appearances.get()
    assert world.revision.text[appearance.start : appearance.end] == appearance.quote
    assert appearance.prefix.endswith("said on Monday that ")


def test_duplicate_evidence_url_is_a_form_error(client, world, factchecker):
    make_evidence(
        world.claim,
        stance=Stance.CONTEXT,
        source=world.outlet,
        url="https://ledger.example.org/dup",
        user=factchecker,
    )
    claim = Claim.objects.get(pk=world.claim.pk)
    client.force_login(factchecker)
    response = client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]),
        _claim_form(
            claim,
            **{
                "evidence-TOTAL_FORMS": 2,
                "evidence-INITIAL_FORMS": 1,
                "evidence-0-id": claim.evidence.get().pk,
                "evidence-0-claim": claim.pk,
                "evidence-0-stance": "context",
                "evidence-0-source": world.outlet.pk,
                "evidence-0-url": "https://ledger.example.org/dup",
                "evidence-0-title": "Ledger",
                "evidence-1-stance": "corroborates",
                "evidence-1-source": world.union.pk,
                "evidence-1-url": "https://ledger.example.org/dup",
                "evidence-1-title": "Same link again",
            },
        ),
    )
    assert response.status_code == 200
    # Two rows of one POST with the same link: the inline formset's own check of the
    # (claim, url) unique constraint refuses them before the service is asked.
    (evidence_formset,) = (
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "evidence"
    )
    assert evidence_formset.non_form_errors() == ["Please correct the duplicate data for url."]
    assert claim.evidence.count() == 1


def test_verdict_workflow_through_the_admin(client, world, factchecker, editor, second_editor):
    mixed = Rating.objects.get(label="Mixed")
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_claim_change", args=[world.claim.pk]),
        _claim_form(
            world.claim,
            **{
                "verdict-TOTAL_FORMS": 1,
                "verdict-0-rating": mixed.pk,
                "verdict-0-explanation": "The port counted transfers twice.",
            },
        ),
    )
    assert response.status_code == 302
    verdict = Verdict.objects.get(claim=world.claim)
    assert (verdict.state, verdict.written_by) == (ReviewState.DRAFT, editor)

    step = reverse("admin:claims_claim_verdict_step", args=[world.claim.pk, "submit"])
    client.post(step)
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW

    # The author cannot publish: refused with a message, nothing changes.
    publish = reverse("admin:claims_claim_verdict_step", args=[world.claim.pk, "publish"])
    response = client.post(publish, follow=True)
    assert b"A second editor must publish this verdict" in response.content
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW

    # A fact-checker cannot publish either.
    client.force_login(factchecker)
    response = client.post(publish, follow=True)
    assert b"do not have permission to publish" in response.content

    client.force_login(second_editor)
    changelist = reverse("admin:claims_claim_changelist")
    response = client.post(
        changelist,
        {"action": "publish_verdicts", "_selected_action": [world.claim.pk]},
        follow=True,
    )
    assert b"1 verdict published" in response.content
    stored = Verdict.objects.get(pk=verdict.pk)
    assert (stored.state, stored.published_by) == (ReviewState.PUBLISHED, second_editor)


def test_changelist_filters_and_search(client, world, editor):
    other = services.claim_create(statement="Union membership doubled.", claimant=world.union)
    make_evidence(
        other, stance=Stance.DISPUTES, source=world.outlet, title="Union figures", user=editor
    )
    client.force_login(editor)
    url = reverse("admin:claims_claim_changelist")
    disputed = client.get(url, {"status__exact": "disputed"})
    assert list(disputed.context["cl"].result_list) == [other]
    flagged = client.get(url, {"needs_review__exact": "1"})
    assert list(flagged.context["cl"].result_list) == []
    by_source = client.get(url, {"q": "Union figures"})
    assert list(by_source.context["cl"].result_list) == [other]
    no_verdict = client.get(url, {"review": "none"})
    assert set(no_verdict.context["cl"].result_list) == {world.claim, other}


def test_source_cycle_is_a_form_error(client, world, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_change", args=[world.government.pk]),
        {
            "name": world.government.name,
            "kind": "government",
            "parent": world.port.pk,
            "url": "",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert b"cannot be its own ancestor" in response.content
    assert Source.objects.get(pk=world.government.pk).parent is None


@pytest.mark.usefixtures("world")  # its outlet is the "Coastal Ledger" the form repeats
def test_duplicate_source_name_is_a_form_error(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_add"),
        {"name": "coastal ledger", "kind": "outlet", "url": "", "description": ""},
    )
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert Source.objects.filter(name__iexact="coastal ledger").count() == 1


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "Enter a valid URL."),
        ("ftp://example.org/file", "'ftp://example.org/file' is not an http or https URL"),
        ("https://", "Enter a valid URL."),
    ],
)
def test_adding_an_article_with_a_bad_url_is_a_form_error(client, editor, url, message):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "url": url,
            "title": "x",
            # The inlines' management forms, as the browser sends them: the only error left is
            # the URL's.
            "revisions-TOTAL_FORMS": 0,
            "revisions-INITIAL_FORMS": 0,
            "checks-TOTAL_FORMS": 0,
            "checks-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"url": [message]}
    assert not Article.objects.exists()
