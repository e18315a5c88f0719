"""One pass over an article's text: sentences, claimants, quantities and scores together."""

from dataclasses import dataclass

from claims.text.claimants import suggest_claimants
from claims.text.quantities import Quantity, parse_quantities
from claims.text.scoring import Score, score_sentences
from claims.text.sentences import Sentence, split_sentences


@dataclass(frozen=True)
class AnalysedSentence:
    sentence: Sentence
    claimant: str | None
    quantities: list[Quantity]
    score: Score


def analyse_text(text: str) -> list[AnalysedSentence]:
    """Every sentence of ``text`` with its suggested claimant, figures and check-worthiness."""
    sentences = split_sentences(text)
    claimants = suggest_claimants(sentences)
    figures = [[] if s.is_heading else parse_quantities(s.text) for s in sentences]
    scores = score_sentences(
        [
            (sentence.text, claimant, quantities, sentence.is_heading)
            for sentence, claimant, quantities in zip(sentences, claimants, figures, strict=True)
        ],
        paragraphs=[sentence.paragraph for sentence in sentences],
    )
    return [
        AnalysedSentence(sentence, claimant, quantities, score)
        for sentence, claimant, quantities, score in zip(
            sentences, claimants, figures, scores, strict=True
        )
    ]
