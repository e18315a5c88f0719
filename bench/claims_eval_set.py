"""Reads the evaluation set in bench/claims_eval (format in its README.md)."""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent / "claims_eval"


@dataclass
class LabelledQuantity:
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    qualifier: str
    units: list[str]


@dataclass
class LabelledSentence:
    text: str
    checkworthy: bool
    claimants: list[str]
    figures: list[LabelledQuantity] = field(default_factory=list)


@dataclass
class LabelledArticle:
    name: str
    date: str
    text: str
    sentences: list[LabelledSentence]


def _decimal(raw: str) -> Decimal | None:
    return Decimal(raw) if raw.strip() else None


def _quantities(raw: str) -> list[LabelledQuantity]:
    found = []
    for part in filter(None, (p.strip() for p in raw.split("&"))):
        value, low, high, qualifier, unit = (f.strip() for f in part.split(";"))
        units = [u.strip() for u in unit.split("/")]
        found.append(
            LabelledQuantity(_decimal(value), _decimal(low), _decimal(high), qualifier, units)
        )
    return found


def load_articles(folder: Path = DEFAULT_DIR) -> list[LabelledArticle]:
    articles = []
    for path in sorted((folder / "articles").glob("*.txt")):
        date, paragraphs, current = "", [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("@date"):
                date = line.split(None, 1)[1].strip()
                continue
            if not line.strip():
                if current:
                    paragraphs.append(current)
                current = []
                continue
            label, claimant, figures, sentence = (p.strip() for p in line.split("|", 3))
            current.append(
                LabelledSentence(
                    text=sentence,
                    checkworthy=label == "C",
                    claimants=[c.strip() for c in claimant.split("/") if c.strip()],
                    figures=_quantities(figures),
                )
            )
        if current:
            paragraphs.append(current)
        text = "\n".join(" ".join(s.text for s in para) for para in paragraphs)
        sentences = [s for para in paragraphs for s in para]
        articles.append(LabelledArticle(path.stem, date, text, sentences))
    return articles


def load_matching(folder: Path = DEFAULT_DIR) -> dict:
    return json.loads((folder / "matching.json").read_text(encoding="utf-8"))
