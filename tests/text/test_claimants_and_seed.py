"""Claimants in the forms issue 12 names, and the seed article as a newsroom would paste it:
its check-worthy sentences at or above the threshold, its furniture below, its claimants."""

from pathlib import Path

import pytest

from claims.text.analysis import analyse_text
from claims.text.scoring import THRESHOLD
from tests.text.shared import require_shared

SEED_LABELS = (
    Path(__file__).resolve().parents[2] / "bench" / "claims_public_news" / "seed_labels.txt"
)


def _claimants(text: str) -> dict[str, str | None]:
    return {a.sentence.text: a.claimant for a in analyse_text(text)}


@pytest.mark.parametrize(
    "sentence, claimant",
    [
        ("In a Facebook message posted Friday, Cruz said the bill would fail.", "Cruz"),
        ("Moscow and Pyongyang initially dismissed the reports.", "Moscow and Pyongyang"),
        ("Putin has since avoided denying the claims.", "Putin"),
        ("North Korean officials have defended the deployments.", "North Korean officials"),
        ("The ministry denied that any soldiers had been captured.", "The ministry"),
        ("The union warned that 300 jobs would go.", "The union"),
        ('"We have no plan," Rita Moss, who chairs the committee, told reporters.', "Rita Moss"),
        ("I have traveled to forty-eight of the fifty states.", None),
        ("Let me tell you what the report shows.", None),
        ("By Maria Delgado, City Hall reporter", None),
    ],
)  # fmt: skip
def test_claimant_of_a_sentence(sentence, claimant):
    assert _claimants(sentence)[sentence] == claimant


def test_a_paragraphs_first_sentence_takes_the_source_the_next_one_confirms_it_with():
    text = (
        "Special forces discovered the bodies of a dozen soldiers near the border. Among them "
        "was one who was still alive, the Special Operations Forces confirmed on Friday."
    )
    assert set(_claimants(text).values()) == {"the Special Operations Forces"}


def test_an_attribution_is_not_carried_back_across_paragraphs_or_from_a_pronoun():
    text = "Prices rose by 4 percent.\nThe agency confirmed the figure.\nIt rained. He said so."
    claimants = _claimants(text)
    assert claimants["Prices rose by 4 percent."] is None
    assert claimants["It rained."] is None


def test_a_byline_is_furniture_but_a_sentence_opening_with_by_is_not():
    byline, claim = analyse_text(
        "By Maria Delgado, City Hall reporter\n"
        "By the end of 2019, unemployment had fallen to 3.5 percent."
    )
    assert "page_furniture" in byline.score.features and byline.score.score < THRESHOLD
    assert "page_furniture" not in claim.score.features and claim.score.score >= THRESHOLD


def _seed_labels() -> list[tuple[str, str, list[str]]]:
    labels = []
    for line in SEED_LABELS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, claimants, prefix = (part.strip() for part in line.split("|", 2))
            labels.append((prefix, label, [c for c in claimants.split("/") if c]))
    return labels


def test_the_seed_article_scores_and_claimants():
    seed = require_shared("seed-article.txt")
    labels = _seed_labels()
    analysed = analyse_text(seed.read_text(encoding="utf-8"))
    matched = []
    for item in analysed:
        label = next((lab for lab in labels if item.sentence.text.startswith(lab[0])), None)
        assert label is not None, f"no label for {item.sentence.text[:60]!r}"
        matched.append((label, item))
    furniture = [item for (_, kind, _), item in matched if kind == "F"]
    worthy = [item for (_, kind, _), item in matched if kind == "C"]
    assert all(item.score.score < THRESHOLD for item in furniture)
    low = [item.sentence.text[:50] for item in worthy if item.score.score < THRESHOLD]
    assert len(worthy) == 18 and not low, low
    attributed = [(names, item) for (_, _, names), item in matched if names]
    right = [
        item
        for names, item in attributed
        if item.claimant and any(item.claimant.lower().endswith(n.lower()) for n in names)
    ]
    assert len(right) >= 14, [(n, i.claimant) for n, i in attributed if i not in right]
