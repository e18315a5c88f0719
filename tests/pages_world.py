"""A small newsroom for the page tests: an article with two revisions, two claims anchored in
it, evidence, and a verdict waiting for a second editor. Built through the services only."""

from articles.services import revision_record
from claims import services
from claims.models import AnchorState, Rating, Stance
from tests.conftest import ARTICLE_TEXT

REVISED_TEXT = ARTICLE_TEXT.replace("4,200 containers", "4,400 containers") + (
    "\nThe authority later corrected its figure after an audit."
)
PORT_QUOTE = "4,200 containers passed through the northern terminal in March"
UNION_QUOTE = "fewer than 3,000 were handled"


def build(world, *, factchecker, with_second_revision: bool = True):
    """Adds to the ``world`` fixture: the union's claim, evidence, a verdict in review and,
    optionally, a second revision in which the port's figure changed."""
    w = world
    services.appearance_create(claim=w.claim, revision=w.revision, quote=PORT_QUOTE)
    w.union_claim = services.claim_create(
        statement="Fewer than 3,000 containers were handled in March.", claimant=w.union
    )
    services.appearance_create(claim=w.union_claim, revision=w.revision, quote=UNION_QUOTE)
    services.evidence_create(
        claim=w.claim,
        stance=Stance.CORROBORATES,
        source=w.outlet,
        url="https://ledger.example.org/port-figures",
        title="Port figures for March",
        quote="The terminal handled 4,200 boxes.",
        user=factchecker,
    )
    w.claim.refresh_from_db()
    w.verdict = services.verdict_save(
        claim=w.claim,
        user=factchecker,
        rating=Rating.objects.get(label="Mostly accurate"),
        explanation="Customs data match the port authority count within a few dozen containers.",
    )
    w.verdict = services.verdict_submit(verdict=w.verdict, user=factchecker)
    if with_second_revision:
        w.revision2, _ = revision_record(article=w.article, text=REVISED_TEXT, title="Terminal")
        services.appearance_create(claim=w.union_claim, revision=w.revision2, quote=UNION_QUOTE)
        services.appearance_create(
            claim=w.claim,
            revision=w.revision2,
            quote="containers passed through the northern terminal in March",
            anchor_state=AnchorState.CHANGED,
        )
        services.claim_flag_for_review(
            claim=w.claim, reason="Quote changed in revision 2: 4,200 became 4,400."
        )
    w.article.refresh_from_db()
    w.claim.refresh_from_db()
    return w
