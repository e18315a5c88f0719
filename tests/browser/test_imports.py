"""An editor imports an archive of fact-checks in the admin, and the public claim page of an
imported fact-check says who checked it (with the axe-core check)."""

from pathlib import Path

from claims.models import Claim, ExternalReview
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot

pytestmark = BROWSER

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
