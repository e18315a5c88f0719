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
        # Forms of the Recognizers-Text spec cases (tests/text/test_figures_spec.py).
        ("one point eight billion dollars", (D(1_800_000_000),) * 3 + ("", "dollars")),
        ("nine point nought four", (D("9.04"),) * 3 + ("", "")),
        ("four out of five budgets", (D("0.8"),) * 3 + ("", "budgets")),
        ("one over twenty", (D("0.05"),) * 3 + ("", "")),
        ("minus one hundred thirty fifths", (D("-2.8571"),) * 3 + ("", "")),
        ("4 thousand 3 hundred and 21 voters", (D(4321),) * 3 + ("", "voters")),
        ("3 hundred and one", (D(301),) * 3 + ("", "")),
        ("The population is 3 million and a half", (D(3_500_000),) * 3 + ("", "")),
        ("five billion and three quarters", (D(5_750_000_000),) * 3 + ("", "")),
        ("three lakh crore rupees", (D(3 * 10**12),) * 3 + ("", "rupees")),
        ("40 000 people", (D(40000),) * 3 + ("", "people")),
        ("40\u202f000 people", (D(40000),) * 3 + ("", "people")),
        ("1.3x10^6", (D(1_300_000),) * 3 + ("", "")),
        ("12.32e+14", (D(1_232_000_000_000_000),) * 3 + ("", "")),
        ("a wall 1 m high", (D(1), D(1), D(1), "", "meters")),
        ("a $1.2 M deal", (D(1_200_000),) * 3 + ("", "dollars")),
        ("he is 5 ft 2 in", (D("5.1667"),) * 3 + ("", "feet")),
        ("he is 5 feet and 2 inches.", (D("5.1667"),) * 3 + ("", "feet")),
        ("It costs 15 dollars 50.", (D("15.5"),) * 3 + ("", "dollars")),
        ("it only cost thirteen dollars forty five", (D("13.45"),) * 3 + ("", "dollars")),
        ("They paid 75 USD million", (D(75_000_000),) * 3 + ("", "dollars")),
        ("revenue of 120 MEUR", (D(120_000_000),) * 3 + ("", "euros")),
        ("Sell Mex$ 10 million forward", (D(10_000_000),) * 3 + ("", "pesos")),
        ("The angle is 0.8rad", (D("0.8"),) * 3 + ("", "radians")),
        ("The patient is a 87 yo man", (D(87), D(87), D(87), "", "years")),
        ("per cent of 210", (D(210), D(210), D(210), "", "percent")),
        ("less than or equal to 40 and greater than 20", (None, D(20), D(40), "", "")),
    ],
)
def test_figure_forms(text, expected):
    assert _one(text) == expected


@pytest.mark.parametrize(
    "text, values",
    [
        ("there are 12 out of 10", [D(12), D(10)]),  # more than the whole: not a share
        ("either 10 bln or 10 tln", [D(10**10), D(10**13)]),
        ("10 rmb 20 usd", [D(10), D(20)]),
        ("4000 3 hundred and 21 are two valid numbers.", [D(4000), D(321), D(2)]),
        ("3 hundred and 2.12 hundred", [D(300), D(212)]),
        ("He worked 12 over 3 days", [D(12), D(3)]),  # a duration, not a ratio
        ("50 percent of 10 million people", [D(50), D(10_000_000)]),
        ("2 million and 3 thousand", [D(2_003_000)]),
        ("$4 million and 21 staff", [D(4_000_000), D(21)]),
    ],
)
def test_numbers_that_stay_apart_or_join(text, values):
    assert [figure.value for figure in parse_figures(text)] == values


def test_equal_to_is_an_exact_figure_that_says_so():
    (figure,) = parse_figures("The number is equals to 20000 in 1998")
    assert (figure.value, figure.low, figure.high, figure.qualifier) == (D(20000),) * 3 + ("",)
    assert figure.text == "equals to 20000"


def test_a_malformed_comparison_is_no_bound():
    (figure,) = parse_figures("=>30")
    assert (figure.value, figure.qualifier) == (D(30), "")


def test_or_less_than_a_number_is_a_bound_of_its_own():
    exact, under = parse_figures("His score is equal to 5000 or less than 5000")
    assert (exact.low, exact.high, under.low, under.high) == (D(5000), D(5000), None, D(5000))


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
        "The advent of COVID-19 added complexity",
        "the F-16 fleet",
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
