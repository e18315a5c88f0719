"""The text path over all the real text we have: every page in ../shared/pages (extracted as
the app extracts it) and every sentence in ../shared/data. Slow, so marked ``shared_data``
for CI to run once; without ../shared these skip with the reason (and fail under CI=true)."""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from articles.extract import ExtractionError, extract_html
from claims.text.analysis import analyse_text
from tests.text.shared import require_shared

pytestmark = pytest.mark.shared_data


def _texts(path: Path) -> Iterator[str]:
    """Every piece of text in a data file: JSON Lines' "text", spec cases' "Input", and every
    TSV field holding a space (sentences, tweets, claims, titles)."""
    if path.suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)["text"]
    elif path.suffix == ".json":
        for case in json.loads(path.read_text(encoding="utf-8")):
            yield case["Input"]
    elif path.suffix in {".tsv", ".queries"}:
        for line in path.read_text(encoding="utf-8").splitlines():
            yield from (field for field in line.split("\t") if " " in field)


def _analyse(text: str, where: str) -> list:
    try:
        return analyse_text(text)
    except Exception as error:  # the failure names the input, so it can become a unit test
        pytest.fail(f"{where}: {error!r} on {text[:200]!r}")


def test_every_sentence_of_the_public_data_analyses():
    root = require_shared("data")
    files = sorted(
        p for p in root.rglob("*") if p.suffix in {".jsonl", ".json", ".tsv", ".queries"}
    )
    assert files, f"no data files under {root}"
    analysed = 0
    for path in files:
        for text in _texts(path):
            _analyse(text, str(path.relative_to(root)))
            analysed += 1
    # The sets' READMEs count tens of thousands of sentences; a reader that silently found
    # none would otherwise pass.
    assert analysed > 40_000


def test_every_shared_page_analyses_with_figures_and_scores():
    root = require_shared("pages")
    pages = sorted(root.glob("*.html*"))
    assert pages, f"no pages under {root}"
    sentences = 0
    for page in pages:
        raw = gzip.decompress(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes()
        try:
            extracted = extract_html(raw.decode("utf-8", errors="replace"))
        except ExtractionError:
            continue  # a page without article text gives no candidates, as in the app
        for item in _analyse(extracted.text, page.name):
            assert 0 <= item.score.score <= 1
            sentences += 1
    assert sentences > 1000
