"""Whether two texts state the same thing, as a score from 0 to 1 (SPEC section 6).

Word overlap on stems and a small table of news paraphrases ("sent" ~ "deployed", "injured" ~
"wounded") gives the base; then what makes two claims different even when their words agree
is decisive: the figures, a negation, the direction of a change ("raised" vs "cut") and the
named actors or places.
"""

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import snowballstemmer

from claims.text.claimants import _VERB_RE, attribution
from claims.text.figures import parse_figures

# Same meaning in news copy; the first word of each group names the concept.
_SYNONYMS = [
    "deploy send sent dispatch station",
    "soldier troop fighter serviceman servicemen forces army",
    "kill die dead death fatal fatality toll",
    "wound injure injury hurt casualty",
    "capture seize prisoner captive detain arrest",
    "increase rise rose risen grow grew grown raise climb hike jump soar up higher boost",
    "decrease fall fell fallen drop cut decline lower reduce shrink slash plunge down",
    "home house household dwelling",
    "pay wage salary earnings remuneration paid",
    "cost spend expense price",
    "ban prohibit bar",
    "approve vote pass",
    "detonate blow explode grenade explosive",
    "memo note document",
    "exchange swap trade",
    "propose offer suggest",
    "hire recruit employ",
    "officer commander",
    "power electricity",
    "murder homicide",
    "unemployment jobless",
    "strike walkout",
    "double twice",
    "teach taught indoctrinate condition",
    "treason betrayal traitor",
    "see view regard",
    "triple tripled",
    "annual yearly annually year",
    "decade ten-year",
    "area region regional local",
    "unfilled vacant empty",
    "stuck held waiting",
    "business firm company companies",
    "rain rainfall",
    "border frontier",
    "occupy take",
    "food aid",
    "evacuate evacuation",
]
# Direction of a change: claims that agree on everything but the direction disagree.
_UP = {"increas", "tripl", "doubl"}
_DOWN = {"decreas"}
# Events that undo or contradict each other: "Police arrested two men" and "Police released two
# men" share every other word and are opposite claims. Each side lists the words of one event;
# a text that has one side and not the other opposes a text that has the other side only.
_OPPOSITES = [
    ("arrest arrested arresting detain detained", "release released releasing freed"),
    ("confirm confirmed confirms", "deny denied denies"),
    ("win won wins winning", "lose lost loses losing"),
    ("accept accepted accepts", "reject rejected rejects"),
    ("approve approved approves", "reject rejected rejects veto vetoed block blocked"),
    ("open opened opens reopened", "close closed closes shut"),
    ("support supported supports", "oppose opposed opposes"),
    ("convict convicted", "acquit acquitted cleared"),
    ("gain gained gains", "lose lost loses"),
    ("allow allowed allows permit permitted legalise legalize", "ban banned bans outlaw"),
    ("impose imposed imposes", "lift lifted lifts"),
    ("buy bought buys", "sell sold sells"),
    ("import imported imports", "export exported exports"),
    ("legal lawful", "illegal unlawful"),
    ("guilty", "innocent"),
    ("succeed succeeded", "fail failed"),
    ("hire hired hires", "dismiss dismissed sack sacked"),
    ("include included includes", "exclude excluded excludes"),
]
_NEGATIONS = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b|n[’']t\b",
    re.IGNORECASE,
)
# "so they cannot be captured", "so that it would not spread": a purpose, not a denial.
_PURPOSE = re.compile(
    r"\b(?:so|so that|in order that|lest)\s+(?:\w+\s+){0,2}?(?:cannot|can[’']t|could not|"
    r"would not|will not|won[’']t|do not|does not|did not)\b",
    re.IGNORECASE,
)
_STOP_WORDS = """
    a an the and or but of to in on at by for from with without into onto over under as is are
    was were be been being has have had will would could can may might must should do does did
    this that these those it its their his her they he she we our you your i me my them than
    then there here which who whom whose what when where why how all any some such so also only
    just more most less very said says say told according reported claim claims stated
    according after before since during about around roughly approximately some nearly almost
    least many much per cent percent one two three four five six seven eight nine ten not no
    never none new last other another because while although though whether if
"""
_STOP = frozenset(_STOP_WORDS.split())
# A nationality adjective describes who or where ("Russian forces", "Greek officials"); it is
# not an actor of its own: "Russian units" and "the Kursk region" can be the same deployment.
# Each maps to its country so that "Chinese exports" and "exports from China" agree.
_DEMONYMS = {
    "american": "america", "belarusian": "belarus", "brazilian": "brazil", "british": "britain",
    "chinese": "china", "cretan": "crete", "dutch": "netherlands", "english": "england",
    "french": "france", "german": "germany", "greek": "greece", "indian": "india",
    "iranian": "iran", "iraqi": "iraq", "israeli": "israel", "italian": "italy",
    "japanese": "japan", "kenyan": "kenya", "korean": "korea", "mexican": "mexico",
    "palestinian": "palestine", "polish": "poland", "russian": "russia", "spanish": "spain",
    "swedish": "sweden", "syrian": "syria", "turkish": "turkey", "ukrainian": "ukraine",
    "welsh": "wales", "scottish": "scotland", "irish": "ireland", "pakistani": "pakistan",
    "afghan": "afghanistan", "egyptian": "egypt", "nigerian": "nigeria", "canadian": "canada",
}  # fmt: skip
# Nationality adjectives not in the table still read as descriptors by their ending.
_DEMONYM_ENDING = re.compile(r"(?:ian|ean|ese|ish)$")
# Who takes part rather than what happened: "troops" and "people" are in many claims about
# different events, so they do not count as the event a claim states.
_PARTICIPANTS = {"soldier", "peopl", "person", "offici", "author", "resid"}
# Verbs that say a figure was counted, not what happened: "Mexico recorded 28,000 murders"
# and "there were 28,000 murders in Mexico" state the same event.
_LIGHT_VERBS = {"record", "regist", "saw", "see", "count", "show"}
_LOW_WEIGHT = {"people", "person", "year", "number", "percent", "total", "time"}
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _concept_of_stem() -> dict[str, str]:
    stem = _stemmer().stemWord
    table = {}
    for group in _SYNONYMS:
        words = group.split()
        concept = stem(words[0])
        for word in words:
            table[stem(word)] = concept
    return table


def _concept(word: str, capitalised: bool) -> str:
    lower = word.lower().replace("’", "'").removesuffix("'s").strip("'-")
    if lower in _DEMONYMS:
        return _DEMONYMS[lower][:5]
    if capitalised:
        # Names and their adjectives as one: Russia/Russian, Ukraine/Ukrainian, Korea/Korean.
        return lower[:5]
    stemmed = stem(lower)
    return _concept_of_stem().get(stemmed, stemmed)


@lru_cache(maxsize=1)
def _opposite_concepts() -> list[tuple[frozenset[str], frozenset[str]]]:
    return [
        (
            frozenset(_concept(w, False) for w in one.split()),
            frozenset(_concept(w, False) for w in other.split()),
        )
        for one, other in _OPPOSITES
    ]


def _opposed(a: dict[str, float], b: dict[str, float]) -> bool:
    for one, other in _opposite_concepts():
        a_one, a_other = not one.isdisjoint(a), not other.isdisjoint(a)
        b_one, b_other = not one.isdisjoint(b), not other.isdisjoint(b)
        if (a_one and not a_other and b_other and not b_one) or (
            a_other and not a_one and b_one and not b_other
        ):
            return True
    return False


@dataclass(frozen=True)
class TextProfile:
    weights: dict[str, float]
    # Every figure and year the text states.
    numbers: frozenset[Decimal]
    # Whether it states a figure of what it claims: a year is a date and "six months" a span of
    # time, not the figure the claim is checked on.
    states_figure: bool
    negated: bool
    direction: int
    actors: frozenset[str]
    # What the text says happened: its words other than names, nationality adjectives,
    # participants ("troops", "people") and the attribution clause.
    content: frozenset[str] = frozenset()
    # Nationality adjectives: not actors on their own, but "Russian forces" and "Belarusian
    # forces" are different forces.
    descriptors: frozenset[str] = frozenset()
    # A capitalised first word is a name or just the start of the sentence: its stem is used,
    # and its name form is tried when the other text has that instead.
    aliases: tuple[tuple[str, str], ...] = ()


_DURATION_WORDS = "second minute hour day week month year decade century centuries"
_DURATIONS = frozenset(_DURATION_WORDS.split()) | {f"{w}s" for w in _DURATION_WORDS.split()}
_DIGITS = re.compile(r"\d[\d,.]*")


def _numbers(text: str) -> tuple[frozenset[Decimal], bool]:
    found = set()
    states_figure = False
    figures = parse_figures(text)
    for figure in figures:
        values = [n for n in (figure.value, figure.low, figure.high) if n is not None]
        found.update(values)
        if figure.unit not in _DURATIONS and not all(_YEAR.fullmatch(str(n)) for n in values):
            states_figure = True
    found.update(Decimal(year) for year in _YEAR.findall(text))
    if not states_figure:
        # Digits the parser takes for no figure ("a record 44C") are a figure all the same.
        # The sentence's full stop or a comma after a year is not part of it ("from 2028.").
        found_digits = [d.group().rstrip(".,") for d in _DIGITS.finditer(text)]
        states_figure = any(
            not _YEAR.fullmatch(digits) and not any(digits in q.text for q in figures)
            for digits in found_digits
        )
    return frozenset(n.normalize() for n in found), states_figure


def _attribution_words(text: str) -> frozenset[str]:
    """The words of the clause that says who states the claim ("Ukrainian intelligence
    estimates that", ", officials say,"): who said it is not what happened."""
    who = attribution(text)
    if not who:
        return frozenset()
    return frozenset(w.lower() for w in _WORD.findall(who))


# The attribution clause's words still count a little: two reports from the same source are a
# little more alike, but the source never decides whether they state the same thing.
_ATTRIBUTION_WEIGHT = 0.25
_DESCRIPTOR_WEIGHT = 1.0


# "I'm", "we've", "don't": pronouns and auxiliaries, not names ("I'm" at the start of a
# quotation was taken for an actor) nor words of the event; a negation is read apart.
_CONTRACTION = re.compile(
    r"(?:i|you|we|they|he|she|it|that|there|what|who|let)[’'](?:m|s|re|ve|d|ll)|\w+n[’']t"
)
# A headline capitalises every word ("People In Spain Partake In 'Sex Roulette'"): its
# capitals say nothing of names.
_HEADLINE_SHARE = 0.7


def _title_cased(text: str) -> bool:
    words = [w for w in _WORD.findall(text) if len(w) > 3]
    if len(words) < 4:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= _HEADLINE_SHARE


@lru_cache(maxsize=4096)
def profile(text: str) -> TextProfile:
    weights: dict[str, float] = {}
    actors = set()
    content = set()
    descriptors = set()
    aliases = []
    attributed = _attribution_words(text)
    headline = _title_cased(text)
    for index, match in enumerate(_WORD.finditer(text)):
        word = match.group()
        lower = word.lower()
        if lower in _STOP or len(lower) < 2 or _CONTRACTION.fullmatch(lower):
            continue
        # The first word of a sentence is capitalised whatever it is; only later capitals are
        # taken for names, and none in a headline where every word is capitalised.
        capitalised = word[0].isupper() and index > 0 and not headline
        concept = _concept(word, capitalised)
        if index == 0 and word[0].isupper():
            aliases.append((concept, _concept(word, True)))
        if lower in attributed or (attributed and _VERB_RE.fullmatch(lower)):
            weight = _ATTRIBUTION_WEIGHT
        elif lower in _DEMONYMS or (word[0].isupper() and _DEMONYM_ENDING.search(lower)):
            descriptors.add(concept)
            weight = _DESCRIPTOR_WEIGHT
        elif capitalised:
            actors.add(concept)
            weight = _NAME_WEIGHT
        elif concept in _LOW_WEIGHT:
            weight = 0.5
        else:
            weight = 1.0
            sentence_start = index == 0 and word[0].isupper()
            if concept not in _PARTICIPANTS and concept not in _LIGHT_VERBS and not sentence_start:
                content.add(concept)
        weights[concept] = max(weights.get(concept, 0.0), weight)
    direction = 0
    if any(c.startswith(tuple(_UP)) for c in weights):
        direction += 1
    if any(c.startswith(tuple(_DOWN)) for c in weights):
        direction -= 1
    numbers, states_figure = _numbers(text)
    return TextProfile(
        weights=weights,
        numbers=numbers,
        states_figure=states_figure,
        negated=bool(_NEGATIONS.search(_PURPOSE.sub(" ", text))),
        direction=direction,
        actors=frozenset(actors),
        content=frozenset(content),
        descriptors=frozenset(descriptors),
        aliases=tuple(aliases),
    )


def _aligned(a: TextProfile, b: TextProfile) -> dict[str, float]:
    weights = dict(a.weights)
    for concept, alias in a.aliases:
        if concept in weights and concept not in b.weights and alias in b.weights:
            weights[alias] = max(weights.pop(concept), b.weights[alias])
    return weights


_NAME_WEIGHT = 2.0
# Below this share of the event words covered, the score falls in proportion.
EVENT_COVERAGE_FULL = 0.6


def _unshared(
    a_names: frozenset[str], b_names: frozenset[str], a_weights: dict, b_weights: dict
) -> bool:
    return bool(a_names - b_weights.keys()) and bool(b_names - a_weights.keys())


def _event_coverage(a: TextProfile, b: TextProfile, a_weights: dict, b_weights: dict) -> float:
    """The share of the event words of the text that states less (the claim, usually) that
    the other text also has: shared actors and one shared keyword are not the same event."""
    shorter, other = (a, b_weights) if len(a.content) <= len(b.content) else (b, a_weights)
    if not shorter.content:
        return 1.0
    return len(shorter.content & other.keys()) / len(shorter.content)


@dataclass(frozen=True)
class Signals:
    """What the hand-set rules see in a pair of texts: the re-ranker weighs them as features
    (claims.text.rerank), and ``similarity`` applies them as fixed penalties."""

    overlap: float  # the word-overlap base score, 0 to 1, before any penalty
    coverage: float  # share of the event words of the text that states less found in the other
    figure_one_side: bool  # a figure on one side only
    figures_differ: bool  # figures on both sides, none in common
    figures_contained: bool  # one side's figures all in the other
    figures_partial: bool  # some figures in common, neither side's all in the other
    number_one_side: bool  # a year or other number on one side only, no figure stated
    negation_differs: bool
    direction_differs: bool
    opposed: bool  # arrested / released, confirmed / denied …
    actors_unshared: bool  # an actor, place or nationality named on each side only


def signals(a: TextProfile, b: TextProfile) -> Signals | None:
    """The rules' view of ``a`` against ``b``; None when either has no content word."""
    a_weights, b_weights = _aligned(a, b), _aligned(b, a)
    a_total, b_total = math.fsum(a_weights.values()), math.fsum(b_weights.values())
    if not a_total or not b_total:
        return None
    shared = math.fsum(min(a_weights[c], b_weights[c]) for c in a_weights.keys() & b_weights.keys())
    # Overlap of both texts, and how much of the shorter one the longer contains: an article
    # sentence says more than the editor's claim it restates, and that should not count
    # against it.
    dice = 2 * shared / (a_total + b_total)
    contained = shared / min(a_total, b_total)
    both_numbers = bool(a.numbers and b.numbers) and a.states_figure == b.states_figure
    common = a.numbers & b.numbers if both_numbers else frozenset()
    subset = both_numbers and bool(common) and (a.numbers <= b.numbers or b.numbers <= a.numbers)
    return Signals(
        overlap=min(1.0, 1.3 * (0.5 * dice + 0.5 * contained)),
        coverage=_event_coverage(a, b, a_weights, b_weights),
        figure_one_side=a.states_figure != b.states_figure,
        figures_differ=both_numbers and not common,
        figures_contained=subset,
        figures_partial=both_numbers and bool(common) and not subset,
        number_one_side=a.states_figure == b.states_figure
        and not both_numbers
        and bool(a.numbers or b.numbers),
        negation_differs=a.negated != b.negated,
        direction_differs=bool(a.direction and b.direction and a.direction != b.direction),
        opposed=_opposed(a_weights, b_weights),
        # A place or actor named on each side that the other never mentions: another event.
        # The same for nationalities ("Russian forces" / "Belarusian forces"); a nationality
        # against a place ("Russian forces" / "the Kursk region") is only another way to say
        # where.
        actors_unshared=_unshared(a.actors, b.actors, a_weights, b_weights)
        or _unshared(a.descriptors, b.descriptors, a_weights, b_weights),
    )


def similarity(a: TextProfile, b: TextProfile) -> float:
    """0 to 1: how surely ``a`` and ``b`` state the same thing, by the hand-set rules."""
    return rules_score(signals(a, b))


def rules_score(found: Signals | None) -> float:
    """The hand-set rules' score of a pair from its signals: fixed penalties on the overlap."""
    if found is None:
        return 0.0
    score = found.overlap
    if found.coverage < EVENT_COVERAGE_FULL:
        # The same actors ("North Korean soldiers", "Russia") but not the event: a text about
        # them that says nothing of what the claim says they did.
        score *= found.coverage / EVENT_COVERAGE_FULL
    if found.figure_one_side:
        # A claim that gives a figure ("11,000 troops") and a text that gives none for it say
        # different things, however many words they share: the figure is what gets checked.
        score *= 0.45
    elif found.figures_differ:
        score *= 0.3  # a different figure is a different claim
    elif found.figures_contained:
        # One side's figures are all in the other: a sentence that states two figures
        # restates a claim that states one of them.
        score = min(1.0, score + 0.1)
    elif found.figures_partial:
        score *= 0.75
    elif found.number_one_side:
        score *= 0.85  # a year on one side only: the same claim may be dated or not
    if found.negation_differs:
        score *= 0.35
    if found.direction_differs:
        score *= 0.35
    if found.opposed:
        score *= 0.35  # arrested / released, confirmed / denied, won / lost …
    if found.actors_unshared:
        score *= 0.45
    return round(max(0.0, min(1.0, score)), 3)


def text_similarity(a: str, b: str) -> float:
    return similarity(profile(a), profile(b))


# Snowball in pure Python costs a fifth of a millisecond a word, and news vocabulary is small:
# each word is stemmed once per process.
@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem, as PostgreSQL's english configuration makes its lexemes."""
    return _stemmer().stemWord(word.lower())
