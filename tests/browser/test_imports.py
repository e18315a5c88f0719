"""An editor imports an archive of fact-checks in the admin, and the public claim page of an
imported fact-check says who checked it (with the axe-core check); an article that restates
one in other words shows its sentence as "likely the same as" the imported claim."""

import re
from pathlib import Path

from playwright.sync_api import expect

from articles.models import Article
from claims.models import Candidate, Claim, ExternalReview
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot

pytestmark = BROWSER

PARAPHRASE_ARTICLE = (
    "Remedies for the winter flu are spreading on messaging apps. A widely shared message "
    "claims that drinking hot water every 15 minutes kills the flu virus. Doctors at the "
    "city hospital said on Monday that 140 patients were admitted with influenza last week."
)
SAMPLE = Path(__file__).resolve().parents[2] / "claims" / "demo" / "sample_factchecks.jsonl"


def test_editor_uploads_an_archive_and_the_public_page_shows_the_review(
    page, live_server, world, editor, console_errors
):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, editor.username)
    page.goto(f"{live_server.url}/admin/claims/claim/")
    page.get_by_role("link", name="Import fact-checks").click()
    page.get_by_label("Archive").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Result").wait_for()
    assert "36 imported, 0 updated, 0 already present, 0 skipped" in page.content()
    shoot(page, "imports-admin-result")
    assert ExternalReview.objects.count() == 36

    claim = Claim.objects.get(external_review__external_id="hc-1001")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    link = page.get_by_role("link", name="Checked by Harbour Checks: False")
    assert link.get_attribute("href") == "https://harbourchecks.example/checks/hc-1001"
    assert "Claimed by Viral WhatsApp message" in page.inner_text("main")
    shoot(page, "imports-public-claim-phone")
    assert_accessible(page)
    assert console_errors == []

    # A new article restates the fact-check in other words: its review page says so.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/articles/")
    page.get_by_text("Add by pasted text").click()
    page.get_by_label(re.compile(r"^Title")).fill("Winter remedies")
    page.get_by_label(re.compile(r"^Text")).fill(PARAPHRASE_ARTICLE)
    page.get_by_role("button", name="Add and find candidates").click()
    article = Article.objects.get(title="Winter remedies")
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/#candidates-heading")
    candidate = Candidate.objects.get(article=article, matched_claim=claim)
    assert candidate.match_likely_same
    expect(page.get_by_text(f"likely the same as claim #{claim.pk}")).to_be_visible()
    shoot(page, "imports-paraphrase-likely-same")
