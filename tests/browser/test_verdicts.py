"""Verdicts and notes in a real browser (issue 13): a fact-checker writes and submits a verdict
beside the evidence, an editor returns it with a reason, the fact-checker finds it under
"Returned to me", fixes and resubmits it, and the editor publishes it after confirming; notes
are added and shown; the pages pass axe-core; the review steps work without JavaScript."""

from claims import notes, services
from claims.models import ClaimNote, Rating, ReviewState, Verdict
from tests.browser.support import BROWSER, DESKTOP, PHONE, assert_accessible, log_in, shoot

pytestmark = BROWSER


def no_console_errors_but(console_errors: list[str], deliberate: str) -> None:
    """Chromium reports the deliberate mistake's 400 answer in the console; nothing else may
    be there."""
    rejected = [e for e in console_errors if "status of 400" in e and deliberate in e]
    assert len(rejected) == 1, console_errors
    others = [e for e in console_errors if e not in rejected]
    assert others == [], "\n".join(others)


def done(page, message: str) -> None:
    """Wait for this step's own success message (an earlier one may still be on the page)."""
    page.locator(".message--success", has_text=message).wait_for()


def test_write_return_fix_and_publish_with_two_people(
    page, live_server, pages_world, factchecker, editor, console_errors
):
    claim = pages_world.union_claim
    review = f"{live_server.url}/articles/{pages_world.article.pk}/?claim={claim.pk}"
    page.set_viewport_size(DESKTOP)

    # The fact-checker writes the verdict beside the evidence and submits it, with a note.
    log_in(page, live_server, factchecker.username)
    page.goto(review)
    panel = page.locator("#claim-panel")
    panel.get_by_role("heading", name="Write the verdict").wait_for()
    panel.get_by_label("Rating").select_option(label="Misleading")
    panel.get_by_label("Explanation").fill("The union counted one terminal; the port counts two.")
    panel.get_by_role("textbox", name="Note", exact=True).fill(
        "Asked the union for its tally sheet."
    )
    panel.get_by_role("button", name="Add note").click()
    panel.locator("[data-note-id]").first.wait_for()
    assert "Asked the union for its tally sheet." in panel.locator("#notes").inner_text()
    # The note's answer kept the page: the verdict was not saved with it.
    assert not Verdict.objects.filter(claim=claim).exists()
    panel.get_by_label("Rating").select_option(label="Misleading")
    panel.get_by_label("Explanation").fill("The union counted one terminal; the port counts two.")
    panel.get_by_role("button", name="Save and submit for review").click()
    done(page, "Verdict submitted for review")
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.state, verdict.written_by) == (ReviewState.IN_REVIEW, factchecker)
    assert panel.locator("#verdict").get_attribute("data-verdict-state") == "in_review"
    assert panel.get_by_role("button", name="Publish…").count() == 0  # not for a fact-checker
    shoot(page, "verdict-submitted-desktop")
    assert_accessible(page)

    # The editor sees claim, evidence, history, notes and verdict together, and returns it.
    log_in(page, live_server, editor.username)
    page.goto(review)
    panel = page.locator("#claim-panel")
    for section, text in (
        ("#verdict", "The union counted one terminal"),
        ("#notes", "Asked the union for its tally sheet."),
        ("#history", "Submitted for review"),
    ):
        assert text in panel.locator(section).inner_text(), section
    panel.get_by_role("button", name="Return to the writer").click()  # no reason yet
    page.get_by_text("Say why the verdict goes back to its writer.").wait_for()
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW
    page.get_by_label("Why return it?").fill("Say which terminal the union counted.")
    page.get_by_role("button", name="Return to the writer").click()
    done(page, "verdict returned to draft")
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.DRAFT

    # The fact-checker finds it under "Returned to me" with the reason, fixes and resubmits.
    log_in(page, live_server, factchecker.username)
    page.goto(f"{live_server.url}/review/?tab=returned")
    row = page.locator(f"[data-verdict-id='{verdict.pk}']")
    assert "Say which terminal the union counted." in row.inner_text()
    assert editor.username in row.inner_text()
    shoot(page, "queue-returned-desktop")
    assert_accessible(page)
    row.get_by_role("link", name="Revise in").click()
    panel = page.locator("#claim-panel")
    panel.get_by_label("Explanation").fill(
        "The union counted the northern terminal only; the port counts both terminals."
    )
    panel.get_by_role("button", name="Save and submit for review").click()
    done(page, "Verdict submitted for review")
    assert Verdict.objects.get(pk=verdict.pk).state == ReviewState.IN_REVIEW

    # The editor publishes it from the queue, after confirming.
    log_in(page, live_server, editor.username)
    page.goto(f"{live_server.url}/review/?tab=verdicts")
    page.locator(f"[data-verdict-id='{verdict.pk}']").get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Publish this verdict?").wait_for()
    assert "the port counts both terminals" in page.locator("main").inner_text()
    shoot(page, "verdict-confirm-desktop")
    assert_accessible(page)
    page.get_by_role("button", name="Publish now").click()
    done(page, "verdict published")
    verdict.refresh_from_db()
    assert (verdict.state, verdict.published_by) == (ReviewState.PUBLISHED, editor)
    assert "the port counts both terminals" in verdict.published_explanation
    no_console_errors_but(console_errors, "/return/")


def test_claim_page_for_a_claim_in_no_article(
    page, live_server, world, factchecker, editor, console_errors
):
    claim = services.claim_create(
        statement="The terminal employs 120 people.", claimant=world.council, user=factchecker
    )
    notes.note_add(claim=claim, user=editor, text="The council's own estimate; ask the union.")
    log_in(page, live_server, factchecker.username)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/claims/{claim.pk}/edit/")
        assert "In no article" in page.locator("main").inner_text()
        assert "ask the union" in page.locator("#notes").inner_text()
        shoot(page, f"claim-edit-{name}")
        assert_accessible(page)
    page.get_by_label("Rating").select_option(label="Unproven")
    page.get_by_label("Explanation").fill("No payroll figures are public.")
    page.get_by_role("button", name="Save draft").click()
    done(page, "Verdict saved as a draft")
    assert Verdict.objects.get(claim=claim).state == ReviewState.DRAFT
    # A mistake comes back in place with the focus on the field to correct.
    page.get_by_label("Explanation").fill("")
    page.get_by_role("button", name="Save and submit for review").click()
    page.get_by_text("A verdict needs a written explanation.").wait_for()
    assert page.evaluate("document.activeElement.name") == "explanation"
    page.get_by_role("textbox", name="Note", exact=True).fill("Payroll request sent.")
    page.get_by_role("button", name="Add note").click()
    page.locator("#notes").get_by_text("Payroll request sent.").wait_for()
    page.locator("#notes").get_by_role("link", name="Edit").click()
    page.get_by_role("textbox", name="Note", exact=True).fill("Payroll request sent on Monday.")
    page.get_by_role("button", name="Save the note").click()
    done(page, "Note updated")
    assert "edited" in page.locator("#notes").inner_text()
    assert ClaimNote.objects.get(author=factchecker).text == "Payroll request sent on Monday."
    assert_accessible(page)
    no_console_errors_but(console_errors, "/verdict/")


def test_review_steps_work_without_javascript(
    browser, live_server, pages_world, factchecker, editor
):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        claim = pages_world.union_claim
        log_in(page, live_server, factchecker.username)
        page.goto(f"{live_server.url}/articles/{pages_world.article.pk}/?claim={claim.pk}")
        panel = page.locator("#claim-panel")
        panel.get_by_label("Rating").select_option(label="Mixed")
        panel.get_by_label("Explanation").fill("Both counts are partial.")
        panel.get_by_role("button", name="Save and submit for review").click()
        done(page, "Verdict submitted for review")
        verdict = Verdict.objects.get(claim=claim)
        assert verdict.state == ReviewState.IN_REVIEW

        page.context.clear_cookies()
        log_in(page, live_server, editor.username)
        page.goto(f"{live_server.url}/claims/{claim.pk}/edit/")
        page.get_by_role("button", name="Publish…").click()
        page.get_by_role("heading", name="Publish this verdict?").wait_for()
        page.get_by_role("button", name="Publish now").click()
        done(page, "verdict published")
        verdict.refresh_from_db()
        assert verdict.state == ReviewState.PUBLISHED
        assert verdict.published_rating == Rating.objects.get(label="Mixed")
    finally:
        context.close()
