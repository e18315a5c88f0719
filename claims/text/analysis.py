"""One pass over an article's text: sentences, claimants, quantities and scores together."""

from dataclasses import dataclass

from claims.text.claimants import suggest_claimants
from claims.text.quantities import Quantity, parse_quantities
from claims.text.scoring import Score, score_sentence
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
    analysed = []
    for sentence, claimant in zip(sentences, claimants, strict=True):
        quantities = [] if sentence.is_heading else parse_quantities(sentence.text)
        score = score_sentence(
            sentence.text,
            claimant=claimant,
            quantities=quantities,
            is_heading=sentence.is_heading,
        )
        analysed.append(AnalysedSentence(sentence, claimant, quantities, score))
    return analysed
