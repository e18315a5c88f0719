"""Analysis as a service (SPEC section 6): any text a newsroom sends (a draft before
publication) gets what a revision's candidates are made of, by the same code: its sentences
with their offsets, check-worthiness and the features behind it, the claimant as found and the
source it resolves to, the figures, and for check-worthy sentences the claims on record they
may restate."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from claims.claimants import source_match
from claims.matching import ClaimMatch, texts_match
from claims.text.analysis import AnalysedSentence, analyse_text
from claims.text.figures import Figure
from claims.text.scoring import THRESHOLD as CHECK_WORTHY

TEXT_MAX_LENGTH = 100_000
MATCHES_PER_SENTENCE = 3


def figure_data(figure: Figure) -> dict:
    """A figure as candidates store it and the API answers it: numbers as decimal strings."""

    def number(n: Decimal | None) -> str | None:
        return None if n is None else str(n)

    return {
        "value": number(figure.value),
        "low": number(figure.low),
        "high": number(figure.high),
        "qualifier": figure.qualifier,
        "unit": figure.unit,
        "text": figure.text,
    }


def sentence_fields(analysed: AnalysedSentence) -> dict:
    """What a candidate keeps of an analysed sentence."""
    sentence = analysed.sentence
    return {
        "text": sentence.text,
        "start": sentence.start,
        "end": sentence.end,
        "score": analysed.score.score,
        "features": analysed.score.features,
        "suggested_claimant": (analysed.claimant or "")[:300],
        "figures": [figure_data(figure) for figure in analysed.figures],
    }


def is_check_worthy(analysed: AnalysedSentence) -> bool:
    return analysed.score.score >= CHECK_WORTHY


@dataclass(frozen=True)
class SentenceFinding:
    analysed: AnalysedSentence
    check_worthy: bool
    claimant_source_id: int | None
    matches: list[ClaimMatch]


def text_analyse(*, text: str) -> list[SentenceFinding]:
    """Every sentence of ``text``, in order. Offsets index ``text`` as given."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"text": "Give the text to analyse."})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The text is too long to analyse (at most {TEXT_MAX_LENGTH:,} characters)."}
        )
    analysed = analyse_text(text)
    worthy = [sentence for sentence in analysed if is_check_worthy(sentence)]
    # One pooled query for all check-worthy sentences, handed out in their order.
    matches = iter(texts_match([s.sentence.text for s in worthy], limit=MATCHES_PER_SENTENCE))
    sources: dict[str, int | None] = {}
    findings = []
    for sentence in analysed:
        name = sentence.claimant
        if name and name not in sources:
            found = source_match(name)
            sources[name] = found.pk if found else None
        check_worthy = is_check_worthy(sentence)
        findings.append(
            SentenceFinding(
                analysed=sentence,
                check_worthy=check_worthy,
                claimant_source_id=sources[name] if name else None,
                matches=next(matches) if check_worthy else [],
            )
        )
    return findings
