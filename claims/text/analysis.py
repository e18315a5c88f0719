"""One pass over an article's text: sentences, claimants, figures and scores together."""

from dataclasses import dataclass

from claims.text.claimants import suggest_claimants
from claims.text.figures import Figure, parse_figures
from claims.text.scoring import Score, score_sentences
from claims.text.sentences import Sentence, split_sentences


@dataclass(frozen=True)
class AnalysedSentence:
    sentence: Sentence
    claimant: str | None
    figures: list[Figure]
    score: Score


def analyse_text(text: str) -> list[AnalysedSentence]:
    """Every sentence of ``text`` with its suggested claimant, figures and check-worthiness."""
    sentences = split_sentences(text)
    claimants = suggest_claimants(sentences)
    figures = [[] if s.is_heading else parse_figures(s.text) for s in sentences]
    scores = score_sentences(
        [
            (sentence.text, claimant, figures, sentence.is_heading)
            for sentence, claimant, figures in zip(sentences, claimants, figures, strict=True)
        ],
        paragraphs=[sentence.paragraph for sentence in sentences],
    )
    return [
        AnalysedSentence(sentence, claimant, figures, score)
        for sentence, claimant, figures, score in zip(
            sentences, claimants, figures, scores, strict=True
        )
    ]
