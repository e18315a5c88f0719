"""Readers for the public data in ``../shared/data`` (see its README) and our development split.

The split is by document, so that no debate or spec file is half in training and half in
development: CheckThat! 2019 keeps every fifth debate (by file name, from the fifth) for
development, CheckThat! 2020 has its own dev file, ClaimBuster (sentences without their
debate) keeps a fixed slice by id, and the Recognizers-Text spec files keep their second
halves. Nothing here reads the held-out test parts, which are not in ``../shared``.
"""

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]

# ClaimBuster's ids are spread over its debates; every id ending in 0 or 1 is development.
CLAIMBUSTER_DEV_REMAINDERS = {0, 1}
CLEF2019_DEV_EVERY = 5


def shared_dir() -> Path:
    """``../shared`` beside the repository, or FACTCHECK_SHARED_DIR (e.g. from a worktree)."""
    return Path(os.environ.get("FACTCHECK_SHARED_DIR", REPO_DIR.parent / "shared"))


def data_dir() -> Path:
    return shared_dir() / "data"


@dataclass(frozen=True)
class Labelled:
    text: str
    label: int
    # The document a sentence belongs to: a debate, a tweet, a ClaimBuster sentence's id.
    document: str
    source: str


def read_claimbuster(path: Path) -> list[Labelled]:
    """ClaimBuster JSON Lines: ``{"id", "text", "check_worthy"}`` a line."""
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            item = json.loads(line)
            rows.append(
                Labelled(
                    str(item["text"]), int(item["check_worthy"]), str(item["id"]), "claimbuster"
                )
            )
    return rows


def read_clef2019(path: Path) -> list[Labelled]:
    """A CheckThat! 2019 task 1 debate: ``line<TAB>speaker<TAB>text<TAB>label`` a line."""
    rows = []
    with path.open(encoding="utf-8", newline="") as lines:
        for fields in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(fields) < 4 or not fields[3].strip().isdigit():
                continue
            rows.append(Labelled(fields[2], int(fields[3]), path.stem, "clef2019"))
    return rows


def read_clef2020(path: Path) -> list[Labelled]:
    """CheckThat! 2020 task 1 tweets: a TSV with a header naming ``tweet_text`` and
    ``check_worthiness``."""
    rows = []
    with path.open(encoding="utf-8", newline="") as lines:
        for item in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            text, label = item.get("tweet_text"), item.get("check_worthiness")
            if text is None or label is None or not label.strip().isdigit():
                continue
            rows.append(Labelled(text, int(label), item.get("tweet_id") or "", "clef2020"))
    return rows


def is_claimbuster_dev(row: Labelled) -> bool:
    return row.document.isdigit() and int(row.document) % 10 in CLAIMBUSTER_DEV_REMAINDERS


def clef2019_files(root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The CheckThat! 2019 debates for training and for development."""
    files = sorted((root or data_dir() / "clef2019-t1").glob("*.tsv"))
    dev = files[CLEF2019_DEV_EVERY - 1 :: CLEF2019_DEV_EVERY]
    return [path for path in files if path not in dev], dev


@dataclass
class Splits:
    train: list[Labelled]
    claimbuster_dev: list[Labelled]
    clef2019_dev: dict[str, list[Labelled]]
    clef2020_dev: list[Labelled]


def load_splits(root: Path | None = None) -> Splits:
    """Training rows of all three sets, and each set's development part, from ``root``
    (``../shared/data`` by default)."""
    root = root or data_dir()
    claimbuster = read_claimbuster(root / "claimbuster" / "train.jsonl")
    clef2019_train, clef2019_dev = clef2019_files(root / "clef2019-t1")
    claimbuster_dev = [row for row in claimbuster if is_claimbuster_dev(row)]
    clef2020_dev = read_clef2020(root / "clef2020-t1" / "dev_v2.tsv")
    clef2019_dev_rows = {path.stem: read_clef2019(path) for path in clef2019_dev}
    # training_v2.tsv of CheckThat! 2020 holds its dev tweets too, and a few ClaimBuster
    # sentences occur twice under different ids: no development text is trained on.
    held = {row.text for row in claimbuster_dev + clef2020_dev}
    held |= {row.text for rows in clef2019_dev_rows.values() for row in rows}
    train = [row for row in claimbuster if not is_claimbuster_dev(row)]
    for path in clef2019_train:
        train += read_clef2019(path)
    train += read_clef2020(root / "clef2020-t1" / "training_v2.tsv")
    return Splits(
        train=[row for row in train if row.text not in held],
        claimbuster_dev=claimbuster_dev,
        clef2019_dev=clef2019_dev_rows,
        clef2020_dev=clef2020_dev,
    )


def recognizer_cases(root: Path | None = None, *, half: str = "dev") -> Iterator[tuple[str, dict]]:
    """Recognizers-Text spec cases, ``(file stem, case)``: the first half of each file is for
    tuning ("train"), the second for measuring ("dev")."""
    for path in sorted((root or data_dir() / "recognizers").glob("*.json")):
        cases = json.loads(path.read_text(encoding="utf-8"))
        middle = len(cases) // 2
        for case in cases[:middle] if half == "train" else cases[middle:]:
            yield path.stem, case
