"""False "likely the same" flags against a small archive, on sentences of real pages.

    FACTCHECK_SHARED_DIR=../shared .venv/bin/python bench/matching_small_archive.py

A newsroom that starts with a few dozen fact-checks (the sample archive,
claims/demo/sample_factchecks.jsonl, 36 of them) gets keyword pools of one to a few claims,
where the models learned on pools of 100. This matches up to ``--sentences`` sentences of
the real pages in ../shared/pages against it and prints how many are "possibly the same"
(score 0.5 and up) and how many get ``likely_same``, each with the sentence and the claim to
read: the archive's fact-checks are the project's own inventions, so a flag is nearly always
wrong.
"""

import argparse
import gzip
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings_test")

import django  # noqa: E402

django.setup()

import trafilatura  # noqa: E402

from claims.text.rerank import POSSIBLY_SAME, rank_claims  # noqa: E402
from claims.text.retrieval import ClaimIndex, PoolClaim  # noqa: E402
from claims.text.sentences import split_sentences  # noqa: E402
from claims.text.train_matching import shared_dir  # noqa: E402

ARCHIVE = ROOT / "claims" / "demo" / "sample_factchecks.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=3000)
    args = parser.parse_args()
    pages = sorted((shared_dir() / "pages").glob("*.html.gz"))
    if not pages:
        parser.error(f"no pages at {shared_dir() / 'pages'}: set FACTCHECK_SHARED_DIR")
    lines = ARCHIVE.read_text(encoding="utf-8").splitlines()
    claims = [json.loads(line)["statement"] for line in lines if line.strip()]
    index = ClaimIndex([PoolClaim(i, statement) for i, statement in enumerate(claims)])
    sentences = []
    for page in pages:
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        text = trafilatura.extract(html) or ""
        sentences += [s.text for s in split_sentences(text) if 40 <= len(s.text) <= 300]
    random.seed(15)
    random.shuffle(sentences)
    sentences = sentences[: args.sentences]
    possible = flagged = 0
    for sentence in sentences:
        pool = index.pool(sentence)
        results = rank_claims(sentence, pool)
        if results and results[0].score >= POSSIBLY_SAME:
            possible += 1
        if results and results[0].likely_same:
            flagged += 1
            best = claims[results[0].claim_id]
            print(f"  flagged ({len(pool)} in pool, {results[0].score:.2f}): {sentence[:80]!r}")
            print(f"    as {best[:80]!r}")
    print(
        f"{len(sentences)} sentences of {len(pages)} pages against {len(claims)} fact-checks: "
        f"possibly the same {possible}, likely_same {flagged}"
    )


if __name__ == "__main__":
    main()
