"""Figures in the forms issue 12 names: number words and scales, years by context, ranges,
fractions, currencies and units as lower-case plural words (SPEC section 6)."""

from decimal import Decimal

import pytest

from claims.text.figures import parse_figures

D = Decimal


def _one(text):
    (figure,) = parse_figures(text)
    return figure.value, figure.low, figure.high, figure.qualifier, figure.unit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Five hundred people were evacuated", (D(500), D(500), D(500), "", "people")),
        ("one hundred and six soldiers", (D(106), D(106), D(106), "", "soldiers")),
        ("two hundred and two thousand voters", (D(202000), D(202000), D(202000), "", "voters")),
        ("Officials said 1200 were evacuated", (D(1200), D(1200), D(1200), "", "")),
        ("a $1.2bn contract", (D(1_200_000_000),) * 3 + ("", "dollars")),
        ("a third of voters", (D("0.3333"), D("0.3333"), D("0.3333"), "", "voters")),
        ("one and a half million barrels", (D(1_500_000),) * 3 + ("", "barrels")),
        ("unemployment fell to 3.5 percent", (D("3.5"), D("3.5"), D("3.5"), "", "percent")),
        ("Forty-one per cent said no", (D(41), D(41), D(41), "", "percent")),
        ("between 10 and 20 km", (None, D(10), D(20), "", "kilometers")),
        ("above 1000 and below 1500 tonnes", (None, D(1000), D(1500), "", "tonnes")),
        ("20 through 100 pages", (None, D(20), D(100), "", "pages")),
        ("500 or more families", (D(500), D(500), None, "at least", "families")),
        ("at most 40 buses", (D(40), None, D(40), "up to", "buses")),
        ("thirteen dollars and forty-five cents", (D("13.45"),) * 3 + ("", "dollars")),
        ("€20 million", (D(20_000_000),) * 3 + ("", "euros")),
        ("35 lakh rupees", (D(3_500_000),) * 3 + ("", "rupees")),
        ("190,000 square meters", (D(190000),) * 3 + ("", "square meters")),
        ("a 10-gallon cooler", (D(10), D(10), D(10), "", "gallons")),
        ("It weighed 200lbs.", (D(200), D(200), D(200), "", "pounds")),
        ("five years old", (D(5), D(5), D(5), "", "years")),
        ("a farmer aged 87, who", (D(87), D(87), D(87), "", "years")),
        ("1 dollar", (D(1), D(1), D(1), "", "dollars")),
        ("temperatures of -5 degrees", (D(-5), D(-5), D(-5), "", "degrees")),
    ],
)
def test_figure_forms(text, expected):
    assert _one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "in 2022",
        "By the end of 2019",
        "the 2020 election",
        "the Korean War (1950-53)",
        "a third time",
        "the 9/11 attacks",
        "open 24/7",
        "see https://example.org/2020/30%",
        "one of the soldiers",
    ],
)
def test_years_dates_links_and_ordinals_are_not_figures(text):
    assert parse_figures(text) == []


def test_and_joins_a_range_only_after_between():
    price, items = parse_figures("It costs $4.25 and 32 are in stock.")
    assert (price.value, price.unit, items.value) == (D("4.25"), "dollars", D(32))


def test_bounds_that_do_not_face_each_other_are_two_figures():
    over, under = parse_figures("More than 40 and less than 10 were counted.")
    assert (over.low, over.high, under.low, under.high) == (D(40), None, None, D(10))


def test_figure_text_is_the_phrase_in_the_sentence():
    sentence = "Ukrainian intelligence estimates that approximately 11,000 troops were sent."
    (figure,) = parse_figures(sentence)
    assert sentence[figure.start : figure.end] == figure.text == "approximately 11,000 troops"
