"""Has this been checked before? (issue 15) In a real browser: an article paraphrasing a claim
whose verdict is published shows its candidate as "likely the same as" that claim on the
article's review page, and the review queue lists it under "Checked before"."""

from playwright.sync_api import expect

from articles.services import article_get_or_create, revision_record
from claims import services
from claims.candidates import candidates_generate
from claims.models import Rating
from tests.browser.support import BROWSER, DESKTOP, assert_accessible, log_in, shoot

pytestmark = BROWSER

STATEMENT = "About 11,000 North Korean troops have been deployed to assist Russian forces."
ARTICLE = (
    "Pyongyang has deployed about 11,000 North Korean troops to assist Russian forces, the "
    "ministry said on Monday.\n"
    "The harbour's new ferry timetable starts in the spring."
)


def test_a_paraphrase_of_a_checked_claim_is_likely_the_same_and_checked_before(
    page, live_server, world, editor, second_editor, factchecker, console_errors
):
    claim = services.claim_create(statement=STATEMENT, claimant=world.outlet)
    verdict = services.verdict_save(
        claim=claim,
        user=editor,
        rating=Rating.objects.get(label="Mostly accurate"),
        explanation="Both governments' own statements agree on the figure.",
    )
    verdict = services.verdict_submit(verdict=verdict, user=editor)
    services.verdict_publish(verdict=verdict, user=second_editor)
    article, _ = article_get_or_create(url="https://wire.example.org/troops", title="Troops")
    revision, _ = revision_record(article=article, text=ARTICLE, title="Troops")
    (candidate,) = [c for c in candidates_generate(revision=revision) if "11,000" in c.text]

    log_in(page, live_server, factchecker.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.get_by_text(f"likely the same as claim #{claim.pk}")).to_be_visible()
    page.goto(f"{live_server.url}/articles/{article.pk}/?candidate={candidate.pk}#claim-panel")
    panel = page.locator("#claim-panel")
    expect(
        panel.get_by_role("heading", name=f"Likely the same as claim #{claim.pk}")
    ).to_be_visible()
    expect(panel.get_by_text("Checked before: published as Mostly accurate")).to_be_visible()
    shoot(page, "checked-before-article-desktop")
    assert_accessible(page)

    page.goto(f"{live_server.url}/review/")
    page.get_by_role("link", name="Checked before").click()
    row = page.locator(f"[data-candidate-id='{candidate.pk}']")
    expect(row).to_contain_text(candidate.text)
    expect(row).to_contain_text(f"Likely the same as claim #{claim.pk}")
    expect(row).to_contain_text(STATEMENT)
    expect(row).to_contain_text("Mostly accurate")
    expect(row).to_contain_text("Troops")
    shoot(page, "checked-before-queue-desktop")
    assert_accessible(page)

    row.get_by_role("link", name="Decide in the article").click()
    expect(
        page.locator("#claim-panel").get_by_role(
            "heading", name=f"Likely the same as claim #{claim.pk}"
        )
    ).to_be_visible()
    assert console_errors == []
