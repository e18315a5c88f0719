"""The review queue: its tabs, filters and query count, and the verdict actions taken from
it (publish, return to draft) with the second-editor rule."""

from io import StringIO

from django.contrib.auth.models import User
from django.urls import reverse

from articles.models import Article, ArticleState
from claims import services
from claims.models import Claim, ClaimChange, Evidence, Rating, ReviewState, Verdict
from tests.pages.helpers import review_url


def test_review_queue_requires_view_permission(client, outsider):
    assert client.get(reverse("review")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("review")).status_code == 403


def test_review_queue_tabs_count_and_list_oldest_first(client, pages_world, factchecker, viewer):
    older = services.claim_create(
        statement="An older flagged claim.", claimant=pages_world.outlet, user=factchecker
    )
    services.claim_flag_for_review(claim=older, reason="Source retracted.")
    Claim.objects.filter(pk=older.pk).update(
        updated_at=pages_world.claim.updated_at.replace(year=2020)
    )
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
    assert counts == {
        "candidates": 0,
        "checked": 0,
        "claims": 2,
        "verdicts": 1,
        "links": 0,
        "fetches": 1,
    }
    rows = list(response.context["page"].object_list)
    assert [c.pk for c in rows] == [older.pk, pages_world.claim.pk]
    assert "Source retracted." in html
    assert "Quote changed in revision 2" in html

    html = client.get(reverse("review") + "?tab=fetches").content.decode()
    assert "HTTP 404 Not Found" in html
    html = client.get(reverse("review") + "?tab=verdicts").content.decode()
    assert pages_world.verdict.explanation[:30] in html
    # A viewer may look, but the queue offers no review actions.
    assert "Publish</button>" not in html
    assert "Return to draft" not in html


def test_broken_evidence_links_tab_and_panel(client, pages_world, factchecker, editor):
    from django.utils import timezone

    from claims.models import LinkState

    # What the link checker (claims.evidence_links) records when a link dies.
    Evidence.objects.filter(claim=pages_world.claim).update(
        link_state=LinkState.BROKEN,
        link_error="HTTP 404 Not Found",
        link_checked_at=timezone.now(),
    )
    services.claim_update(claim=pages_world.claim, user=editor, assignee=factchecker)
    client.force_login(factchecker)
    response = client.get(reverse("review") + "?tab=links")
    counts = {tab.key: n for tab, n in response.context["tabs"]}
    assert counts["links"] == 1
    html = response.content.decode()
    assert "Port figures for March" in html and "HTTP 404 Not Found" in html
    assert review_url(pages_world, claim=pages_world.claim.pk) + "#claim-panel" in html
    filtered = client.get(reverse("review") + f"?tab=links&assignee={editor.pk}")
    assert list(filtered.context["page"].object_list) == []
    html = client.get(review_url(pages_world, claim=pages_world.claim.pk)).content.decode()
    assert "Link broken" in html


def test_review_queue_filters(client, pages_world, factchecker, editor):
    other = services.claim_create(statement="Flagged elsewhere.", claimant=pages_world.union)
    services.claim_flag_for_review(claim=other, reason="Check this.")
    services.claim_update(claim=other, user=editor, assignee=editor)
    client.force_login(editor)

    def claim_ids(query: str) -> list[int]:
        response = client.get(reverse("review") + "?tab=claims&" + query)
        return [c.pk for c in response.context["page"].object_list]

    assert set(claim_ids("")) == {pages_world.claim.pk, other.pk}
    assert claim_ids(f"article={pages_world.article.pk}") == [pages_world.claim.pk]
    assert claim_ids(f"source={pages_world.union.pk}") == [other.pk]
    assert claim_ids(f"assignee={editor.pk}") == [other.pk]
    assert claim_ids("article=bogus") != []  # a bad filter value is ignored, not a 500
    response = client.get(reverse("review") + f"?tab=verdicts&assignee={editor.pk}")
    assert list(response.context["page"].object_list) == []
    services.claim_update(claim=pages_world.claim, user=editor, assignee=factchecker)
    response = client.get(reverse("review") + f"?tab=verdicts&assignee={factchecker.pk}")
    assert [v.pk for v in response.context["page"].object_list] == [pages_world.verdict.pk]


def test_review_queue_query_count_does_not_grow_with_rows(
    client, pages_world, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    client.get(reverse("review"))  # warm the session and permission caches
    for n in range(10):
        claim = services.claim_create(statement=f"Claim {n}.", claimant=pages_world.outlet)
        services.appearance_create(
            claim=claim, revision=pages_world.revision2, quote="busiest month"
        )
        services.claim_flag_for_review(claim=claim, reason="Check.")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("review")).status_code == 200


def test_second_editor_publishes_from_the_queue(client, pages_world, editor):
    client.force_login(editor)
    url = reverse("verdict_publish", args=[pages_world.verdict.pk])
    form = {"version": pages_world.verdict.version, "next": "/review/?tab=verdicts"}
    # The first POST asks to confirm, showing what is about to be published.
    response = client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Publish this verdict?" in html and pages_world.verdict.explanation in html
    assert 'name="confirm" value="1"' in html
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.IN_REVIEW
    response = client.post(url, {**form, "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/review/?tab=verdicts"
    assert "verdict published." in response.content.decode()
    verdict = Verdict.objects.get(pk=pages_world.verdict.pk)
    assert verdict.state == ReviewState.PUBLISHED
    assert verdict.published_by == editor
    assert verdict.published_explanation == pages_world.verdict.explanation


def test_author_cannot_publish_their_own_verdict(client, pages_world, editor):
    # The editor writes (revises) the verdict and submits it: now they are its author.
    verdict = services.verdict_save(
        claim=pages_world.claim,
        user=editor,
        rating=Rating.objects.get(label="Accurate"),
        explanation="Confirmed by customs.",
        expected_version=pages_world.verdict.version,
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


def test_factchecker_cannot_publish(client, pages_world, factchecker):
    client.force_login(factchecker)
    response = client.post(
        reverse("verdict_publish", args=[pages_world.verdict.pk]),
        {"version": pages_world.verdict.version},
        follow=True,
    )
    assert "You do not have permission to publish verdicts." in response.content.decode()
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.IN_REVIEW


def test_stale_publish_is_refused(client, pages_world, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_publish", args=[pages_world.verdict.pk]),
        {"version": pages_world.verdict.version - 1},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.IN_REVIEW


def test_return_to_draft_records_the_reason(client, pages_world, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[pages_world.verdict.pk]),
        {"version": pages_world.verdict.version, "reason": "Cite the customs table."},
    )
    assert response.status_code == 302
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.DRAFT
    change = ClaimChange.objects.filter(claim=pages_world.claim, field="verdict").latest("id")
    assert (change.reason, change.is_public) == ("Cite the customs table.", False)


def test_queue_action_ignores_an_outside_next_url(client, pages_world, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_return", args=[pages_world.verdict.pk]),
        {
            "version": pages_world.verdict.version,
            "reason": "Cite the customs table.",
            "next": "https://evil.example.net/",
        },
    )
    assert response["Location"] == "/review/?tab=verdicts"


def test_queue_action_with_a_missing_version_writes_nothing(client, pages_world, editor):
    client.force_login(editor)
    response = client.post(
        reverse("verdict_publish", args=[pages_world.verdict.pk]), {}, follow=True
    )
    assert "That form was incomplete" in response.content.decode()
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.IN_REVIEW


def test_queue_actions_need_post_and_login(client, pages_world):
    url = reverse("verdict_publish", args=[pages_world.verdict.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"version": 1}).status_code == 302  # to the login page
    assert Verdict.objects.get(pk=pages_world.verdict.pk).state == ReviewState.IN_REVIEW


def test_queue_shows_how_a_changed_passage_reads_now(client, pages_world, viewer):
    from claims.models import Appearance

    # What re-anchoring (claims.anchoring) records for a passage whose words changed.
    Appearance.objects.filter(claim=pages_world.claim, revision=pages_world.revision2).update(
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
    client.post(
        reverse("verdict_publish", args=[verdict.pk]),
        {"version": verdict.version, "confirm": "1"},
    )
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.PUBLISHED
