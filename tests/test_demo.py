"""`load_demo` gives a newcomer a working newsroom, and running it twice duplicates nothing."""

from io import StringIO

from django.contrib.auth.models import Group, User
from django.core.management import call_command

from articles.models import Article, ArticleRevision
from claims.claimants import suggested_source
from claims.models import (
    Appearance,
    Candidate,
    CandidateState,
    Claim,
    ClaimChange,
    ClaimFigure,
    ClaimStatus,
    Evidence,
    ReviewState,
    Source,
    SourceAlias,
    Stance,
    Verdict,
)


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Article,
            ArticleRevision,
            Source,
            SourceAlias,
            Claim,
            Appearance,
            Candidate,
            ClaimFigure,
            Evidence,
            Verdict,
            ClaimChange,
            User,
        )
    }


def test_demo_loads_every_status_and_a_published_verdict(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Article.objects.count() == 1
    assert Claim.objects.count() >= 5
    assert Source.objects.count() >= 6
    assert Source.objects.filter(parent__isnull=False).count() >= 3
    assert set(Claim.objects.values_list("status", flat=True)) == set(ClaimStatus.values)
    assert set(Evidence.objects.values_list("stance", flat=True)) == set(Stance.values)
    # Every claim is anchored in the article text.
    revision = Article.objects.get().current_revision
    for appearance in Appearance.objects.all():
        assert revision.text[appearance.start : appearance.end] == appearance.quote
    own = Claim.objects.filter(external_review__isnull=True)
    assert Appearance.objects.values("claim").distinct().count() == own.count()
    # The sample archive of fact-checks is imported too, with its reviews.
    assert Claim.objects.imported().count() >= 30
    published = Verdict.objects.get(state=ReviewState.PUBLISHED)
    assert published.published_by != published.written_by
    assert {g.name for g in Group.objects.all()} >= {"Viewer", "Fact-checker", "Editor"}
    assert "Demo loaded" in out.getvalue()
    # Nothing of the demo is ever fetched: its .example URLs do not resolve.
    assert Article.objects.get().next_check_at is None
    assert not Evidence.objects.filter(link_next_check_at__isnull=False).exists()


def test_demo_proposes_candidates_for_the_sentences_not_yet_checked(db):
    call_command("load_demo", stdout=StringIO())
    revision = Article.objects.get().current_revision
    candidates = Candidate.objects.filter(revision=revision)
    open_ = candidates.filter(state=CandidateState.NEW)
    rejected = candidates.filter(state=CandidateState.REJECTED)
    # The headline and "Share this article" are not check-worthy.
    assert not candidates.filter(text__in=["Share this article"]).exists()
    assert open_.count() >= 3
    assert any("National Intelligence Service" in c.text for c in open_)
    # The sentences holding the demo's claims are decided, each naming its claim.
    assert rejected.count() == Claim.objects.filter(external_review__isnull=True).count()
    for candidate in rejected:
        claim_id = int(candidate.decision_reason.rsplit("#", 1)[1].rstrip("."))
        appearance = Appearance.objects.get(claim_id=claim_id, revision=revision)
        assert candidate.start <= appearance.start and appearance.end <= candidate.end
        assert candidate.decided_by.username == "factchecker"
    for candidate in open_:
        assert revision.text[candidate.start : candidate.end] == candidate.text
        assert 0.5 <= candidate.score <= 1 and candidate.features
    # The figures of the demo's claims, dated by the revision that states them.
    troops = ClaimFigure.objects.get(claim__statement__startswith="About 11,000")
    assert (troops.value, troops.qualifier) == (11000, "about")
    assert "troops" in troops.unit and troops.stated_at == revision.fetched_at
    assert ClaimFigure.objects.filter(claim__verdict__published_at__isnull=False).exists()


def test_demo_sources_have_the_aliases_the_news_uses(db):
    call_command("load_demo", stdout=StringIO())
    kremlin = Candidate.objects.get(text__startswith="The Kremlin has not confirmed")
    assert suggested_source(kremlin) == Source.objects.get(name="Government of Russia")
    nis = Candidate.objects.get(text__startswith="South Korea's National Intelligence Service")
    assert suggested_source(nis).name == "National Intelligence Service (South Korea)"


def test_demo_loads_twice_without_duplicating(db):
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    decisions = list(Candidate.objects.order_by("id").values_list("id", "state", "decided_at"))
    history = Candidate.history.count()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first
    assert list(Candidate.objects.order_by("id").values_list("id", "state", "decided_at")) == (
        decisions
    )
    assert Candidate.history.count() == history


def test_if_empty_skips_when_articles_exist(db):
    call_command("load_demo", stdout=StringIO())
    Claim.objects.filter(status=ClaimStatus.CONTESTED).delete()
    before = _counts()
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert _counts() == before
    assert "not loaded again" in out.getvalue()


def test_demo_accounts_have_passwords_only_in_debug(db, settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert not User.objects.get(username="editor").has_usable_password()
    assert "createsuperuser" in out.getvalue()


def test_demo_accounts_log_in_in_debug(db, settings, client):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "editor-demo" in out.getvalue()
    assert client.login(username="editor", password="editor-demo")


def test_the_accused_partys_denial_leaves_the_demo_claim_unverified(db):
    call_command("load_demo", stdout=StringIO())
    claim = Claim.objects.get(statement__startswith="Russian forces have killed wounded")
    assert [s.name for s in claim.about.all()] == ["Government of Russia"]
    assert claim.status == ClaimStatus.UNVERIFIED
    assert claim.status_explanation == (
        "Denied by the Ministry of Defence of Russia, a party the claim is about; "
        "no independent evidence yet."
    )
