"""CSV export of the API's lists (SPEC section 10): negotiation, every row, filters,
audiences, flattened columns, spreadsheet-safe cells, errors; and the evidence list."""

import csv
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.services import revision_record
from claims import services
from claims.exports import ARTICLE_COLUMNS, CLAIM_COLUMNS, EVIDENCE_COLUMNS, SOURCE_COLUMNS
from claims.models import Evidence, LinkState, SourceKind, Stance
from tests.api.conftest import ApiClient
from tests.conftest import REVISED_TEXT, make_evidence

CSV = {"Accept": "text/csv"}


def read_csv(response) -> list[dict]:
    """The streamed body, read back with Python's csv module as a spreadsheet user would."""
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def header_of(response) -> list[str]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return next(csv.reader(io.StringIO(body, newline="")))


# Negotiation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "columns"),
    [
        ("/api/v1/claims/", CLAIM_COLUMNS),
        ("/api/v1/articles/", ARTICLE_COLUMNS),
        ("/api/v1/sources/", SOURCE_COLUMNS),
        ("/api/v1/evidence/", EVIDENCE_COLUMNS),
    ],
)
def test_every_list_answers_csv_by_accept_header_or_format_parameter(
    published, anon, path, columns
):
    make_evidence(published.claim, source=published.outlet)

    by_header = anon.get(path, headers=CSV)
    by_parameter = anon.get(path, {"format": "csv"})

    for response in (by_header, by_parameter):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        name = columns.name
        assert response["Content-Disposition"].startswith(f'attachment; filename="{name}-')
        assert response["Content-Disposition"].endswith('.csv"')
        assert "Accept" in response["Vary"]
        assert header_of(response) == columns.header
    # JSON stays the default: no Accept, any type, a browser's Accept, JSON asked for.
    for accept in (None, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json"):
        response = anon.get(path, headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert "results" in response.json()


def test_csv_is_only_offered_on_lists(published, anon):
    response = anon.get(f"/api/v1/claims/{published.claim.pk}/", headers=CSV)

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


@pytest.mark.parametrize("chosen", ["", "xml", "CSV"])
def test_an_unknown_format_is_a_400(world, anon, chosen):
    response = anon.get("/api/v1/claims/", {"format": chosen})

    assert response.status_code == 400
    assert (
        response.json()["error"]["message"]
        == f"Invalid input: format: One of json, csv; got {chosen!r}."
    )


def test_a_write_answers_json_whatever_the_accept_header(world, write_client):
    response = write_client.post(
        "/api/v1/sources/", {"name": "Harbour Radio", "kind": "outlet"}, headers=CSV
    )

    assert response.status_code == 201
    assert response.json()["name"] == "Harbour Radio"


# Rows -------------------------------------------------------------------------------------


def test_every_row_of_the_list_whatever_the_page_size(world, anon):
    for n in range(30):
        services.claim_create(statement=f"Claim number {n}.", claimant=world.port)

    rows = read_csv(anon.get("/api/v1/claims/", {"format": "csv", "page_size": 5}))

    assert len(rows) == 31  # the world's claim and thirty more, beyond the JSON page of 25
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(ids, reverse=True)  # newest first, as the JSON list


def test_claim_columns_are_the_json_flattened(published, anon):
    w = published
    revision2, _ = revision_record(article=w.article, text=REVISED_TEXT, title="Terminal")
    services.appearance_create(claim=w.claim, revision=revision2, quote="in March")
    make_evidence(w.claim, source=w.outlet, stance=Stance.CORROBORATES)
    make_evidence(w.claim, source=w.union, stance=Stance.DISPUTES)
    document = anon.get(f"/api/v1/claims/{w.claim.pk}/").json()

    (row,) = read_csv(anon.get("/api/v1/claims/", headers=CSV))

    assert row["id"] == str(w.claim.pk)
    assert row["url"] == document["url"]
    assert row["statement"] == w.claim.statement
    assert (row["claimant_id"], row["claimant_name"]) == (str(w.port.pk), "Port Authority")
    assert row["status"] == document["status"] == "contested"
    assert row["status_explanation"] == document["status_explanation"]
    assert row["evidence_counts_corroborates"] == "1"
    assert row["evidence_counts_disputes"] == "1"
    assert row["evidence_counts_context"] == "0"
    assert row["evidence_counts_independent_corroborates"] == "1"
    assert row["verdict_label"] == "Mostly accurate"
    assert row["verdict_rating"] == "4"
    assert row["verdict_state"] == "published"
    assert row["verdict_published_at"] == document["verdict"]["published_at"]
    assert row["needs_review"] == "false"
    # A list of objects: one column per field, values joined with "; " in the list's order.
    article = str(w.article.pk)
    assert row["appearances_article"] == f"{article}; {article}"
    assert row["appearances_quote"] == "4,200 containers passed through; in March"
    assert row["appearances_anchor_state"] == "exact; exact"
    assert row["appearances_revision"] == "1; 2"
    assert row["version"] == str(document["version"])
    assert row["updated_at"] == document["updated_at"]


def test_a_claim_without_a_verdict_has_empty_verdict_cells(world, anon):
    (row,) = read_csv(anon.get("/api/v1/claims/", headers=CSV))

    assert row["verdict_label"] == row["verdict_rating"] == row["verdict_state"] == ""
    assert row["appearances_quote"] == ""


def test_non_ascii_and_awkward_text_read_back_exactly(world, anon):
    statement = 'Київ said "über 11,000" troops; it\'s 5 km —\nnot 50 (日本語).'
    services.claim_create(statement=statement, claimant=world.port)

    rows = read_csv(anon.get("/api/v1/claims/", headers=CSV))

    assert rows[0]["statement"] == statement


def test_cells_that_would_start_a_formula_are_prefixed_with_an_apostrophe(world, anon):
    dangerous = [
        '=HYPERLINK("http://evil.example/","click")',
        "+1 555 0100 is the port's number",
        "-3,000 jobs, the union says",
        "@SUM(A1:A9)",
        "\tindented=1+1",
        "\rreturn=1",
    ]
    for statement in dangerous:
        services.claim_create(statement=statement, claimant=world.port)
    services.source_create(name="=cmd|' /C calc'!A0", kind=SourceKind.PERSON)

    claims = read_csv(anon.get("/api/v1/claims/", headers=CSV))
    sources = read_csv(anon.get("/api/v1/sources/", headers=CSV))

    statements = [row["statement"] for row in claims[: len(dangerous)]]
    assert statements == ["'" + text for text in reversed(dangerous)]
    assert sources[0]["name"] == "'=cmd|' /C calc'!A0"
    # Plain text is left alone.
    assert claims[-1]["statement"] == world.claim.statement


# Filters and audiences --------------------------------------------------------------------


def test_the_json_filters_apply_to_the_csv(published, anon):
    w = published
    union_claim = services.claim_create(statement="Fewer than 3,000.", claimant=w.union)
    make_evidence(union_claim, source=w.outlet, stance=Stance.DISPUTES)

    by_claimant = read_csv(anon.get("/api/v1/claims/", {"format": "csv", "claimant": w.union.pk}))
    by_status = read_csv(anon.get("/api/v1/claims/", {"format": "csv", "status": "disputed"}))
    by_verdict = read_csv(
        anon.get("/api/v1/claims/", {"format": "csv", "verdict": "mostly accurate"})
    )
    by_article = read_csv(
        anon.get("/api/v1/claims/", {"format": "csv", "article": w.article.pk}, headers=CSV)
    )
    by_words = read_csv(anon.get("/api/v1/claims/", {"format": "csv", "q": "containers"}))

    assert [row["id"] for row in by_claimant] == [str(union_claim.pk)]
    assert [row["id"] for row in by_status] == [str(union_claim.pk)]
    assert [row["id"] for row in by_verdict] == [str(w.claim.pk)]
    assert [row["id"] for row in by_article] == [str(w.claim.pk)]
    assert [row["id"] for row in by_words] == [str(w.claim.pk)]
    sources = read_csv(anon.get("/api/v1/sources/", {"format": "csv", "kind": "government"}))
    assert {row["name"] for row in sources} == {"City of Harbour", "Port Authority", "City Council"}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/claims/", {"status": "sort-of-true"}),
        ("/api/v1/claims/", {"verdict": "Pants on fire"}),
        ("/api/v1/claims/", {"claimant": "999999"}),
        ("/api/v1/claims/", {"updated_since": "yesterday"}),
        ("/api/v1/sources/", {"kind": "alien"}),
        ("/api/v1/evidence/", {"stance": "agrees"}),
        ("/api/v1/evidence/", {"link_state": ""}),
        # Pagination is ignored in CSV, but a malformed parameter is still a mistake.
        ("/api/v1/articles/", {"page_size": "478633373"}),
        ("/api/v1/claims/", {"cursor": "not-a-cursor"}),
    ],
)
def test_a_bad_filter_is_a_400_in_json_even_when_csv_was_asked_for(world, anon, path, query):
    for response in (
        anon.get(path, {**query, "format": "csv"}),
        anon.get(path, query, headers=CSV),
    ):
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "invalid"


def test_readers_get_published_verdicts_editors_their_working_copy(
    published, anon, read_client, viewer_client, editor_client
):
    for client in (anon, read_client):
        (row,) = read_csv(client.get("/api/v1/claims/", headers=CSV))
        assert row["verdict_label"] == "Mostly accurate"
        assert "DRAFT" not in row["verdict_explanation"]
    for client in (viewer_client, editor_client):
        (row,) = read_csv(client.get("/api/v1/claims/", headers=CSV))
        assert (row["verdict_label"], row["verdict_state"]) == ("False", "draft")
        assert row["verdict_explanation"].startswith("DRAFT")
    # The articles' claims too.
    (article,) = read_csv(anon.get("/api/v1/articles/", headers=CSV))
    assert article["claims_verdict_label"] == "Mostly accurate"
    (article,) = read_csv(editor_client.get("/api/v1/articles/", headers=CSV))
    assert article["claims_verdict_label"] == "False"


def test_a_draft_verdict_cannot_be_found_by_filtering_the_csv(published, anon):
    rows = read_csv(anon.get("/api/v1/claims/", {"format": "csv", "verdict": "False"}))

    assert rows == []


def test_article_rows_flatten_claims_and_hide_error_detail_from_readers(
    published, anon, editor_client
):
    w = published
    second = services.claim_create(statement="4,200 containers.", claimant=w.port)
    services.appearance_create(claim=second, revision=w.revision, quote="4,200 containers")
    Article.objects.filter(pk=w.article.pk).update(
        last_error="refused: gazette.example.org resolves to 10.1.2.3",
        last_error_public="refused: not a public address",
    )

    (row,) = read_csv(anon.get("/api/v1/articles/", headers=CSV))
    (staff_row,) = read_csv(editor_client.get("/api/v1/articles/", headers=CSV))
    json_row = anon.get("/api/v1/articles/").json()["results"][0]

    assert row["id"] == str(w.article.pk)
    assert row["canonical_url"] == json_row["canonical_url"]
    assert row["claims_id"] == f"{w.claim.pk}; {second.pk}"
    assert row["claims_status"] == "unverified; unverified"
    assert row["claims_verdict_label"] == "Mostly accurate; "
    assert row["revision_count"] == "1"
    assert row["last_error"] == json_row["last_error"] == "refused: not a public address"
    assert staff_row["last_error"] == "refused: gazette.example.org resolves to 10.1.2.3"


def test_source_rows_join_aliases(world, anon, editor):
    services.source_alias_add(source=world.port, alias="Harbour port", user=editor)
    services.source_alias_add(source=world.port, alias="Authority", user=editor)

    rows = {row["name"]: row for row in read_csv(anon.get("/api/v1/sources/", headers=CSV))}

    assert rows["Port Authority"]["aliases"] == "Authority; Harbour port"
    assert rows["Port Authority"]["parent"] == str(world.government.pk)
    assert rows["Port Authority"]["kind"] == "government"
    assert rows["City of Harbour"]["parent"] == ""
    assert rows["Coastal Ledger"]["url"] == "https://ledger.example.org/"


def test_csv_is_throttled_like_the_json_list(world, settings):
    settings.FACTCHECK_ANON_RATE = "2/min"
    client = ApiClient(REMOTE_ADDR="203.0.113.9")

    answers = [client.get("/api/v1/claims/", headers=CSV).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert client.get("/api/v1/claims/").status_code == 429  # one budget for both formats


# Evidence list ----------------------------------------------------------------------------


def test_evidence_list_shows_what_each_claims_evidence_list_shows(published, anon):
    w = published
    first = make_evidence(w.claim, source=w.outlet, quote="Boxes: 4,200.")
    second = make_evidence(w.claim, source=w.union, stance=Stance.DISPUTES)
    Evidence.objects.filter(pk=second.pk).update(link_state=LinkState.BROKEN)

    body = anon.get("/api/v1/evidence/").json()
    per_claim = anon.get(f"/api/v1/claims/{w.claim.pk}/evidence/").json()

    assert [item["id"] for item in body["results"]] == [second.pk, first.pk]
    assert sorted(body["results"], key=lambda item: item["id"]) == sorted(
        per_claim["results"], key=lambda item: item["id"]
    )
    item = body["results"][1]
    assert item["claim"] == w.claim.pk
    assert item["source"] == {"id": w.outlet.pk, "name": "Coastal Ledger"}
    assert item["quote"] == "Boxes: 4,200."
    assert item["link_state"] == "unchecked"
    assert body["results"][0]["link_state"] == "broken"
    assert "link_error" not in item and "snapshot_text" not in item


def test_evidence_filters(published, anon):
    w = published
    other_claim = services.claim_create(statement="Another.", claimant=w.union)
    a = make_evidence(w.claim, source=w.outlet)
    b = make_evidence(w.claim, source=w.union, stance=Stance.DISPUTES)
    c = make_evidence(other_claim, source=w.outlet, stance=Stance.CONTEXT)
    Evidence.objects.filter(pk=c.pk).update(link_state=LinkState.BROKEN)

    def ids(query):
        json_ids = [item["id"] for item in anon.get("/api/v1/evidence/", query).json()["results"]]
        csv_rows = read_csv(anon.get("/api/v1/evidence/", {**query, "format": "csv"}))
        assert [int(row["id"]) for row in csv_rows] == json_ids
        return json_ids

    assert ids({"claim": w.claim.pk}) == [b.pk, a.pk]
    assert ids({"source": w.outlet.pk}) == [c.pk, a.pk]
    assert ids({"stance": "disputes"}) == [b.pk]
    assert ids({"link_state": "broken"}) == [c.pk]
    assert ids({"claim": w.claim.pk, "source": w.outlet.pk}) == [a.pk]
    rows = read_csv(anon.get("/api/v1/evidence/", {"format": "csv", "stance": "context"}))
    assert (rows[0]["claim"], rows[0]["source_id"], rows[0]["source_name"]) == (
        str(other_claim.pk),
        str(w.outlet.pk),
        "Coastal Ledger",
    )
    assert rows[0]["link_state"] == "broken"


def test_evidence_list_paginates_like_the_others(published, anon):
    for _ in range(3):
        make_evidence(published.claim, source=published.outlet)

    first = anon.get("/api/v1/evidence/", {"page_size": 2}).json()
    second = anon.get(first["next"]).json()

    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert anon.get("/api/v1/evidence/", {"page_size": 500}).status_code == 400


def _count_queries(client, path, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["/api/v1/evidence/", "/api/v1/claims/", "/api/v1/sources/", "/api/v1/articles/"]
)
def test_query_count_does_not_grow_with_rows(published, anon, path, editor):
    numbers = itertools.count()

    def add_rows(n):
        for _ in range(n):
            number = next(numbers)
            claim = services.claim_create(statement="Another claim.", claimant=published.port)
            services.appearance_create(
                claim=claim, revision=published.revision, quote="4,200 containers"
            )
            make_evidence(claim, source=published.outlet)
            source = services.source_create(name=f"Outlet {number}", kind=SourceKind.OUTLET)
            services.source_alias_add(source=source, alias="Alias", user=editor)

    add_rows(1)
    few_json = _count_queries(anon, path, {"page_size": 1})
    few_csv = _count_queries(anon, path, {"format": "csv"})
    add_rows(10)
    many_json = _count_queries(anon, path, {"page_size": 10})
    many_csv = _count_queries(anon, path, {"format": "csv"})

    assert few_json == many_json
    assert few_csv == many_csv
