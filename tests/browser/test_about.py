"""The parties a claim is about, in a real browser: chosen when accepting a candidate, shown
on the claim's panel, with an interested denial leaving the claim unverified; axe-core finds
no serious or critical violation on either panel."""

from claims.candidates import candidates_generate
from claims.models import Candidate, Claim, ClaimStatus
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot
from tests.conftest import make_evidence

pytestmark = BROWSER

COUNCIL_SENTENCE = "The city council estimates that about 120 jobs depend on the terminal."


def test_factchecker_accepts_a_claim_about_the_union_and_its_denial_is_interested(
    page, live_server, pages_world, factchecker, console_errors
):
    candidates_generate(revision=pages_world.revision2)
    candidate = Candidate.objects.get(text=COUNCIL_SENTENCE)
    log_in(page, live_server, factchecker.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/articles/{pages_world.article.pk}/?candidate={candidate.pk}")
    panel = page.locator("#claim-panel")
    about = panel.get_by_label("The claim is about")
    about.select_option([str(pages_world.union.pk)])
    assert_accessible(page)
    panel.get_by_label("Statement").fill("About 120 jobs depend on the terminal.")
    panel.get_by_role("button", name="Accept as claim").click()
    page.locator(".message--success").wait_for()

    claim = Claim.objects.get(statement="About 120 jobs depend on the terminal.")
    assert list(claim.about.all()) == [pages_world.union]
    make_evidence(claim, stance="disputes", source=pages_world.union, user=factchecker)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.UNVERIFIED

    page.goto(f"{live_server.url}/articles/{pages_world.article.pk}/?claim={claim.pk}")
    panel.get_by_text("About Dock Workers' Union").wait_for()
    assert "not independent: a party the claim is about" in panel.inner_text()
    assert (
        "Denied by Dock Workers' Union, a party the claim is about; no independent evidence yet."
        in panel.inner_text()
    )
    highlight = page.locator(f"#article-text [data-claim-id='{claim.pk}']")
    assert highlight.get_attribute("data-status") == "unverified"
    assert_accessible(page)
    shoot(page, "article-claim-about-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "article-claim-about-phone")
    assert console_errors == [], "\n".join(console_errors)
