"""The admin's ingestion pages: re-check now (queued on commit), revisions side by side, feeds
added, paused and their errors shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.diff import side_by_side_html
from articles.models import (
    Article,
    ArticleCheck,
    ArticleRevision,
    CheckOutcome,
    Feed,
    FeedEntry,
)
from articles.services import article_get_or_create
from pipeline.ingest import article_ingest_file


@pytest.fixture
def local_article(tmp_path, db):
    path = tmp_path / "story.txt"
    path.write_text("Terminal\nThe port handled 4,200 containers in March.", encoding="utf-8")
    return path, article_ingest_file(path=path).article


@pytest.mark.usefixtures("eager_celery")
def test_recheck_now_queues_a_check_that_a_worker_does(
    client, editor, local_article, django_capture_on_commit_callbacks
):
    path, article = local_article
    path.write_text("Terminal\nThe port handled 3,900 <b>containers</b> in March.", "utf-8")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    recheck_url = reverse("admin:articles_article_recheck", args=[article.pk])
    assert recheck_url in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(recheck_url)
    assert response.status_code == 302
    # The check, then the new revision's candidates, which the check queued when it committed.
    assert len(callbacks) == 2
    latest = ArticleCheck.objects.filter(article=article).first()
    assert latest.outcome == CheckOutcome.NEW_REVISION
    article.refresh_from_db()
    assert article.current_revision.number == 2
    assert article.candidates.filter(revision=article.current_revision).exists()

    diff = client.get(
        reverse("admin:articles_articlerevision_change", args=[article.current_revision.pk])
    ).content.decode()
    assert '<th scope="col">Previous revision</th>' in diff
    assert "<del>4,200</del>" in diff and "<ins>3,900</ins>" in diff
    assert "&lt;b&gt;containers&lt;/b&gt;" in diff
    assert "<b>containers</b>" not in diff


def test_recheck_needs_post_and_change_permission(client, viewer, editor, local_article):
    _, article = local_article
    url = reverse("admin:articles_article_recheck", args=[article.pk])
    client.force_login(editor)
    assert client.get(url).status_code == 405
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert ArticleCheck.objects.filter(article=article).count() == 1


def test_first_revision_says_so(client, editor, local_article):
    _, article = local_article
    client.force_login(editor)
    revision = ArticleRevision.objects.get(article=article)
    page = client.get(reverse("admin:articles_articlerevision_change", args=[revision.pk]))
    assert "This is the first revision." in page.content.decode()


def test_adding_a_feed_queues_its_first_check(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:articles_feed_add"),
            {"url": "https://gazette.example.org/feed.xml", "check_interval": 30},
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    feed = Feed.objects.get()
    assert (feed.url, feed.paused) == ("https://gazette.example.org/feed.xml", False)
    assert len(callbacks) == 1


def test_pausing_a_feed_and_seeing_its_error(client, editor):
    feed = Feed.objects.create(
        url="https://gazette.example.org/feed.xml",
        state="error",
        last_error="The feed could not be read as RSS or Atom (syntax error).",
    )
    client.force_login(editor)
    changelist = reverse("admin:articles_feed_changelist")
    assert "could not be read as RSS or Atom" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "pause", "_selected_action": [feed.pk]})
    assert Feed.objects.get().paused is True
    # A paused feed is never due, however late it gets.
    assert Feed.objects.due(timezone.now() + dt.timedelta(days=3650)).count() == 0


def test_adding_an_article_without_text_queues_its_fetch(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    form = {
        "url": "https://gazette.example.org/news/terminal",
        "title": "",
        "publisher": "",
        "authors": "",
        "language": "",
        "text": "",
    }
    for prefix in ("revisions", "checks"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:articles_article_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get().canonical_url == "https://gazette.example.org/news/terminal"
    assert len(callbacks) == 1


def test_feed_page_shows_the_progress_of_its_articles(client, editor):
    feed = Feed.objects.create(url="https://gazette.example.org/feed.xml", state="ok")
    for n, revision_text in enumerate(["Some text.", None, None]):
        article = Article.objects.create(
            url=f"https://gazette.example.org/{n}", canonical_url=f"https://gazette.example.org/{n}"
        )
        FeedEntry.objects.create(feed=feed, key=str(n), link=article.url, article=article)
        if revision_text:
            from articles.services import revision_record

            revision_record(article=article, text=revision_text)
    Article.objects.filter(canonical_url="https://gazette.example.org/2").update(state="error")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_feed_change", args=[feed.pk])).content.decode()
    assert "3 entries: 1 fetched, 1 waiting, 1 failed" in page


def _checks(article, count, *, message):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=1)
    ArticleCheck.objects.bulk_create(
        ArticleCheck(
            article=article,
            checked_at=start + timedelta(minutes=n),
            outcome=CheckOutcome.UNCHANGED,
            message=f"{message} {n:02d}.",
        )
        for n in range(count)
    )


def test_article_page_shows_its_own_latest_checks_only(client, editor):
    harbour = Article.objects.create(
        url="https://a.example.org/1", canonical_url="https://a.example.org/1"
    )
    other = Article.objects.create(
        url="https://a.example.org/2", canonical_url="https://a.example.org/2"
    )
    _checks(harbour, 25, message="Harbour check")
    _checks(other, 3, message="Other check")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_change", args=[harbour.pk])).content.decode()
    shown = [n for n in range(25) if f"Harbour check {n:02d}." in page]
    assert shown == list(range(5, 25))  # the 20 newest
    assert page.index("Harbour check 24.") < page.index("Harbour check 05.")  # newest first
    assert "Other check" not in page

    # The same admin serves the next page: nothing of the first parent is left behind.
    page = client.get(reverse("admin:articles_article_change", args=[other.pk])).content.decode()
    assert [n for n in range(3) if f"Other check {n:02d}." in page] == [0, 1, 2]
    assert "Harbour check" not in page
    assert ArticleCheck.objects.filter(article=harbour).count() == 25


def test_feed_page_shows_its_latest_entries_only(client, editor):
    feed = Feed.objects.create(url="https://a.example.org/feed.xml")
    other = Feed.objects.create(url="https://a.example.org/other.xml")
    FeedEntry.objects.bulk_create(
        FeedEntry(
            feed=feed, key=f"k{n}", link=f"https://a.example.org/e{n}", title=f"Entry {n:02d}"
        )
        for n in range(55)
    )
    FeedEntry.objects.create(feed=other, key="x", link="https://a.example.org/x", title="Elsewhere")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_feed_change", args=[feed.pk])).content.decode()
    assert [n for n in range(55) if f"Entry {n:02d}" in page] == list(range(5, 55))
    assert "Elsewhere" not in page
    assert FeedEntry.objects.filter(feed=feed).count() == 55


def test_saving_an_article_with_many_checks_keeps_them(client, editor):
    article = Article.objects.create(
        url="https://a.example.org/1", canonical_url="https://a.example.org/1", title="Old"
    )
    _checks(article, 25, message="Check")
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url)
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        for form in inline.formset.forms:
            for name, value in form.initial.items():
                data[form.add_prefix(name)] = value if value is not None else ""
    data.update({"url": article.url, "title": "New title", "authors": "[]", "language": ""})

    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "New title"
    assert ArticleCheck.objects.filter(article=article).count() == 25


def test_side_by_side_diff_marks_words_and_shortens_unchanged_paragraphs():
    before = "\n".join(f"Paragraph {n} stays as it was." for n in range(6))
    after = before.replace("4 stays", "4 <b>remains</b>") + "\nA new ending."
    html = side_by_side_html(before, after)

    assert html.count('class="fc-sbs-changed"') == 2  # the changed paragraph, the added one
    assert "<td>Paragraph 4 <del>stays</del> as it was.</td>" in html
    assert "<td>Paragraph 4 <ins>&lt;b&gt;remains&lt;/b&gt;</ins> as it was.</td>" in html
    assert "<td></td><td><ins>A new ending.</ins></td>" in html
    # Paragraphs 0 to 2 are far from the change: counted, not shown.
    assert "… 3 unchanged paragraphs …" in html
    assert "Paragraph 0" not in html and "Paragraph 3 stays" in html


def test_side_by_side_diff_of_the_same_text_says_so():
    assert "No change" in side_by_side_html("Same text.\n", "Same text.")


def test_article_page_shows_which_of_its_claims_need_review(client, editor, local_article):
    from claims import services
    from claims.models import Claim, SourceKind

    _, article = local_article
    port = services.source_create(name="Port Authority", kind=SourceKind.GOVERNMENT)
    flagged = services.claim_create(statement="4,200 containers in March.", claimant=port)
    calm = services.claim_create(statement="The port handled containers.", claimant=port)
    for claim in (flagged, calm):
        services.appearance_create(
            claim=claim, revision=article.current_revision, quote="4,200 containers"
        )
    Claim.objects.filter(pk=flagged.pk).update(needs_review=True, needs_review_reason="Changed.")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    items = page[page.index("4,200 containers in March.") :].split("</li>")
    assert "needs review" in items[0]
    assert "The port handled containers." in items[1] and "needs review" not in items[1]


@pytest.mark.usefixtures("eager_celery")
def test_find_candidates_again_queues_them_for_the_current_text(
    client, editor, viewer, local_article, django_capture_on_commit_callbacks
):
    from claims.models import Candidate

    _, article = local_article  # ingested the workers' way: candidates queued, not run here
    empty, _ = article_get_or_create(url="https://news.example.org/not-fetched-yet")
    assert not Candidate.objects.exists()
    changelist = reverse("admin:articles_article_changelist")
    action = {
        "action": "find_candidates_again",
        "_selected_action": [article.pk, empty.pk],
    }
    client.force_login(viewer)
    # Not offered to a Viewer, so a post of it runs nothing (test_admin_action_permissions).
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(changelist, action)
    assert callbacks == []
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(changelist, action, follow=True)
    assert len(callbacks) == 1
    assert "1 article(s) queued" in response.content.decode()
    (candidate,) = Candidate.objects.all()
    assert candidate.revision_id == article.current_revision_id
    assert "4,200 containers" in candidate.text
