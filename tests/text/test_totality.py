"""The text path is total: any string gives sentences, scores, claimants and figures, or
nothing, but never an exception (issue 11: "Forty-one percent" raised KeyError: 'one')."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.text.analysis import analyse_text
from claims.text.figures import parse_figures

NUMBER_WORDS = [
    "one", "two", "three", "eleven", "twenty", "forty", "ninety", "hundred", "thousand",
    "million", "billion", "dozen", "a", "an", "and", "half", "third", "thirds", "-", "−",
]  # fmt: skip
NEWS_WORDS = [
    "said", "Putin", "percent", "%", "$", "£", "€", "troops", "between", "to", "through",
    "over", "about", "at least", "up to", "1200", "1950-53", "3.5", "1.2bn", "1,000", "“",
    "”", '"', ",", ".", "?", "\n", "According to", "officials", "the", "in", "2022", "km",
    "200lbs", "+", "of", "-one", "-year-old", "March", "He", "denied", "—", "and below",
    "less than", "more than", "at most", "at least", "or more", "½", "a half", "two thirds",
    "lakh", "cents", "USD", "C$", "negative", "https://x.org/1/2%", "9/11", "1/4", "and a half",
]  # fmt: skip
NEWSLIKE = st.lists(st.sampled_from(NUMBER_WORDS + NEWS_WORDS), max_size=40).map(" ".join)
TOTALITY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_analysis(text: str) -> None:
    for item in analyse_text(text):
        assert 0 <= item.score.score <= 1
        assert text[item.sentence.start : item.sentence.end] == item.sentence.text
        for figure in item.figures:
            assert figure.start <= figure.end
            for bound in (figure.value, figure.low, figure.high):
                assert bound is None or isinstance(bound, Decimal)


@TOTALITY
@given(st.text(max_size=300))
def test_any_text_analyses_without_error(text):
    _check_analysis(text)


@TOTALITY
@given(NEWSLIKE)
def test_any_run_of_news_and_number_words_analyses_without_error(text):
    _check_analysis(text)


@TOTALITY
@given(NEWSLIKE)
def test_figures_are_well_formed_for_any_words(text):
    for figure in parse_figures(text):
        if figure.low is not None and figure.high is not None:
            assert figure.low <= figure.high
        assert figure.unit == figure.unit.lower()


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("Forty-one percent of voters", Decimal(41), "percent"),
        ("twenty-one soldiers", Decimal(21), "soldiers"),
        ("ninety-nine red balloons", Decimal(99), "balloons"),
        ("thirty-one days", Decimal(31), "days"),
    ],
)
def test_hyphenated_numbers_ending_in_one_are_read(text, value, unit):
    (figure,) = parse_figures(text)
    assert (figure.value, figure.unit) == (value, unit)
