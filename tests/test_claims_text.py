"""Text analysis behind candidates (SPEC section 6): sentence splitting, each feature of the
check-worthiness score, claimant suggestion, figure parsing and text similarity."""

import math
from decimal import Decimal

import pytest

from claims.text.analysis import analyse_text
from claims.text.claimants import suggest_claimants
from claims.text.figures import parse_figures
from claims.text.matching import text_similarity
from claims.text.model import shipped_model
from claims.text.scoring import (
    FIXED_PENALTIES,
    NEWS_OFFSET,
    THRESHOLD,
    WORDING,
    score_sentence,
)
from claims.text.sentences import split_sentences

# Sentences ---------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences():
    text = "Dr. Lee met Mr. Park at 5 p.m. on Jan. 3 with the U.S. delegation. They spoke."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Dr. Lee met Mr. Park at 5 p.m. on Jan. 3 with the U.S. delegation.",
        "They spoke.",
    ]


def test_quotes_stay_with_their_attribution_and_positions_index_the_text():
    text = (
        "According to Kim, capture is treason. “Becoming a prisoner means treason,” Kim said. "
        "“We were taught to fight.”"
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "According to Kim, capture is treason.",
        "“Becoming a prisoner means treason,” Kim said.",
        "“We were taught to fight.”",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_headings_are_their_own_sentence_and_marked():
    text = "Mounting Evidence of Alliance\nUkrainian intelligence estimates 11,000 troops.\n"
    first, second = split_sentences(text)
    assert (first.text, first.is_heading, first.paragraph) == (
        "Mounting Evidence of Alliance",
        True,
        0,
    )
    assert (second.is_heading, second.paragraph, second.start) == (False, 1, 30)


# Score features ----------------------------------------------------------------------------


def _features(text, **kwargs):
    analysed = {a.sentence.text: a for a in analyse_text(text)}
    a = analysed[text.splitlines()[-1].strip()] if "\n" in text else next(iter(analysed.values()))
    return a.score.score, set(a.score.features)


@pytest.mark.parametrize(
    "sentence, feature",
    [
        ("Officials counted 4,200 containers at the quay.", "figure"),
        ("The port authority said the quay was full.", "attribution"),
        ("The port authority said that the quay was full.", "reported_speech"),
        ("The mayor accused the union of blocking the quay.", "reported_speech"),
        ("The ship was seen near Wrexley.", "named_actor"),
        ("The ship arrived on Monday.", "date"),
        ("It was the largest backlog since 1998.", "comparison"),
        ("Two ships were diverted to the neighbouring port.", "reported_event"),
        ("It is a sobering moment for the city.", "opinion"),
        ("The dispute could drag on for months.", "speculation"),
        ("Why are the workers striking?", "question"),
        ("Share this article", "page_furniture"),
        ("Comments (14)", "page_furniture"),
        ("Related stories", "page_furniture"),
        ("Not everyone agrees.", "short"),
        ("“This cannot go on like this,” he said.", "quote_without_fact"),
    ],
)
def test_each_feature_is_found_and_weighted(sentence, feature):
    _, features = _features(sentence)
    assert feature in features
    analysed = analyse_text(sentence)[0]
    learned = shipped_model().rule_weights
    assert analysed.score.features[feature] == learned.get(feature, FIXED_PENALTIES.get(feature))


def test_the_features_shown_add_up_to_the_score():
    # Editors see why: the rule features' weights and the wording's share are the whole logit.
    text = (
        "Harbour City Gazette\nThe port authority said on Monday that 4,200 containers passed "
        "through the northern terminal in March. Is more money the answer?"
    )
    for analysed in analyse_text(text):
        z = shipped_model().intercept + NEWS_OFFSET + sum(analysed.score.features.values())
        assert analysed.score.score == pytest.approx(1 / (1 + math.exp(-z)), abs=0.001)
        assert WORDING in analysed.score.features


def test_features_move_the_score_in_their_direction():
    plain = score_sentence("The quay was busy in the morning.", claimant=None, figures=[])
    with_figure = score_sentence(
        "The quay was busy in the morning.",
        claimant=None,
        figures=parse_figures("4,200 containers"),
    )
    with_claimant = score_sentence(
        "The quay was busy in the morning.", claimant="the port authority", figures=[]
    )
    as_heading = score_sentence(
        "The quay was busy in the morning.", claimant=None, figures=[], is_heading=True
    )
    assert with_figure.score > plain.score
    assert with_claimant.score > plain.score
    assert as_heading.score < plain.score
    assert 0 <= as_heading.score < plain.score < 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Ukrainian intelligence estimates that approximately 11,000 North Korean troops have "
        "been deployed to assist Russian forces.",
        "The port authority said on Monday that more than 40,000 containers were waiting.",
        "Two ships carrying medical supplies were diverted to Wrexley last week.",
        "“We are losing roughly $3 million a day,” said Maria Okafor, the finance director.",
    ],
)
def test_check_worthy_sentences_score_above_the_threshold(sentence):
    assert analyse_text(sentence)[0].score.score >= THRESHOLD


@pytest.mark.parametrize(
    "sentence",
    [
        "It is a sobering moment for a city that has staked its future on trade.",
        "Critics fear the dispute could drag on for months.",
        "Is more money the answer?",
        "Share this article",
        "Sign up for our daily newsletter",
        "Whether either side will blink first is anyone's guess.",
    ],
)
def test_opinion_questions_and_furniture_score_below_the_threshold(sentence):
    assert analyse_text(sentence)[0].score.score < THRESHOLD


# Claimants ---------------------------------------------------------------------------------


def _claimants(text):
    sentences = split_sentences(text)
    return dict(zip((s.text for s in sentences), suggest_claimants(sentences), strict=True))


@pytest.mark.parametrize(
    "sentence, claimant",
    [
        ("The ministry estimates that 400 troops crossed.", "The ministry"),
        ("The President has proposed exchanging the prisoners.", "The President"),
        ("Nine soldiers died, the defence ministry said in a statement.", "the defence ministry"),
        ("“We are losing money,” said Maria Okafor, the finance director.", "Maria Okafor"),
        ("“The shelling started at two,” Park Ji-ho, a farmer, said.", "Park Ji-ho"),
        ("At least 37 people died, according to local officials.", "local officials"),
        ("According to Kim, a former soldier, capture is treason.", "Kim"),
        ("This act, officials say, highlights the indoctrination.", "officials"),
        (
            "Figures from the Office for National Statistics show that exports fell.",
            "the Office for National Statistics",
        ),
        ("The union is demanding a 12 percent pay rise.", "The union"),
        ("Ukraine has reportedly captured two soldiers.", None),
        ("Two bodies were found near the river.", None),
        (
            "A former soldier who defected in 2022 told reporters that notes were found.",
            "A former soldier",
        ),
    ],
)
def test_claimant_of_a_sentence(sentence, claimant):
    assert _claimants(sentence)[sentence] == claimant


def test_attribution_is_carried_to_a_pronoun_and_to_a_following_quote():
    text = (
        "Transport Minister Helen Achterberg has proposed a mediator. "
        "She told parliament that no emergency powers would be used.\n"
        "“Becoming a prisoner means treason,” Kim said. “We were taught to fight.”\n"
        "Officials closed the road. “Nobody told us,” one driver said."
    )
    claimants = _claimants(text)
    assert claimants["She told parliament that no emergency powers would be used."] == (
        "Transport Minister Helen Achterberg"
    )
    assert claimants["“We were taught to fight.”"] == "Kim"
    assert claimants["Officials closed the road."] is None


def test_a_quote_in_a_new_paragraph_is_not_given_the_last_speaker():
    text = "“Prices will fall,” the governor said.\n“Nobody believes that.”"
    assert _claimants(text)["“Nobody believes that.”"] is None


def test_a_surname_resolves_to_the_full_name_met_before():
    text = (
        "Health Secretary Priya Nandakumar announced £2 billion for scanners.\n"
        "Nandakumar told reporters that waits had fallen."
    )
    assert _claimants(text)["Nandakumar told reporters that waits had fallen."] == (
        "Health Secretary Priya Nandakumar"
    )


def test_the_agency_refers_back_to_the_agency_named_before():
    text = (
        "Ukraine's military intelligence agency estimates that 11,000 troops were deployed. "
        "According to the agency, more than 3,000 of them have been killed or wounded."
    )
    claimants = _claimants(text)
    assert (
        claimants["According to the agency, more than 3,000 of them have been killed or wounded."]
        == "Ukraine's military intelligence agency"
    )


# Figures --------------------------------------------------------------------------------

D = Decimal


@pytest.mark.parametrize(
    "text, expected",
    [
        ("11,000 troops", (D(11000), D(11000), D(11000), "", "troops")),
        ("approximately 11,000 North Korean troops", (D(11000), None, None, "about", "troops")),
        ("over 3,000 killed or wounded", (D(3000), D(3000), None, "over", "killed or wounded")),
        ("3,000+ soldiers", (D(3000), D(3000), None, "at least", "soldiers")),
        ("fewer than 3,000 containers", (D(3000), None, D(3000), "under", "containers")),
        ("at least 37 people", (D(37), D(37), None, "at least", "people")),
        ("up to 11,000 nursing posts", (D(11000), None, D(11000), "up to", "posts")),
        ("two North Korean soldiers", (D(2), D(2), D(2), "", "soldiers")),
        ("a dozen North Korean soldiers", (D(12), D(12), D(12), "", "soldiers")),
        ("twenty-five tanks", (D(25), D(25), D(25), "", "tanks")),
        ("Sixty-one percent of our bridges", (D(61), D(61), D(61), "", "percent")),
        ("hundreds of beds", (None, D(200), D(999), "", "beds")),
        ("thousands of people", (None, D(2000), D(9999), "", "people")),
        ("tens of thousands of protesters", (None, D(20000), D(99999), "", "protesters")),
        ("dozens of suspected cholera cases", (None, D(24), None, "", "cases")),
        ("10,000 to 12,000 people", (None, D(10000), D(12000), "", "people")),
        ("between 10 and 15 ships", (None, D(10), D(15), "", "ships")),
        ("about 10,000 to 12,000 people", (None, D(10000), D(12000), "about", "people")),
        ("£50 million to £80 million", (None, D(50_000_000), D(80_000_000), "", "pounds")),
        ("roughly $3 million", (D(3_000_000), None, None, "about", "dollars")),
        ("7.6 million patients", (D(7_600_000), D(7_600_000), D(7_600_000), "", "patients")),
        ("a 12 percent rise", (D(12), D(12), D(12), "", "percent")),
        ("almost 8% of imports", (D(8), None, D(8), "under", "percent")),
        ("a 32-year-old soldier", (D(32), D(32), D(32), "", "years")),
        ("a three-day strike", (D(3), D(3), D(3), "", "days")),
        (
            "more than 3,000 of them have been killed or wounded",
            (D(3000), D(3000), None, "over", "killed or wounded"),
        ),
    ],
)
def test_figure_forms(text, expected):
    (figure,) = parse_figures(text)
    assert (figure.value, figure.low, figure.high, figure.qualifier, figure.unit) == (expected)
    assert figure.text in text


@pytest.mark.parametrize(
    "text",
    [
        "in 1998",
        "since the 1980s",
        "on March 2",
        "at two in the morning",
        "the third time",
        "one soldier",
        "the Korean War (1950-53)",
    ],
)
def test_years_dates_times_ordinals_and_one_are_not_figures(text):
    assert parse_figures(text) == []


def test_a_duration_after_over_is_not_an_over_qualifier():
    rise, years = parse_figures("a 12 percent pay rise over two years")
    assert (rise.value, rise.unit) == (D(12), "percent")
    assert (years.value, years.qualifier, years.unit) == (D(2), "", "years")


# Matching ----------------------------------------------------------------------------------

CLAIM = "About 11,000 North Korean troops have been deployed to assist Russian forces."


def test_a_paraphrase_scores_above_unrelated_text():
    paraphrase = text_similarity(
        "Pyongyang has sent roughly 11,000 soldiers to fight alongside Russia.", CLAIM
    )
    unrelated = text_similarity("The museum reopened after a two-year renovation.", CLAIM)
    assert paraphrase >= 0.5 > unrelated


@pytest.mark.parametrize(
    "other",
    [
        "About 1,100 North Korean troops have been deployed to assist Russian forces.",
        "No North Korean troops have been deployed to assist Russian forces.",
        "About 11,000 North Korean troops have been deployed to assist Belarusian forces.",
    ],
)
def test_numbers_negation_and_actors_are_decisive(other):
    assert text_similarity(CLAIM, CLAIM) == 1.0
    assert text_similarity(other, CLAIM) < 0.5


def test_direction_of_change_is_decisive():
    assert (
        text_similarity(
            "The central bank cut interest rates to 5.25 percent.",
            "The central bank raised interest rates to 5.25 percent.",
        )
        < 0.5
    )


DEMO_SENTENCE = (
    "KYIV — Ukraine says the North Korean soldiers sent to fight for Russia are taking heavy "
    "losses in the Kursk region, where Ukrainian forces have held ground since last summer."
)


@pytest.mark.parametrize(
    "other",
    [
        DEMO_SENTENCE,
        "North Korean troops have been deployed to assist Russian forces.",
    ],
)
def test_a_text_without_the_claims_figure_is_not_the_same_claim(other):
    assert text_similarity(other, CLAIM) < 0.5
    assert text_similarity(CLAIM, other) < 0.5  # the same both ways


def test_the_same_actors_without_the_claims_event_are_not_the_same_claim():
    claim = "Russian forces have killed wounded North Korean troops to prevent their capture."
    assert text_similarity(DEMO_SENTENCE, claim) < 0.5
    assert (
        text_similarity(
            "Russian and North Korean troops are killing their own wounded soldiers so they "
            "cannot be captured.",
            claim,
        )
        >= 0.5
    )


def test_a_span_of_time_or_a_year_alone_is_not_the_claims_figure():
    # "six months" says when, not what: the paraphrase with "the first half" still matches.
    assert (
        text_similarity(
            "Chinese steel imports were twice as high in the first six months of the year.",
            "Imports of Chinese steel doubled in the first half of the year.",
        )
        >= 0.5
    )
    # Digits the figure parser does not read ("44C") are a figure on both sides.
    assert (
        text_similarity(
            "A record 44C was reached in the region in July.",
            "Temperatures hit 44 degrees Celsius in the region in July, a record.",
        )
        >= 0.5
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "Police arrested two men suspected of starting fires deliberately.",
            "Police released two men suspected of starting fires deliberately.",
        ),
        (
            "The ministry confirmed that the convoy reached the border town.",
            "The ministry denied that the convoy reached the border town.",
        ),
        (
            "The governing party won the by-election in Halvik.",
            "The governing party lost the by-election in Halvik.",
        ),
        (
            "The city council approved a ban on diesel cars in the centre.",
            "The city council rejected a ban on diesel cars in the centre.",
        ),
        (
            "Hospital admissions for asthma rose by 18 percent last winter.",
            "Hospital admissions for asthma fell by 18 percent last winter.",
        ),
    ],
)
def test_opposite_events_are_decisive(one, other):
    assert text_similarity(one, one) == 1.0
    assert text_similarity(one, other) < 0.5
    assert text_similarity(other, one) < 0.5


def test_the_same_event_on_both_sides_is_not_opposed():
    # Both texts tell of an arrest and a release: nothing is contradicted.
    assert (
        text_similarity(
            "Police arrested two men and later released them without charge.",
            "Two men were arrested by police and released without charge later.",
        )
        >= 0.5
    )


# Article sentences against editors' claims: wire copy wraps the claim in an attribution
# clause, names the actors by nationality and packs two figures into one sentence.

DEPLOYED = "About 6,000 Belarusian troops have been deployed to the Bryansk region."
LOSSES = "More than 900 Belarusian soldiers have been killed or wounded in Bryansk."
EXECUTED = "Russian officers shot wounded Belarusian soldiers to stop them being captured."
TWO_FIGURES = (
    "Lithuanian intelligence estimates that some 6,000 Belarusian troops have been sent to "
    "support Russian units, with more than 900 killed or wounded in combat so far."
)


@pytest.mark.parametrize(
    "sentence",
    [
        # The attribution clause and "Russian" are not actors the claim leaves out.
        "Lithuanian intelligence estimates that some 6,000 Belarusian servicemen have been "
        "sent to support Russian units.",
        "Roughly 6,000 Belarusian soldiers have been deployed near Bryansk, Ukrainian "
        "officials say.",
        TWO_FIGURES,
    ],
)
def test_an_attributed_article_sentence_matches_the_editors_claim(sentence):
    assert text_similarity(sentence, DEPLOYED) >= 0.5
    assert text_similarity(DEPLOYED, sentence) == text_similarity(sentence, DEPLOYED)


def test_a_sentence_with_two_figures_matches_a_claim_with_one_of_them():
    assert text_similarity(TWO_FIGURES, LOSSES) >= 0.5
    # A figure that is in neither of the sentence's figures still decides.
    other_figure = LOSSES.replace("900", "9,000")
    assert text_similarity(TWO_FIGURES, other_figure) < 0.5


def test_a_nationality_matches_its_country():
    assert (
        text_similarity(
            "Exports from China to Germany dropped by 8 percent in 2025, customs data show.",
            "Chinese exports to Germany fell 8 percent in 2025.",
        )
        >= 0.5
    )


@pytest.mark.parametrize(
    "near_miss",
    [
        # The same actors and one shared word ("captured"), but not the claim's event.
        "A Belarusian soldier fighting alongside Russian units blew himself up with a grenade "
        "rather than be captured by Ukrainian troops near Bryansk.",
        "Captured Belarusian soldiers describe months of harsh training, Ukrainian officials "
        "say, in which surrender was presented as treason.",
        "Belarusian troops near Bryansk have been issued new Russian rifles, according to "
        "Ukrainian intelligence.",
    ],
)
def test_the_same_actors_doing_something_else_stay_below_the_true_match(near_miss):
    paraphrase = (
        "Russian commanders have shot their own injured Belarusian conscripts so they could "
        "not be captured, according to a Ukrainian intelligence report."
    )
    true_score = text_similarity(paraphrase, EXECUTED)
    assert true_score >= 0.5
    assert text_similarity(near_miss, EXECUTED) < 0.5
    assert text_similarity(near_miss, DEPLOYED) < 0.5
    assert text_similarity(near_miss, EXECUTED) < true_score


def test_a_line_without_an_inner_sentence_end_is_one_sentence():
    # A quote closed by a comma and followed by its speaker is one sentence, not two.
    line = "“These figures are wrong,” the union leader said on Monday"
    assert [s.text for s in split_sentences(line)] == [line]
    # Lines with a sentence end inside are still split, abbreviations kept together.
    two = "The U.S. Army sent 300 troops. Officials said more would follow."
    assert [s.text for s in split_sentences(two)] == [
        "The U.S. Army sent 300 troops.",
        "Officials said more would follow.",
    ]
