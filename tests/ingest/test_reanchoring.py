"""Re-anchoring claims' appearances in a new revision (SPEC section 5): exact, moved, fuzzy,
changed, orphaned; changed and orphaned flag the claim with the reason and the diff."""

import pytest

from claims import services
from claims.models import AnchorState, Appearance, Claim, SourceKind
from pipeline.ingest import article_check, article_ingest_url

TITLE = "Harbour City Gazette"
TEXT = (
    "The port authority said on Monday that 4,200 containers passed through the northern "
    "terminal in March, the busiest month since 2019. Dock workers' union leader Ana Ribeiro "
    "disputed the figure, saying fewer than 3,000 were handled. The city council estimates that "
    "about 120 jobs depend on the terminal."
)
QUOTE = "4,200 containers passed through the northern terminal in March"
SECOND = "about 120 jobs depend on the terminal"


def serve_text(site, text):
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    site.expect_request("/story").respond_with_data(
        f"{TITLE}\n{text}", content_type="text/plain; charset=utf-8"
    )
    return site.url_for("/story")


@pytest.fixture
def story(site, db):
    """An article served as plain text, with two claims quoted from its first revision."""
    article = article_ingest_url(url=serve_text(site, TEXT)).article
    port = services.source_create(name="Port Authority", kind=SourceKind.GOVERNMENT)
    council = services.source_create(name="City Council", kind=SourceKind.GOVERNMENT)
    first = services.claim_create(statement="4,200 containers in March.", claimant=port)
    second = services.claim_create(statement="120 jobs depend on it.", claimant=council)
    services.appearance_create(claim=first, revision=article.current_revision, quote=QUOTE)
    services.appearance_create(claim=second, revision=article.current_revision, quote=SECOND)
    return article, first, second


def recheck(site, story, text):
    article, first, second = story
    serve_text(site, text)
    report = article_check(article=article)
    assert report.revision.number == 2
    by_claim = {a.claim_id: a for a in Appearance.objects.filter(revision=report.revision)}
    return by_claim[first.pk], by_claim[second.pk]


def test_edit_after_the_quotes_keeps_them_exact(site, story):
    first, second = recheck(site, story, TEXT + " The mayor declined to comment.")
    assert (first.anchor_state, second.anchor_state) == (AnchorState.EXACT, AnchorState.EXACT)
    assert not Claim.objects.filter(needs_review=True).exists()


def test_insertion_before_moves_them(site, story):
    first, second = recheck(site, story, "UPDATED with new figures. " + TEXT)
    assert first.anchor_state == AnchorState.MOVED
    assert first.start == TEXT.index(QUOTE) + len("UPDATED with new figures. ")
    assert first.quote == QUOTE
    assert second.anchor_state == AnchorState.MOVED
    assert not Claim.objects.filter(needs_review=True).exists()


def test_punctuation_only_change_is_fuzzy(site, story):
    # Punctuation alone makes no revision; here another sentence changes too.
    text = TEXT + " The mayor declined to comment."
    text = text.replace(
        "about 120 jobs depend on the terminal", "about 120 jobs depend on the “terminal”"
    )
    first, second = recheck(site, story, text)
    assert first.anchor_state == AnchorState.EXACT
    assert second.anchor_state == AnchorState.FUZZY
    assert second.quote == "about 120 jobs depend on the “terminal"
    assert not Claim.objects.filter(needs_review=True).exists()


def test_changed_number_flags_the_claim_with_a_diff(site, story):
    _article, first_claim, second_claim = story
    first, second = recheck(site, story, TEXT.replace("4,200 containers", "3,900 containers"))
    assert first.anchor_state == AnchorState.CHANGED
    assert first.quote == "3,900 containers passed through the northern terminal in March"
    assert "[-4,2-]{+3,9+}" in first.anchor_diff
    # "3,900" is as long as "4,200": the second quote, further on, keeps its text, its context and
    # its position, so it is exact (SPEC section 5: moved means found at another position).
    assert second.anchor_state == AnchorState.EXACT
    assert second.start == TEXT.index(SECOND)
    flagged = Claim.objects.get(pk=first_claim.pk)
    assert flagged.needs_review
    assert "the quoted passage changed" in flagged.needs_review_reason
    assert "now reads “3,900 containers" in flagged.needs_review_reason
    assert flagged.history.first().needs_review is True
    assert not Claim.objects.get(pk=second_claim.pk).needs_review


def test_removed_sentence_orphans_the_claim(site, story):
    _article, _first_claim, second_claim = story
    text = TEXT.replace(
        " The city council estimates that about 120 jobs depend on the terminal.", ""
    )
    first, second = recheck(site, story, text)
    assert first.anchor_state == AnchorState.EXACT
    assert second.anchor_state == AnchorState.ORPHANED
    assert second.start == second.end
    assert second.quote == SECOND
    flagged = Claim.objects.get(pk=second_claim.pk)
    assert flagged.needs_review
    assert "is no longer in the article" in flagged.needs_review_reason


def test_reanchoring_twice_and_returning_adds_nothing_twice(site, story):
    article, first_claim, _ = story
    recheck(site, story, TEXT.replace("4,200 containers", "3,900 containers"))
    serve_text(site, TEXT)
    report = article_check(article=article)
    assert report.revision.number == 1
    # The claims already appear in revision 1: a return re-uses those appearances.
    assert Appearance.objects.filter(claim=first_claim).count() == 2
    serve_text(site, TEXT.replace("4,200 containers", "3,900 containers"))
    article_check(article=article)
    assert Appearance.objects.filter(claim=first_claim).count() == 2
