"""Demo data on the North Korean troops story, written for the demo (SPEC section 9).

Idempotent: each object is looked up by its natural key and created only when missing, so
running it twice changes nothing.
"""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.services import article_get_or_create, revision_record
from claims import imports, services
from claims.candidate_review import candidate_reject, claim_figures_record
from claims.candidates import candidates_generate
from claims.models import (
    Appearance,
    CandidateState,
    Claim,
    Evidence,
    Rating,
    Source,
    SourceAlias,
    SourceKind,
    Stance,
    Verdict,
)

ARTICLE_URL = "https://demo.factcheck.example/world/north-korean-units-kursk"
ARTICLE_TEXT = (Path(__file__).resolve().parents[2] / "demo" / "article.txt").read_text()
# Fact-checks by other (fictional) organisations, imported as claims with their review; the
# article restates two of them in other words, so its review page shows the match.
SAMPLE_FACTCHECKS = Path(__file__).resolve().parents[2] / "demo" / "sample_factchecks.jsonl"

# (name, kind, parent name, url)
SOURCES = [
    ("Government of Ukraine", SourceKind.GOVERNMENT, None, "https://www.kmu.gov.ua/en"),
    ("Defence Intelligence of Ukraine", SourceKind.GOVERNMENT, "Government of Ukraine", ""),
    ("Special Operations Forces of Ukraine", SourceKind.GOVERNMENT, "Government of Ukraine", ""),
    ("Volodymyr Zelenskyy", SourceKind.PERSON, "Government of Ukraine", ""),
    ("Government of South Korea", SourceKind.GOVERNMENT, None, ""),
    (
        "National Intelligence Service (South Korea)",
        SourceKind.GOVERNMENT,
        "Government of South Korea",
        "",
    ),
    ("Government of Russia", SourceKind.GOVERNMENT, None, ""),
    ("Ministry of Defence of Russia", SourceKind.GOVERNMENT, "Government of Russia", ""),
    ("Former North Korean soldier (defector)", SourceKind.PERSON, None, ""),
    ("Demo Gazette", SourceKind.OUTLET, None, "https://demo.factcheck.example/"),
    ("Peninsula Monitor (demo outlet)", SourceKind.OUTLET, None, ""),
]

# Other names the news gives them; a suggested claimant resolves through these.
ALIASES = {
    "Government of Russia": ["Kremlin", "Russian government"],
    "Ministry of Defence of Russia": ["Russian Defence Ministry", "Russian Ministry of Defence"],
    "Defence Intelligence of Ukraine": [
        "Ukraine's military intelligence agency",
        "Ukrainian military intelligence",
        "HUR",
    ],
    "National Intelligence Service (South Korea)": ["NIS", "South Korean intelligence"],
}

# (statement, claimant, quote in the article, [(stance, source, url slug, title)])
CLAIMS = [
    (
        "About 11,000 North Korean troops have been deployed to the Kursk region.",
        "Defence Intelligence of Ukraine",
        "about 11,000 North Korean troops have been deployed to the region",
        [
            (
                Stance.CORROBORATES,
                "National Intelligence Service (South Korea)",
                "nis-briefing",
                "Intelligence briefing to the National Assembly on troop numbers",
            ),
            (
                Stance.CORROBORATES,
                "Special Operations Forces of Ukraine",
                "sso-post",
                "Special Operations Forces post on North Korean units",
            ),
        ],
    ),
    (
        "More than 3,000 North Korean soldiers have been killed or wounded in Kursk.",
        "Defence Intelligence of Ukraine",
        "more than 3,000 of them have been killed or wounded so far",
        [
            (
                Stance.CORROBORATES,
                "National Intelligence Service (South Korea)",
                "nis-casualties",
                "Lawmakers briefed on North Korean casualty estimate",
            ),
            (
                Stance.DISPUTES,
                "Ministry of Defence of Russia",
                "mod-statement",
                "Defence ministry statement rejecting foreign casualty figures",
            ),
        ],
    ),
    (
        "Ukrainian troops have captured two North Korean soldiers.",
        "Volodymyr Zelenskyy",
        "Ukrainian troops had captured two North Korean soldiers",
        [
            (
                Stance.CORROBORATES,
                "National Intelligence Service (South Korea)",
                "nis-pows",
                "Seoul confirms two North Korean soldiers in Ukrainian custody",
            ),
        ],
    ),
    (
        "Ukrainian special forces found the bodies of more than a dozen North Korean soldiers "
        "after a battle in Kursk.",
        "Special Operations Forces of Ukraine",
        "found the bodies of more than a dozen North Korean soldiers",
        [
            (
                Stance.DISPUTES,
                "Ministry of Defence of Russia",
                "mod-denial",
                "Moscow denies North Korean units took part in the battle",
            ),
        ],
    ),
    (
        "Russian forces have killed wounded North Korean troops to prevent their capture.",
        "Volodymyr Zelenskyy",
        "accused Russian forces of killing wounded North Korean troops",
        [
            (
                Stance.DISPUTES,
                "Ministry of Defence of Russia",
                "mod-wounded",
                "Defence ministry calls the accusation over wounded soldiers a fabrication",
            ),
        ],
    ),
    (
        "North Korean recruits are taught to see capture as treason.",
        "Former North Korean soldier (defector)",
        "recruits are taught to see capture as treason",
        [
            (
                Stance.CONTEXT,
                "Peninsula Monitor (demo outlet)",
                "monitor-training",
                "How the North Korean army trains its conscripts",
            ),
        ],
    ),
]

# The parties a claim is about (SPEC section 3): the accused party's denial is interested, so
# it leaves the claim unverified rather than disputed.
ABOUT = {
    "Russian forces have killed wounded North Korean troops to prevent their capture.": [
        "Government of Russia"
    ],
}

PUBLISHED = (
    "Ukrainian troops have captured two North Korean soldiers.",
    "Accurate",
    "Both Kyiv and Seoul's intelligence service say two North Korean soldiers are held by "
    "Ukraine; South Korea, which has no stake in Ukraine's account, confirmed it independently.",
)

# Work waiting in the review queue, so a newcomer can try it by hand: a verdict written by the
# fact-checker for an editor to publish, and a claim flagged for review.
IN_REVIEW = (
    "More than 3,000 North Korean soldiers have been killed or wounded in Kursk.",
    "Unproven",
    "Only Ukrainian sources give the figure, and Russia disputes any North Korean presence; "
    "no independent count exists yet.",
)
FLAGGED = (
    "North Korean recruits are taught to see capture as treason.",
    "One defector's account so far: find a second, independent source.",
)

DEMO_USERS = [
    ("editor", "Editor"),
    ("editor2", "Editor"),
    ("factchecker", "Fact-checker"),
    ("viewer", "Viewer"),
]


def demo_password(username: str) -> str:
    return f"{username}-demo"


class Command(BaseCommand):
    help = "Load the demo: an article on North Korean troops in Kursk, sources, claims, evidence."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any article exists."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Article.objects.exists():
            self.stdout.write("Articles already exist; the demo is not loaded again.")
        else:
            with transaction.atomic():
                self._load()
        self._print_login_help()

    def _load(self):
        users = {name: self._user(name, group) for name, group in DEMO_USERS}
        factchecker, editor = users["factchecker"], users["editor"]

        sources: dict[str, Source] = {}
        for name, kind, parent_name, url in SOURCES:
            parent = sources[parent_name] if parent_name else None
            existing = Source.objects.filter(name=name, parent=parent).first()
            sources[name] = existing or services.source_create(
                name=name, kind=kind, parent=parent, url=url, user=factchecker
            )

        for name, aliases in ALIASES.items():
            for alias in aliases:
                if not SourceAlias.objects.filter(source=sources[name], alias=alias).exists():
                    services.source_alias_add(source=sources[name], alias=alias, user=editor)

        article, _ = article_get_or_create(
            url=ARTICLE_URL,
            title=ARTICLE_TEXT.splitlines()[0],
            publisher="Demo Gazette",
            language="en",
        )
        revision, _ = revision_record(
            article=article, text=ARTICLE_TEXT, title=ARTICLE_TEXT.splitlines()[0]
        )

        created = 0
        for statement, claimant, quote, evidence in CLAIMS:
            claim = Claim.objects.filter(statement=statement).first()
            if claim is None:
                claim = services.claim_create(
                    statement=statement,
                    claimant=sources[claimant],
                    about=[sources[name] for name in ABOUT.get(statement, [])],
                    user=factchecker,
                )
                created += 1
            if not Appearance.objects.filter(claim=claim, revision=revision).exists():
                services.appearance_create(
                    claim=claim, revision=revision, quote=quote, user=factchecker
                )
            for stance, source, slug, title in evidence:
                url = f"https://demo.factcheck.example/evidence/{slug}"
                if not Evidence.objects.filter(claim=claim, url=url).exists():
                    services.evidence_create(
                        claim=claim,
                        stance=stance,
                        source=sources[source],
                        url=url,
                        title=title,
                        user=factchecker,
                    )

        # The demo lives on the reserved .example domain, which never resolves: keep the article
        # and its evidence out of the re-check schedule, or they would turn into fetch errors
        # and broken links.
        Article.objects.filter(pk=article.pk).update(next_check_at=None)
        Evidence.objects.filter(url__startswith="https://demo.factcheck.example/").update(
            link_next_check_at=None
        )

        statement, rating_label, explanation = PUBLISHED
        claim = Claim.objects.get(statement=statement)
        if not Verdict.objects.filter(claim=claim).exists():
            verdict = services.verdict_save(
                claim=claim,
                user=factchecker,
                rating=Rating.objects.get(label=rating_label),
                explanation=explanation,
            )
            verdict = services.verdict_submit(verdict=verdict, user=factchecker)
            services.verdict_publish(verdict=verdict, user=editor)

        statement, rating_label, explanation = IN_REVIEW
        claim = Claim.objects.get(statement=statement)
        if not Verdict.objects.filter(claim=claim).exists():
            verdict = services.verdict_save(
                claim=claim,
                user=factchecker,
                rating=Rating.objects.get(label=rating_label),
                explanation=explanation,
            )
            services.verdict_submit(verdict=verdict, user=factchecker)
        statement, reason = FLAGGED
        services.claim_flag_for_review(
            claim=Claim.objects.get(statement=statement), reason=reason, user=factchecker
        )
        archive = imports.import_file(SAMPLE_FACTCHECKS.read_bytes(), user=editor)
        open_candidates = self._candidates(revision, factchecker)
        self.stdout.write(
            f"Demo loaded: article #{article.pk}, {len(sources)} sources, "
            f"{created} new claims ({Claim.objects.count()} in all, "
            f"{len(archive.created)} imported fact-checks), "
            f"{open_candidates} candidates to decide on."
        )

    def _candidates(self, revision, factchecker: User) -> int:
        """What ingestion would propose for the demo text. A sentence that already holds one
        of the demo's claims was, in the demo's story, dealt with by the fact-checker: marked
        as checked, its figures recorded on the claim. The rest wait on the article page and
        in the queue. Safe to run twice: generation keeps each sentence's row and decision,
        and figures are recorded once per claim and revision."""
        found = candidates_generate(revision=revision)
        appearances = list(Appearance.objects.filter(revision=revision).order_by("start", "id"))
        left = 0
        for candidate in found:
            inside = next(
                (a for a in appearances if candidate.start <= a.start and a.end <= candidate.end),
                None,
            )
            if inside is None:
                left += candidate.state == CandidateState.NEW
                continue
            if candidate.state == CandidateState.NEW:
                candidate_reject(
                    candidate=candidate,
                    user=factchecker,
                    reason=f"Already checked as claim #{inside.claim_id}.",
                )
            if candidate.figures:
                claim_figures_record(claim=inside.claim, candidate=candidate, user=factchecker)
        return left

    def _user(self, username: str, group: str) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.factcheck.example"}
        )
        if created:
            user.is_staff = True
            # Demo accounts can log in only on a developer's machine (DEBUG on).
            if settings.DEBUG:
                user.set_password(demo_password(username))
            else:
                user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=group))
        return user

    def _print_login_help(self):
        if not settings.DEBUG:
            self.stdout.write(
                "Demo accounts have no password outside DEBUG; "
                "create an account with: python manage.py createsuperuser"
            )
            return
        port = os.environ.get("PORT", "8000")
        lines = [f"Open http://127.0.0.1:{port}/admin/ and log in as one of the demo accounts:"]
        for username, group in DEMO_USERS:
            if User.objects.filter(username=username, is_active=True).exists():
                lines.append(f"  {username:<12} password {demo_password(username):<18} ({group})")
        self.stdout.write("\n".join(lines))
