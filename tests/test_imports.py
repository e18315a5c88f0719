"""Archives of fact-checks imported as claims with their external review (SPEC section 6):
both formats, idempotence, bad lines with their numbers, exit codes, claimants linked by name
or alias or kept as text, the review in the API, the documents, the pages and the admin."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims import documents, merging, services
from claims.admin import imports as admin_imports
from claims.claimreview import claimreview_document
from claims.imports import ImportFormatError, import_file, read_fact_checks
from claims.matching import texts_match
from claims.models import (
    Claim,
    ClaimFigure,
    ClaimStatus,
    ExternalReview,
    Rating,
    Source,
    SourceKind,
    Stance,
)
from core.events import claims_touched
from tests.conftest import make_evidence

SAMPLE = Path(__file__).resolve().parent.parent / "claims" / "demo" / "sample_factchecks.jsonl"


def line(**fields) -> str:
    base = {
        "statement": "The port handled 9,000 containers in a single day last June.",
        "claimant": "Port Authority",
        "reviewer": "Harbour Checks",
        "rating": "False",
        "url": "https://harbourchecks.example/checks/1",
        "external_id": "hc-1",
        "published_at": "2026-06-30",
        "title": "No, the port did not handle 9,000 containers in a day",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None})


def archive(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def run_command(path, *args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import_claims", str(path), *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def touched():
    """The claim ids each ``touch_claims`` announced, as the pipeline would hear them."""
    heard: list[list[int]] = []

    def listener(sender, claim_ids, **kwargs):
        heard.append(list(claim_ids))

    claims_touched.connect(listener)
    yield heard
    claims_touched.disconnect(listener)


# JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_imports_claims_with_their_review_and_links_claimants(world, touched):
    services.source_alias_add(
        source=world.union, alias="dockers union", user=_superuser("root_alias")
    )
    report = import_file(
        archive(
            line(),  # the claimant is a source's name (case and "the" aside)
            line(
                statement="Union membership doubled in two years.",
                claimant="The Dockers Union",  # an alias
                external_id="hc-2",
                url="https://harbourchecks.example/checks/2",
            ),
            line(
                statement="Bananas cure sea sickness.",
                claimant="A viral post",  # on record nowhere: kept as text
                external_id="hc-3",
                url=None,
            ),
        ),
        as_operator=True,
    )
    assert (len(report.created), len(report.updated), report.unchanged) == (3, 0, 0)
    assert report.skipped == []
    first, second, third = (Claim.objects.get(pk=pk) for pk in report.created)
    assert first.claimant == world.port and first.claimant_name == "Port Authority"
    assert second.claimant == world.union
    assert third.claimant is None and third.claimant_name == "A viral post"
    assert not Source.objects.filter(name__icontains="viral").exists()
    review = first.external_review
    assert (review.reviewer, review.rating, review.external_id) == (
        "Harbour Checks",
        "False",
        "hc-1",
    )
    assert review.url == "https://harbourchecks.example/checks/1"
    assert review.published_at.isoformat() == "2026-06-30T00:00:00+00:00"
    assert review.title.startswith("No, the port")
    assert third.external_review.url == ""
    # The figures the statement states, as accepted candidates record them.
    figure = ClaimFigure.objects.get(claim=first)
    assert figure.value == 9000 and "containers" in figure.unit
    # Status, history and documents as for a claim made by hand.
    assert first.status == ClaimStatus.UNVERIFIED and first.history.count() == 1
    assert list(documents.stale_documents()) == []
    # The pipeline is told, once per batch, with every new claim.
    assert touched == [sorted(report.created)]


def test_importing_twice_creates_nothing_and_updates_what_changed(world, touched):
    data = archive(line(), line(external_id="hc-2", url="https://harbourchecks.example/2"))
    first = import_file(data, as_operator=True)
    counts = (Claim.objects.count(), Claim.history.count(), ExternalReview.history.count())

    again = import_file(data, as_operator=True)
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 2)
    assert (Claim.objects.count(), Claim.history.count(), ExternalReview.history.count()) == counts
    assert touched == [sorted(first.created)]  # nothing new or changed: nothing announced

    changed = archive(
        line(rating="Mostly false"),
        line(
            external_id="hc-2",
            url="https://harbourchecks.example/2",
            statement="The port handled 12,000 containers in a single day last June.",
        ),
    )
    report = import_file(changed, as_operator=True)
    assert (len(report.created), len(report.updated), report.unchanged) == (0, 2, 0)
    one, two = first.created
    assert ExternalReview.objects.get(pk=one).rating == "Mostly false"
    restated = Claim.objects.get(pk=two)
    assert restated.statement.startswith("The port handled 12,000") and restated.version == 2
    assert [f.value for f in ClaimFigure.objects.filter(claim=restated)] == [12000]
    assert touched[-1] == [one, two]
    assert list(documents.stale_documents()) == []
    body = json.loads(restated.document.public_body)
    assert body["statement"].startswith("The port handled 12,000")


def test_a_fact_check_is_the_same_by_its_url_or_by_its_reviewers_id(db):
    import_file(archive(line()), as_operator=True)
    # The URL alone finds it (an id added later), and the id alone (a moved URL).
    report = import_file(archive(line(url=None, rating="True")), as_operator=True)
    assert (len(report.created), len(report.updated)) == (0, 1)
    report = import_file(
        archive(line(external_id=None, url="https://harbourchecks.example/checks/1")),
        as_operator=True,
    )
    assert (len(report.created), report.unchanged + len(report.updated)) == (0, 1)
    assert Claim.objects.count() == 1


def test_bad_lines_are_reported_with_their_number_and_skipped(world):
    data = archive(
        line(),
        "{not json",
        "[1, 2]",
        line(statement="", external_id="x2", url=None),
        line(external_id=None, url=None),
        line(external_id="x4", url="ftp://files.example/4"),
        line(external_id="x5", url=None, published_at="last Tuesday"),
        line(external_id="x6", url=None, rating=["False"]),
        line(external_id="x7", url=None, statement="Nul\u0000 byte"),
        line(external_id="x8", url=None, statement="x" * 5001),
        "",  # blank lines are not fact-checks
        line(),  # the first line again
        line(external_id="x9", url=None, statement="A good one after the bad ones."),
    )
    report = import_file(data, as_operator=True)
    assert len(report.created) == 2
    reasons = {problem.line: problem.reason for problem in report.skipped}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "not a JSON object"
    assert reasons[4] == "statement is missing"
    assert "neither external_id nor url" in reasons[5]
    assert "not an http(s) URL" in reasons[6]
    assert "not an ISO 8601 date" in reasons[7]
    assert reasons[8] == "rating must be text"
    assert "NUL" in reasons[9]
    assert "longer than 5000" in reasons[10]
    assert reasons[12] == "the same fact-check as line 1"
    assert report.total == 12
    # Nothing of a skipped line was written.
    assert Claim.objects.count() == 1 + 2  # the world's claim and the two good lines
    assert not ExternalReview.objects.filter(external_id__in=["x2", "x4", "x5", "x7"]).exists()


def test_importing_needs_the_add_claim_permission(viewer, editor):
    with pytest.raises(PermissionDenied):
        import_file(archive(line()), user=viewer)
    report = import_file(archive(line()), user=editor)
    claim = Claim.objects.get(pk=report.created[0])
    assert claim.created_by == editor and claim.history.get().history_user == editor


# JSON-LD -------------------------------------------------------------------------------------


def review(n: int, **extra) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://northwind.example/fact-check/{n}",
        "claimReviewed": f"The ferry carried {n},000 passengers in May.",
        "datePublished": "2026-05-31T10:00:00+02:00",
        "name": f"Ferry numbers, check {n}",
        "author": {"@type": "Organization", "name": "Northwind Verify"},
        "reviewRating": {"@type": "Rating", "ratingValue": 2, "alternateName": "Mostly false"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": "Port Authority"},
        },
    }
    data.update(extra)
    return data


def test_jsonld_single_object_list_graph_and_datafeed(world):
    single = json.dumps(review(1), indent=2).encode()
    report = import_file(single, as_operator=True)
    assert len(report.created) == 1
    claim = Claim.objects.get(pk=report.created[0])
    assert claim.statement == "The ferry carried 1,000 passengers in May."
    assert claim.claimant == world.port
    got = claim.external_review
    assert (got.reviewer, got.rating, got.title) == (
        "Northwind Verify",
        "Mostly false",
        "Ferry numbers, check 1",
    )
    assert got.url == "https://northwind.example/fact-check/1" and got.external_id == ""
    assert got.published_at.isoformat() == "2026-05-31T08:00:00+00:00"

    listed = json.dumps([review(2), review(3)], indent=2).encode()
    assert len(import_file(listed, as_operator=True).created) == 2

    # A @graph with other nodes, and a reference to the reviewer by @id.
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#nv", "name": "Northwind Verify"},
            {"@type": "WebPage", "@id": "#page", "name": "A page"},
            review(4, author={"@id": "#nv"}, **{"@id": "nv-4"}),
        ],
    }
    report = import_file(json.dumps(graph).encode(), as_operator=True)
    assert report.skipped == [] and len(report.created) == 1
    fourth = ExternalReview.objects.get(claim_id=report.created[0])
    assert (fourth.reviewer, fourth.external_id) == ("Northwind Verify", "nv-4")

    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [review(5)]},
            {"@type": "DataFeedItem", "item": review(6)},
            review(7),
        ],
    }
    report = import_file(json.dumps(feed).encode(), as_operator=True)
    assert len(report.created) == 3
    # Importing every file again changes nothing.
    for data in (single, listed, json.dumps(graph).encode(), json.dumps(feed).encode()):
        again = import_file(data, as_operator=True)
        assert (len(again.created), len(again.updated)) == (0, 0)
    assert list(documents.stale_documents()) == []


def test_jsonld_bad_items_are_reported_with_their_line(db):
    items = [review(1), {"@type": "Person", "name": "Not a review"}, review(3, claimReviewed="")]
    text = json.dumps(items, indent=2)
    fact_checks, problems = read_fact_checks(text.encode())
    assert len(fact_checks) == 1
    lines = text.splitlines()
    # Each problem names the line where its item begins.
    assert [lines[p.line - 1].strip() for p in problems] == ["{", "{"]
    assert problems[0].reason == "not a ClaimReview (Person)"
    assert problems[1].reason == "claimReviewed is missing"
    assert problems[0].line < problems[1].line


def test_a_file_that_cannot_be_read_is_refused_whole(db):
    with pytest.raises(ImportFormatError, match="Unknown format"):
        read_fact_checks(b"statement,url\nx,y\n")
    with pytest.raises(ImportFormatError, match="Not valid JSON-LD"):
        read_fact_checks(b'[{"@type": "ClaimReview",\n')
    with pytest.raises(ImportFormatError, match="Unknown format 'csv'"):
        read_fact_checks(b"{}", fmt="csv")


# The command ---------------------------------------------------------------------------------


def test_command_exit_codes_and_output(db, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(archive(line(), line(external_id="hc-2", url=None)))
    status, out = run_command(good)
    assert status == 0
    assert "2 imported, 0 updated, 0 already present, 0 skipped, of 2 fact-checks in" in out
    status, out = run_command(good)
    assert status == 0 and "0 imported, 0 updated, 2 already present" in out

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(archive(line(external_id="hc-3", url=None), "oops"))
    status, out = run_command(bad)
    assert status == 1
    assert "skipped line 2: not valid JSON" in out and "1 imported" in out

    assert run_command(tmp_path / "missing.jsonl")[0] == 2
    assert run_command(good, "--format", "xml")[0] == 2
    csv = tmp_path / "archive.csv"
    csv.write_text("statement,url\n")
    status, out = run_command(csv)
    assert status == 2 and "Unknown format" in out
    assert Claim.objects.count() == 3


def test_sample_archive_imports_cleanly_and_documents_stay_true(db):
    status, out = run_command(SAMPLE)
    assert status == 0 and " 0 skipped" in out
    assert Claim.objects.imported().count() == len(SAMPLE.read_text().splitlines())
    call_command("rebuild_documents", "--check", stdout=StringIO())  # raises if any is stale


# What imported claims do elsewhere -----------------------------------------------------------


def test_imported_claims_are_matched_like_our_own(db):
    import_file(SAMPLE.read_bytes(), as_operator=True)
    (matches,) = texts_match(
        [
            "Analysts say the deployment is North Korea's largest combat involvement abroad "
            "since the Korean War."
        ],
        limit=3,
    )
    best = Claim.objects.get(pk=matches[0].claim_id)
    assert best.external_review.external_id == "nv-2304"
    assert matches[0].score >= 0.5


def test_api_claim_object_carries_the_external_review(world, client):
    report = import_file(
        archive(line(), line(external_id="hc-9", url=None, claimant="Someone unknown")),
        as_operator=True,
    )
    linked, unlinked = report.created
    body = client.get(reverse("api:claim-detail", args=[linked])).json()
    assert body["external_review"] == {
        "reviewer": "Harbour Checks",
        "rating": "False",
        "url": "https://harbourchecks.example/checks/1",
        "external_id": "hc-1",
        "published_at": "2026-06-30T00:00:00Z",
    }
    assert body["claimant"] == {"id": world.port.pk, "name": "Port Authority"}
    body = client.get(reverse("api:claim-detail", args=[unlinked])).json()
    assert body["claimant"] == {"id": None, "name": "Someone unknown"}
    # Our own claims have none.
    own = client.get(reverse("api:claim-detail", args=[world.claim.pk])).json()
    assert own["external_review"] is None
    # Matching answers with the same claim object.
    answer = client.post(
        reverse("api:claim-match"),
        {"text": "The port handled 9,000 containers in one day in June"},
        content_type="application/json",
    ).json()
    assert answer["results"][0]["claim"]["external_review"]["reviewer"] == "Harbour Checks"
    schema = client.get("/api/schema/?format=json").json()
    assert "external_review" in schema["components"]["schemas"]["ClaimOutput"]["properties"]


def test_our_own_claims_still_need_a_claimant(world, editor, client):
    with pytest.raises(ValidationError):
        services.claim_create(statement="No one said this.", claimant=None)
    with pytest.raises(ValidationError):
        services.claim_update(claim=world.claim, claimant=None)
    client.force_login(editor)
    response = client.post(
        reverse("api:claim-list"), {"statement": "No claimant."}, content_type="application/json"
    )
    assert response.status_code == 400
    # An imported claim may be edited without one.
    (pk,) = import_file(archive(line(claimant="Nobody on record")), as_operator=True).created
    claim = services.claim_update(claim=Claim.objects.get(pk=pk), needs_review=True)
    assert claim.claimant is None and claim.needs_review


def test_evidence_and_a_verdict_on_an_imported_claim_without_claimant(world, factchecker, editor):
    (pk,) = import_file(archive(line(claimant="Nobody on record")), as_operator=True).created
    claim = Claim.objects.get(pk=pk)
    make_evidence(claim, source=world.port, stance=Stance.DISPUTES)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED  # every source is independent of no one
    verdict = services.verdict_save(
        claim=claim,
        user=factchecker,
        rating=Rating.objects.get(label="False"),
        explanation="The port's own log shows 3,100 containers that day.",
    )
    verdict = services.verdict_submit(verdict=verdict, user=factchecker)
    services.verdict_publish(verdict=verdict, user=editor)
    document = claimreview_document(Claim.objects.get(pk=pk))
    assert "author" not in document["itemReviewed"]
    assert list(documents.stale_documents()) == []


def test_public_page_and_article_panel_show_who_checked_it(world, client, factchecker):
    (pk,) = import_file(archive(line(claimant="Nobody on record")), as_operator=True).created
    page = client.get(reverse("claim_public", args=[pk])).content.decode()
    assert "Checked by <strong>Harbour Checks</strong>: <strong>False</strong>" in page
    assert 'href="https://harbourchecks.example/checks/1"' in page
    assert "Claimed by <strong>Nobody on record</strong>" in page
    # Attached to an article (it appears there), its panel on the review page says so too.
    services.appearance_create(
        claim=Claim.objects.get(pk=pk),
        revision=world.revision,
        quote="4,200 containers passed through the northern terminal",
    )
    client.force_login(factchecker)
    panel = client.get(
        reverse("article_review", args=[world.article.pk]), {"claim": pk}
    ).content.decode()
    assert "Checked by <strong>Harbour Checks</strong>: <strong>False</strong>" in panel
    assert "(not a source on record)" in panel


# The admin -----------------------------------------------------------------------------------


def test_admin_upload_shows_the_summary_with_line_numbers(editor, client):
    client.force_login(editor)
    changelist = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert reverse("admin:claims_claim_import") in changelist
    upload = SimpleUploadedFile(
        "archive.jsonl", archive(line(), "nope", line(external_id="hc-2", url=None))
    )
    response = client.post(reverse("admin:claims_claim_import"), {"file": upload, "format": "auto"})
    assert response.status_code == 200
    report = response.context["report"]
    assert (len(report.created), len(report.skipped)) == (2, 1)
    page = response.content.decode()
    assert "Line 2: not valid JSON" in page
    assert "2 imported, 0 updated, 0 already present, 1 skipped" in page
    assert Claim.objects.imported().count() == 2
    # The imported claim's page in the admin shows its review, read-only.
    claim_page = client.get(
        reverse("admin:claims_claim_change", args=[report.created[0]])
    ).content.decode()
    assert "Checked by <strong>Harbour Checks</strong>" in claim_page


def test_admin_upload_refuses_viewers_oversized_files_and_unknown_formats(
    viewer, editor, client, monkeypatch
):
    client.force_login(viewer)
    assert client.get(reverse("admin:claims_claim_import")).status_code == 403
    changelist = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert reverse("admin:claims_claim_import") not in changelist

    client.force_login(editor)
    monkeypatch.setattr(admin_imports, "UPLOAD_MAX_BYTES", 100)
    big = SimpleUploadedFile("big.jsonl", archive(line(), line(external_id="2", url=None)))
    response = client.post(reverse("admin:claims_claim_import"), {"file": big, "format": "auto"})
    assert response.status_code == 200
    assert "uploads are limited to" in response.content.decode()
    csv = SimpleUploadedFile("a.csv", b"statement,url\n")
    response = client.post(reverse("admin:claims_claim_import"), {"file": csv, "format": "auto"})
    assert "Unknown format" in response.content.decode()
    assert not Claim.objects.imported().exists()


def _superuser(name: str):
    return User.objects.create_superuser(name, f"{name}@example.org", "pw")


def test_claimant_name_ambiguous_between_two_sources_is_kept_as_text(world):
    other = services.source_create(name="Harbour", kind=SourceKind.ORGANIZATION)
    services.source_alias_add(source=other, alias="Port Authority", user=_superuser("root2"))
    (pk,) = import_file(archive(line()), as_operator=True).created
    claim = Claim.objects.get(pk=pk)
    assert claim.claimant is None and claim.claimant_name == "Port Authority"


def test_a_merged_imported_fact_check_keeps_its_review_on_the_target(world, editor):
    (pk,) = import_file(archive(line()), as_operator=True).created
    merging.claims_merge(target=world.claim, duplicates=[Claim.objects.get(pk=pk)], user=editor)
    assert ExternalReview.objects.get().claim_id == world.claim.pk
    # The archive again: the fact-check is found on the claim it went into.
    again = import_file(archive(line()), as_operator=True)
    assert (len(again.created), Claim.objects.count()) == (0, 1)
    # The target's own statement and claimant are not the archive's to change.
    target = Claim.objects.get()
    assert (target.statement, target.claimant) == (world.claim.statement, world.port)
    assert list(documents.stale_documents()) == []


def test_an_editors_wording_and_claimant_survive_a_later_import(world, editor):
    (pk,) = import_file(archive(line(claimant="Nobody on record")), as_operator=True).created
    services.claim_update(
        claim=Claim.objects.get(pk=pk),
        user=editor,
        statement="The port handled 9,000 containers on 14 June.",
        claimant=world.council,
    )
    report = import_file(
        archive(line(claimant="Nobody on record", rating="Mostly false")), as_operator=True
    )
    assert len(report.updated) == 1
    claim = Claim.objects.get(pk=pk)
    assert claim.statement == "The port handled 9,000 containers on 14 June."
    assert claim.claimant == world.council
    assert claim.external_review.rating == "Mostly false"
    # The archive's own wording changing is recorded, and still leaves the editor's.
    import_file(archive(line(statement="The port moved 9,000 boxes in a day.")), as_operator=True)
    claim = Claim.objects.get(pk=pk)
    assert claim.statement == "The port handled 9,000 containers on 14 June."
    assert claim.external_review.claim_reviewed == "The port moved 9,000 boxes in a day."
    assert list(documents.stale_documents()) == []
