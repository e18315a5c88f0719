"""Server-side tests of the editors' pages and the public claim pages (issue 6): who may see
what, what each page shows, and what the actions write."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from articles.models import Article, ArticleState
from claims import services
from claims.claimreview import NotPublished, claimreview_document
from claims.models import Claim, ClaimChange, Evidence, Rating, ReviewState, Stance, Verdict
from tests import pages_world

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def w(world, factchecker):
    return pages_world.build(world, factchecker=factchecker)


def review_url(w, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("article_review", args=[w.article.pk]) + (f"?{query}" if query else "")


def evidence_url(w, claim=None) -> str:
    return reverse("article_evidence_add", args=[w.article.pk, (claim or w.claim).pk])


def evidence_post(w, **overrides) -> dict:
    data = {
        "stance": Stance.DISPUTES,
        "source": w.union.pk,
        "url": "https://union.example.org/march",
        "title": "The union's count",
        "quote": "",
        "published_at": "",
        "claim_version": Claim.objects.get(pk=w.claim.pk).version,
    }
    data.update(overrides)
    return data


# Article review ----------------------------------------------------------------------------


def test_article_review_requires_login(client, w):
    response = client.get(review_url(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_article_review_refuses_users_without_view_permission(client, w, outsider):
    client.force_login(outsider)
    assert client.get(review_url(w)).status_code == 403


def test_article_review_highlights_each_claim_of_the_current_revision(client, w, viewer):
    client.force_login(viewer)
    response = client.get(review_url(w))
    assert response.status_code == 200
    html = response.content.decode()
    # The current revision is the second; both claims are anchored there.
    assert "Text of revision 2" in html
    assert f'data-claim-id="{w.claim.pk}" data-status="corroborated"' in html
    assert f'data-claim-id="{w.union_claim.pk}" data-status="unverified"' in html
    assert "4,400" in html
    assert 'class="legend"' in html
    # No claim selected: the panel invites a choice, and a viewer gets no evidence form.
    assert "Select a claim" in html
    assert "Add evidence" not in html


def test_selected_claim_panel_shows_status_verdict_and_evidence(client, w, viewer):
    client.force_login(viewer)
    html = client.get(review_url(w, claim=w.claim.pk)).content.decode()
    assert 'aria-current="true"' in html
    assert "Corroborated by 1 independent source." in html
    assert "Port figures for March" in html
    assert "Coastal Ledger" in html
    assert "independent</span>" in html
    assert "Mostly accurate" in html and "In review" in html
    assert "Quote changed in revision 2" in html  # needs-review reason
    assert 'name="claim_version"' not in html  # viewers cannot add evidence


def test_a_claim_of_another_article_is_not_selected(client, w, factchecker):
    stray = services.claim_create(statement="Unrelated.", claimant=w.outlet)
    client.force_login(factchecker)
    html = client.get(review_url(w, claim=stray.pk)).content.decode()
    assert "Select a claim" in html
    assert "Unrelated." not in html


def test_factchecker_sees_the_evidence_form_with_the_claim_version(client, w, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(w, claim=w.claim.pk)).content.decode()
    assert f'name="claim_version" value="{w.claim.version}"' in html
    assert 'action="' + evidence_url(w) + '"' in html


def test_adding_disputing_evidence_changes_the_status(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(evidence_url(w), evidence_post(w))
    assert response.status_code == 302
    assert response["Location"] == review_url(w, claim=w.claim.pk) + "#claim-panel"
    claim = Claim.objects.get(pk=w.claim.pk)
    assert claim.status == "contested"
    evidence = Evidence.objects.get(claim=claim, stance=Stance.DISPUTES)
    assert evidence.added_by == factchecker
    assert evidence.source == w.union
    change = ClaimChange.objects.filter(claim=claim).latest("id")
    assert (change.from_value, change.to_value, change.actor) == (
        "corroborated",
        "contested",
        factchecker,
    )
    html = client.get(response["Location"]).content.decode()
    assert f'data-claim-id="{w.claim.pk}" data-status="contested"' in html
    assert "Evidence added. Contested: corroborated by 1 independent source" in html


def test_stale_evidence_form_is_refused_and_writes_nothing(client, w, factchecker, editor):
    client.force_login(factchecker)
    stale = evidence_post(w)
    # Another editor changes the claim after the form was shown.
    services.claim_update(claim=w.claim, user=editor, statement="4,200 containers in March.")
    response = client.post(evidence_url(w), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    # The form now carries the current version, so sending again is a deliberate choice.
    current = Claim.objects.get(pk=w.claim.pk).version
    assert f'name="claim_version" value="{current}"' in html
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()
    assert Claim.objects.get(pk=w.claim.pk).status == "corroborated"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"title": ""}, "This field is required."),
        ({"source": "999999"}, "Select a valid choice."),
        ({"stance": "maybe"}, "Select a valid choice."),
        ({"claim_version": "x"}, "lost track of the claim&#x27;s version"),
    ],
)
def test_bad_evidence_input_is_a_clear_400(client, w, factchecker, overrides, message):
    client.force_login(factchecker)
    response = client.post(evidence_url(w), evidence_post(w, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()


def test_htmx_form_error_keeps_the_review_page_address(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(
        evidence_url(w), evidence_post(w, url="not a url"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response["HX-Replace-Url"] == review_url(w, claim=w.claim.pk)


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_form_errors_are_marked_for_an_in_place_swap_in_both_modes(
    client, w, factchecker, settings, debug
):
    """In development mode django-htmx's htmx_script tag adds a debug handler that takes over
    every 400 answer (replacing the page, with eval): the pages load htmx without it, and an
    error answer carries the whole review page with the invalid fields marked."""
    settings.DEBUG = debug
    client.force_login(factchecker)
    page = client.get(review_url(w, claim=w.claim.pk)).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert any("/static/django_htmx/htmx-2.min.js" in tag for tag in scripts)
    assert not any("django-htmx.js" in tag or "data-debug" in tag for tag in scripts), scripts
    assert any("/static/js/site.js" in tag for tag in scripts)

    empty = {"stance": Stance.DISPUTES, "claim_version": w.claim.version}
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post(evidence_url(w), empty, headers=headers)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="main"' in html and "</html>" in html
        invalid = re.findall(r'<(?:input|select|textarea)[^>]*aria-invalid="true"[^>]*>', html)
        assert [re.search(r'name="(\w+)"', tag).group(1) for tag in invalid] == [
            "source",
            "url",
            "title",
        ]
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()


def test_duplicate_evidence_link_is_refused_by_the_service(client, w, factchecker):
    client.force_login(factchecker)
    data = evidence_post(w, url="https://ledger.example.org/port-figures")
    response = client.post(evidence_url(w), data)
    assert response.status_code == 400
    assert "This document is already linked to this claim." in response.content.decode()
    assert Evidence.objects.filter(claim=w.claim).count() == 1


def test_viewer_cannot_add_evidence(client, w, viewer):
    client.force_login(viewer)
    assert client.post(evidence_url(w), evidence_post(w)).status_code == 403
    assert not Evidence.objects.filter(stance=Stance.DISPUTES).exists()


def test_evidence_for_a_claim_not_in_the_article_is_404(client, w, factchecker):
    stray = services.claim_create(statement="Elsewhere.", claimant=w.outlet)
    client.force_login(factchecker)
    response = client.post(evidence_url(w, claim=stray), evidence_post(w))
    assert response.status_code == 404
    assert not Evidence.objects.filter(claim=stray).exists()


def test_htmx_request_gets_the_page_to_swap(client, w, factchecker):
    client.force_login(factchecker)
    response = client.get(review_url(w, claim=w.claim.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="main"' in response.content.decode()


def assign_url(w) -> str:
    return reverse("article_claim_assign", args=[w.article.pk, w.claim.pk])


def test_factchecker_takes_and_releases_a_claim(client, w, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(w, claim=w.claim.pk)).content.decode()
    assert "Unassigned" in html and "Assign to me" in html
    version = Claim.objects.get(pk=w.claim.pk).version
    response = client.post(assign_url(w), {"action": "take", "claim_version": version})
    assert response.status_code == 302
    claim = Claim.objects.get(pk=w.claim.pk)
    assert claim.assignee == factchecker
    assert claim.history.latest().history_user == factchecker
    html = client.get(response["Location"]).content.decode()
    assert "The claim is assigned to you." in html and "Unassign</button>" in html
    client.post(assign_url(w), {"action": "release", "claim_version": claim.version})
    assert Claim.objects.get(pk=w.claim.pk).assignee is None


def test_stale_assignment_is_refused(client, w, factchecker, editor):
    client.force_login(factchecker)
    version = Claim.objects.get(pk=w.claim.pk).version
    services.claim_update(claim=w.claim, user=editor, assignee=editor)
    response = client.post(assign_url(w), {"action": "take", "claim_version": version}, follow=True)
    assert "changed by someone else" in response.content.decode()
    assert Claim.objects.get(pk=w.claim.pk).assignee == editor


def test_viewer_cannot_assign(client, w, viewer):
    client.force_login(viewer)
    assert "Assign to me" not in client.get(review_url(w, claim=w.claim.pk)).content.decode()
    response = client.post(assign_url(w), {"action": "take", "claim_version": 1})
    assert response.status_code == 403
    assert Claim.objects.get(pk=w.claim.pk).assignee is None


def test_bad_assignment_input_writes_nothing(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(assign_url(w), {"action": "steal", "claim_version": "x"}, follow=True)
    assert "That form was incomplete" in response.content.decode()
    assert Claim.objects.get(pk=w.claim.pk).assignee is None


def test_revision_diff_marks_additions_and_deletions_and_displaced_claims(client, w, factchecker):
    client.force_login(factchecker)
    html = client.get(review_url(w, **{"from": 1, "to": 2})).content.decode()
    assert "Revision 1 → revision 2" in html
    assert re.search(r"<del>.*?4,200.*?</del>", html, re.S)
    assert re.search(r"<ins>.*?4,400.*?</ins>", html, re.S)
    assert "Claims whose anchor moved or broke" in html
    assert 'anchor anchor--changed">Changed' in html


def test_revision_diff_with_unknown_numbers_is_a_clear_message(client, w, factchecker):
    client.force_login(factchecker)
    response = client.get(review_url(w, **{"from": 1, "to": 99}))
    assert response.status_code == 200
    assert "Choose two revisions of this article to compare." in response.content.decode()
    response = client.get(review_url(w, **{"from": "x", "to": "2"}))
    assert response.status_code == 200


def test_article_text_is_escaped(client, world, factchecker):
    from articles.services import revision_record

    revision_record(
        article=world.article, text="Mayor said <script>alert(1)</script> & more.", title="x"
    )
    client.force_login(factchecker)
    html = client.get(reverse("article_review", args=[world.article.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in html


# Review queue ---------------------------------------------------------------------------------


def test_review_queue_requires_view_permission(client, w, outsider):
    assert client.get(reverse("review")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("review")).status_code == 403


def test_review_queue_tabs_count_and_list_oldest_first(client, w, factchecker, viewer):
    older = services.claim_create(
        statement="An older flagged claim.", claimant=w.outlet, user=factchecker
    )
    services.claim_flag_for_review(claim=older, reason="Source retracted.")
    Claim.objects.filter(pk=older.pk).update(updated_at=w.claim.updated_at.replace(year=2020))
    Article.objects.create(
        url="https://gone.example.org/a",
        canonical_url="https://gone.example.org/a",
        state=ArticleState.ERROR,
        last_error="HTTP 404 Not Found",
    )
    client.force_login(viewer)
    response = client.get(reverse("review") + "?tab=claims")
    html = response.content.decode()
    counts = {tab.key: n for tab, n in response.context["tabs"]}
    assert counts == {"candidates": 0, "claims": 2, "verdicts": 1, "links": 0, "fetches": 1}
    rows = list(response.context["page"].object_list)
    assert [c.pk for c in rows] == [older.pk, w.claim.pk]
    assert "Source retracted." in html
    assert "Quote changed in revision 2" in html

    html = client.get(reverse("review") + "?tab=fetches").content.decode()
    assert "HTTP 404 Not Found" in html
    html = client.get(reverse("review") + "?tab=verdicts").content.decode()
    assert w.verdict.explanation[:30] in html
    # A viewer may look, but the queue offers no review actions.
    assert "Publish</button>" not in html
    assert "Return to draft" not in html


def test_broken_evidence_links_tab_and_panel(client, w, factchecker, editor):
    from django.utils import timezone

    from claims.models import LinkState

    # What the link checker (claims.evidence_links) records when a link dies.
    Evidence.objects.filter(claim=w.claim).update(
        link_state=LinkState.BROKEN,
        link_error="HTTP 404 Not Found",
        link_checked_at=timezone.now(),
    )
    services.claim_update(claim=w.claim, user=editor, assignee=factchecker)
    client.force_login(factchecker)
    response = client.get(reverse("review") + "?tab=links")
    counts = {tab.key: n for tab, n in response.context["tabs"]}
    assert counts["links"] == 1
    html = response.content.decode()
    assert "Port figures for March" in html and "HTTP 404 Not Found" in html
    assert review_url(w, claim=w.claim.pk) + "#claim-panel" in html
    filtered = client.get(reverse("review") + f"?tab=links&assignee={editor.pk}")
    assert list(filtered.context["page"].object_list) == []
    html = client.get(review_url(w, claim=w.claim.pk)).content.decode()
    assert "Link broken" in html


def test_review_queue_filters(client, w, factchecker, editor):
    other = services.claim_create(statement="Flagged elsewhere.", claimant=w.union)
    services.claim_flag_for_review(claim=other, reason="Check this.")
    services.claim_update(claim=other, user=editor, assignee=editor)
    client.force_login(editor)

    def claim_ids(query: str) -> list[int]:
        response = client.get(reverse("review") + "?tab=claims&" + query)
        return [c.pk for c in response.context["page"].object_list]

    assert set(claim_ids("")) == {w.claim.pk, other.pk}
    assert claim_ids(f"article={w.article.pk}") == [w.claim.pk]
    assert claim_ids(f"source={w.union.pk}") == [other.pk]
    assert claim_ids(f"assignee={editor.pk}") == [other.pk]
    assert claim_ids("article=bogus") != []  # a bad filter value is ignored, not a 500
    response = client.get(reverse("review") + f"?tab=verdicts&assignee={editor.pk}")
    assert list(response.context["page"].object_list) == []
    services.claim_update(claim=w.claim, user=editor, assignee=factchecker)
    response = client.get(reverse("review") + f"?tab=verdicts&assignee={factchecker.pk}")
    assert [v.pk for v in response.context["page"].object_list] == [w.verdict.pk]


def test_review_queue_query_count_does_not_grow_with_rows(
    client, w, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    client.get(reverse("review"))  # warm the session and permission caches
    for n in range(10):
        claim = services.claim_create(statement=f"Claim {n}.", claimant=w.outlet)
        services.appearance_create(claim=claim, revision=w.revision2, quote="busiest month")
        services.claim_flag_for_review(claim=claim, reason="Check.")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("review")).status_code == 200


def test_second_editor_publishes_from_the_queue(client, w, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_publish", args=[w.verdict.pk]),
        {"version": w.verdict.version, "next": "/review/?tab=verdicts"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/review/?tab=verdicts"
    assert "verdict published." in response.content.decode()
    verdict = Verdict.objects.get(pk=w.verdict.pk)
    assert verdict.state == ReviewState.PUBLISHED
    assert verdict.published_by == editor
    assert verdict.published_explanation == w.verdict.explanation


def test_author_cannot_publish_their_own_verdict(client, world, factchecker, editor):
    w = pages_world.build(world, factchecker=factchecker)
    # The editor writes (revises) the verdict and submits it: now they are its author.
    verdict = services.verdict_save(
        claim=w.claim,
        user=editor,
        rating=Rating.objects.get(label="Accurate"),
        explanation="Confirmed by customs.",
        expected_version=w.verdict.version,
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    client.force_login(editor)
    html = client.get(reverse("review") + "?tab=verdicts").content.decode()
    assert "You wrote this verdict: a second editor must publish it." in html
    response = client.post(
        reverse("verdict_publish", args=[verdict.pk]), {"version": verdict.version}, follow=True
    )
    assert "A second editor must publish this verdict" in response.content.decode()
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW


def test_factchecker_cannot_publish(client, w, factchecker):
    client.force_login(factchecker)
    response = client.post(
        reverse("verdict_publish", args=[w.verdict.pk]), {"version": w.verdict.version}, follow=True
    )
    assert "You do not have permission to publish verdicts." in response.content.decode()
    assert Verdict.objects.get(pk=w.verdict.pk).state == ReviewState.IN_REVIEW


def test_stale_publish_is_refused(client, w, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_publish", args=[w.verdict.pk]),
        {"version": w.verdict.version - 1},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert Verdict.objects.get(pk=w.verdict.pk).state == ReviewState.IN_REVIEW


def test_return_to_draft_records_the_reason(client, w, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[w.verdict.pk]),
        {"version": w.verdict.version, "reason": "Cite the customs table."},
    )
    assert response.status_code == 302
    assert Verdict.objects.get(pk=w.verdict.pk).state == ReviewState.DRAFT
    change = ClaimChange.objects.filter(claim=w.claim, field="verdict").latest("id")
    assert (change.reason, change.is_public) == ("Cite the customs table.", False)


def test_queue_action_ignores_an_outside_next_url(client, w, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[w.verdict.pk]),
        {"version": w.verdict.version, "next": "https://evil.example.net/"},
    )
    assert response["Location"] == "/review/?tab=verdicts"


def test_queue_action_with_a_missing_version_writes_nothing(client, w, editor):
    client.force_login(editor)
    response = client.post(reverse("verdict_publish", args=[w.verdict.pk]), {}, follow=True)
    assert "That form was incomplete" in response.content.decode()
    assert Verdict.objects.get(pk=w.verdict.pk).state == ReviewState.IN_REVIEW


def test_queue_actions_need_post_and_login(client, w):
    url = reverse("verdict_publish", args=[w.verdict.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"version": 1}).status_code == 302  # to the login page
    assert Verdict.objects.get(pk=w.verdict.pk).state == ReviewState.IN_REVIEW


# Dashboard ------------------------------------------------------------------------------------


def test_dashboard_requires_view_permission(client, w, outsider):
    assert client.get(reverse("dashboard")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_shows_its_charts(client, w, editor, viewer):
    services.verdict_publish(verdict=w.verdict, user=editor)
    client.force_login(viewer)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert html.count('role="img"') == 5
    assert "Claims by status" in html
    assert response.context["headline"] == {"needs_review": 1, "in_review": 0, "published": 1}
    assert "Corroborated: 1" in html and "Unverified: 1" in html
    assert "Mostly accurate: 1" in html and "No published verdict: 1" in html
    assert "Coastal Ledger: 1 (0 disputes)" in html
    # The claim with a published verdict is no longer open: one open claim in the article.
    assert "Terminal: 1" in html
    weekly = response.context["weekly_chart"]
    assert sum(c["value"] for week in weekly.geometry for c in week["columns"]) >= 2


def test_dashboard_query_count_is_constant(client, w, editor, django_assert_num_queries):
    client.force_login(editor)
    client.get(reverse("dashboard"))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(8):
        claim = services.claim_create(statement=f"More {n}.", claimant=w.union)
        services.appearance_create(claim=claim, revision=w.revision2, quote="busiest month")
        services.evidence_create(
            claim=claim,
            stance=Stance.DISPUTES,
            source=w.outlet,
            url=f"https://ledger.example.org/{n}",
            title=f"Item {n}",
        )
    assert count() == before


# Public claim pages ----------------------------------------------------------------------------


def test_public_page_of_an_unpublished_claim_shows_status_only(client, w):
    response = client.get(reverse("claim_public", args=[w.claim.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No verdict published yet" in html
    assert "Corroborated by 1 independent source." in html
    assert w.verdict.explanation not in html
    assert "Mostly accurate" not in html
    assert "Port figures for March" not in html
    assert "application/ld+json" not in html


def test_public_page_of_a_published_verdict(client, w, editor):
    services.verdict_publish(verdict=w.verdict, user=editor)
    html = client.get(reverse("claim_public", args=[w.claim.pk])).content.decode()
    assert "Mostly accurate" in html
    assert w.verdict.explanation in html
    assert "Port figures for March" in html
    assert "Port Authority" in html and "City of Harbour" in html
    assert "Terminal" in html  # where it appeared
    assert "Status changed from" in html and "published" in html
    document = json.loads(JSONLD.search(html).group(1))
    assert document["@type"] == "ClaimReview"
    assert document["url"] == "http://testserver" + reverse("claim_public", args=[w.claim.pk])


def test_public_page_never_shows_a_revised_draft(client, w, editor, factchecker):
    published = services.verdict_publish(verdict=w.verdict, user=editor)
    services.verdict_save(
        claim=w.claim,
        user=factchecker,
        rating=Rating.objects.get(label="False"),
        explanation="DRAFT: reconsidering after the audit.",
        expected_version=published.version,
    )
    html = client.get(reverse("claim_public", args=[w.claim.pk])).content.decode()
    assert "DRAFT: reconsidering" not in html
    assert "Mostly accurate" in html
    assert ">False<" not in html
    # Draft steps are private history.
    assert "reconsidering" not in html


def test_public_history_hides_private_review_steps(client, w):
    html = client.get(reverse("claim_public", args=[w.claim.pk])).content.decode()
    assert "Submitted for review" not in html
    assert "Draft verdict written" not in html


def test_public_page_of_an_unknown_claim_is_404(client, db):
    assert client.get(reverse("claim_public", args=[424242])).status_code == 404


def test_public_list_shows_published_verdicts_and_searches(client, w, editor):
    assert w.claim.statement not in client.get(reverse("claim_list")).content.decode()
    services.verdict_publish(verdict=w.verdict, user=editor)
    html = client.get(reverse("claim_list")).content.decode()
    assert w.claim.statement in html
    assert w.union_claim.statement not in html  # no published verdict
    assert w.claim.statement in client.get(reverse("claim_list") + "?q=northern").content.decode()
    assert w.claim.statement in client.get(reverse("claim_list") + "?q=port+auth").content.decode()
    html = client.get(reverse("claim_list") + "?q=nothing-like-this").content.decode()
    assert "No published check matches" in html


def test_claimreview_document_fields(w, editor, settings):
    settings.FACTCHECK_NEWSROOM_NAME = "Harbour Desk"
    settings.FACTCHECK_NEWSROOM_URL = "https://desk.example.org/"
    w.article.published_at = w.revision.fetched_at
    w.article.publisher = "Harbour City Gazette"
    w.article.save()
    services.verdict_publish(verdict=w.verdict, user=editor)
    claim = Claim.objects.get(pk=w.claim.pk)
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
    assert item["datePublished"] == w.revision.fetched_at.date().isoformat()
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "url": w.article.canonical_url,
            "headline": "Terminal",
            "publisher": {"@type": "Organization", "name": "Harbour City Gazette"},
            "datePublished": w.revision.fetched_at.date().isoformat(),
        }
    ]


def test_claimreview_unproven_has_no_number(w, editor, factchecker):
    verdict = services.verdict_save(
        claim=w.claim,
        user=factchecker,
        rating=Rating.objects.get(label="Unproven"),
        explanation="Nobody can check the count.",
        expected_version=w.verdict.version,
    )
    verdict = services.verdict_submit(verdict=verdict, user=factchecker)
    services.verdict_publish(verdict=verdict, user=editor)
    document = claimreview_document(Claim.objects.get(pk=w.claim.pk))
    assert document["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}


def test_claimreview_refuses_an_unpublished_claim(w):
    with pytest.raises(NotPublished):
        claimreview_document(Claim.objects.get(pk=w.claim.pk))


def test_jsonld_cannot_close_its_script_element(client, w, editor):
    Claim.objects.filter(pk=w.claim.pk).update(statement="Bad </script><script>alert(1)</script>")
    services.verdict_publish(verdict=w.verdict, user=editor)
    html = client.get(reverse("claim_public", args=[w.claim.pk])).content.decode()
    script = JSONLD.search(html).group(1)
    assert "</script>" not in script and "<" not in script
    assert json.loads(script)["claimReviewed"] == "Bad </script><script>alert(1)</script>"


# Login, roles and the common frame ---------------------------------------------------------


def test_login_page_and_redirect_to_the_queue(client, editor):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'for="id_username"' in response.content.decode()
    response = client.post(
        reverse("login"), {"username": editor.username, "password": "pw-" + editor.username}
    )
    assert response.status_code == 302 and response["Location"] == reverse("review")


def test_wrong_password_is_a_clear_message(client, editor):
    response = client.post(reverse("login"), {"username": editor.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_navigation_follows_the_role(client, w, viewer):
    html = client.get("/").content.decode()
    assert reverse("review") not in html and "Log in" in html
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert reverse("review") in html and reverse("dashboard") in html
    assert "Log out" in html


def test_security_headers_forbid_inline_script(client, w):
    response = client.get(reverse("claim_public", args=[w.claim.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    # Every <script> is a file or a data block; every style comes from the stylesheet.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/ld+json"' in tag
    assert " style=" not in html and "<style" not in html


def test_static_htmx_is_served_from_our_origin(client, db):
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html)
    assert "https://" not in "".join(re.findall(r"<script[^>]*>", html))


def test_users_fixture_groups_are_real(db, editor):
    assert User.objects.get(pk=editor.pk).has_perm("claims.publish_verdict")


def test_password_change_page_for_a_logged_in_user(client, editor):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(editor)
    assert client.get(reverse("password_change")).status_code == 200


def test_logout_is_a_post(client, editor):
    client.force_login(editor)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_public_page_query_count_does_not_grow_with_evidence(
    client, w, editor, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.verdict_publish(verdict=w.verdict, user=editor)
    url = reverse("claim_public", args=[w.claim.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(5):
        services.evidence_create(
            claim=w.claim,
            stance=Stance.CONTEXT,
            source=w.union,
            url=f"https://union.example.org/{n}",
            title=f"Background {n}",
        )
    assert count() == before


def test_weekly_activity_counts_each_week_separately(client, world, editor):
    import datetime as dt

    import time_machine

    monday = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)  # a Monday
    with time_machine.travel(monday, tick=False):
        services.evidence_create(
            claim=world.claim,
            stance=Stance.CORROBORATES,
            source=world.outlet,
            url="https://ledger.example.org/w1",
            title="Week one",
        )
    with time_machine.travel(monday + dt.timedelta(days=15), tick=False):
        services.evidence_create(
            claim=world.claim,
            stance=Stance.DISPUTES,
            source=world.union,
            url="https://union.example.org/w3",
            title="Week three",
        )
        client.force_login(editor)
        weekly = client.get(reverse("dashboard")).context["weekly_chart"]
    checked = dict(zip(weekly.labels, weekly.series[0][2], strict=True))
    assert checked["2 Mar"] == 1
    assert checked["9 Mar"] == 0
    assert checked["16 Mar"] == 1
    assert weekly.labels[-1] == "16 Mar" and len(weekly.labels) == 12


def test_queue_shows_how_a_changed_passage_reads_now(client, w, viewer):
    from claims.models import Appearance

    # What re-anchoring (claims.anchoring) records for a passage whose words changed.
    Appearance.objects.filter(claim=w.claim, revision=w.revision2).update(
        anchor_diff="[-4,200-]{+4,400+} containers passed through the northern terminal"
    )
    client.force_login(viewer)
    html = client.get(reverse("review") + "?tab=claims").content.decode()
    assert "[-4,200-]{+4,400+} containers passed" in html


def test_demo_leaves_work_in_the_review_queue(client, db):
    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # idempotent
    editor = User.objects.get(username="editor")
    client.force_login(editor)
    response = client.get(reverse("review"))
    counts = {tab.key: n for tab, n in response.context["tabs"]}
    assert counts["claims"] == 1 and counts["verdicts"] == 1 and counts["candidates"] >= 3
    verdict = Verdict.objects.get(state=ReviewState.IN_REVIEW)
    assert verdict.written_by.username == "factchecker"
    client.post(reverse("verdict_publish", args=[verdict.pk]), {"version": verdict.version})
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.PUBLISHED
