"""Check-worthiness of one sentence, from 0 to 1, with the features behind the score.

A logistic regression learned from public data (``claims.text.model``, trained by ``python -m
claims.text.train``) over the sentence's wording (TF-IDF word and character n-grams) and the
features a fact-checker looks for, which the rules below find: figures, attribution, named
actors, dates, comparisons and reported events; opinion and rhetoric, speculation, questions.
Headings and page furniture never occur in the debates and tweets it learned from, so their
penalties stay fixed here. ``features`` holds each rule feature found with its learned weight,
plus ``wording``, the n-grams' share, so that editors see why a sentence scored as it did.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from claims.text.claimants import _VERB_RE
from claims.text.figures import Figure
from claims.text.model import shipped_model

THRESHOLD = 0.5
# The rule features, in the order they are shown. The numbers are the weights set by hand before
# the model learned its own (claims.text.model); only the fixed penalties below still use them.
WEIGHTS = {
    "figure": 1.6,
    "attribution": 1.4,
    "reported_speech": 0.5,
    "named_actor": 0.6,
    "date": 0.4,
    "comparison": 0.6,
    "reported_event": 0.7,
    "opinion": -1.3,
    "speculation": -0.4,
    "quote_without_fact": -0.5,
    "short": -1.2,
    "question": -3.0,
    "heading": -3.0,
    "page_furniture": -5.0,
}

# Not in the training data (debates and tweets have no headings or site furniture): fixed.
FIXED_PENALTIES = {name: WEIGHTS[name] for name in ("heading", "page_furniture")}
LEARNED_RULES = [name for name in WEIGHTS if name not in FIXED_PENALTIES]
WORDING = "wording"
# A sentence's wording counts half, its paragraph's the other half: a claim is often spread over
# a paragraph ("… discovered the bodies. Among them …"), and a tweet split into sentences is
# judged as a whole. Chosen on the development split (CheckThat! 2020 AP 0.61 → 0.63 there;
# ClaimBuster, one sentence a text, is unchanged), so that split flatters it a little.
CONTEXT_SHARE = 0.5
# News copy is not what the model learned from: its n-grams read an ordinary news report ("the
# terminal reopened on Tuesday after a 9-day closure, officials said") as less check-worthy
# than a debate's claim, and such sentences sat just under 0.5. Moving every logit by this much
# changes no ranking (ROC-AUC, MAP and AP stay as they are); on our own labelled news
# (bench/claims_eval*) recall stays 1.0 and precision 0.81 (the same from 0.2 to 0.3), and
# ClaimBuster's F1 at 0.5 is unchanged (0.79 to 0.80 for offsets from 0 to 0.5).
NEWS_OFFSET = 0.25

_FURNITURE = re.compile(
    r"^(?:related|more|top|latest|recommended)\s+(?:stories|articles|news|reading|coverage)"
    r"|^share\b|\bshare (?:this|on)\b|^comments?\b|\bcomments?\s*(?:\(\d+\)|:)|"
    r"^recent comments|sign up|newsletter|^most (?:read|popular|viewed|shared)|^read more\b|"
    r"^follow us|^advertisement\b|^copy link|\b\d+\s*min(?:ute)?s?\s+read\b|"
    r"^updated\b|\bupdated \d+ (?:minutes?|hours?|days?) ago|"
    r"all rights reserved|©|^subscribe|click here|^(?:photo|image|video|caption)\s*:|"
    r"^listen to this|^print this|^skip to|^back to top|^cookie",
    re.IGNORECASE,
)
# A byline names its author in capitals: "By Maria Delgado, City Hall reporter". Case matters
# here, or "By the end of 2019, unemployment had fallen …" reads as one.
_BYLINE = re.compile(r"^By (?:[A-Z][\w.'’-]+ ){1,3}?[A-Z][\w.'’-]+(?:,|$|\s+and\s+[A-Z]|\s+\|)")
_OPINION = re.compile(
    r"\b(?:sobering|shocking|chilling|heartbreaking|tragic|stark reminder|wake-up call|"
    r"critics fear|(?:many|some) fear|it is hard to|hard to overstate|could hardly|"
    r"anyone's guess|anyone’s guess|in many ways|remains to be seen|painfully|terror|"
    r"dire|grim|remarkable|astonishing|outrageous|shameful|disgraceful|scandalous|"
    r"we must|should be done|ought to|it is time|a question for|will test|"
    r"i think|i believe|in my view|arguably|undoubtedly|of course|frankly|"
    r"think so|(?:are|is|were|was) worried|concerns? about the future)\b",
    re.IGNORECASE,
)
_SPECULATION = re.compile(r"\b(?:could|might|may|would|will)\b", re.IGNORECASE)
_MONTH_OR_DAY = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH_OR_DAY})\b|\b(?:1[89]|20)\d\d\b|\b(?:yesterday|today|last|this|next)\s+"
    r"(?:week|month|year|spring|summer|autumn|winter|night|weekend)\b|\byesterday\b|"
    r"\b(?:since|in|by|until) (?:the )?(?:19|20)\d0s\b",
)
_NOT_ACTORS = set(_MONTH_OR_DAY.split("|")) | {"I", "The", "A", "An"}
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)(?<![“\"‘])\b[A-Z][\w’'-]+")
_COMPARISON = re.compile(
    r"\b(?:\w+est|most|least|record|more|less|fewer|higher|lower|larger|smaller|bigger|"
    r"worse|better|than|since records began|first|second|third|fourth|fifth|"
    r"doubled|tripled|twice|half)\b",
    re.IGNORECASE,
)
_NOT_SUPERLATIVE = {"interest", "rest", "west", "test", "best", "request", "protest", "latest",
                    "forest", "honest", "modest", "arrest", "guest", "suggest", "harvest",
                    "contest", "invest", "nest", "chest", "quest", "pest", "vest"}  # fmt: skip
_IRREGULAR_PAST = re.compile(
    r"\b(?:fell|rose|grew|sent|took|won|lost|left|began|went|hit|cut|met|led|paid|fled|"
    r"killed|built|sold|bought|spent|struck|shot|seized|held|broke|caught|drove|flew|froze|"
    r"gave|hid|kept|made|ran|sank|shut|stole|swept|threw|wore|burst|fought|died|dead)\b",
    re.IGNORECASE,
)
_PAST = re.compile(r"\b[a-z]{3,}(?:ed)\b")
_NOT_EVENTS = {"need", "seed", "speed", "indeed", "feed", "bed", "red", "hundred", "shed",
               "united", "based", "related", "alleged", "suspected", "so-called",
               "detailed", "limited", "advanced", "armed", "wounded"}  # fmt: skip
_QUOTE_OPEN = ("“", '"', "‘")
# "said that", "estimates that": the claim is reported speech.
_VERB_THAT = re.compile(r"\b(?:" + _VERB_RE.pattern + r")\s+(?:\w+\s+)?that\b")
_ACCUSED_OF = re.compile(r"\baccused\b.{3,80}?\bof\b")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Score:
    score: float
    features: dict[str, float]


def _has_named_actor(text: str) -> bool:
    return any(
        match.group() not in _NOT_ACTORS
        for match in _CAPITALISED.finditer(text)
        if match.start() > 0
    )


def _has_comparison(text: str) -> bool:
    return any(m.group().lower() not in _NOT_SUPERLATIVE for m in _COMPARISON.finditer(text))


def _has_event(text: str, attribution_spans: list[tuple[int, int]]) -> bool:
    if _IRREGULAR_PAST.search(text):
        return True
    for match in _PAST.finditer(text):
        if match.group() in _NOT_EVENTS:
            continue
        if any(start <= match.start() < end for start, end in attribution_spans):
            continue  # "said", "estimated": counted as attribution, not as an event
        return True
    return False


def rule_features(
    text: str,
    *,
    claimant: str | None,
    figures: list[Figure],
    is_heading: bool = False,
) -> list[str]:
    """The names of the rule features found in ``text``, in the order of WEIGHTS."""
    stripped = text.strip()
    found: list[str] = []
    if _FURNITURE.search(stripped) or _BYLINE.search(stripped) or "|" in stripped:
        found.append("page_furniture")
    if is_heading:
        found.append("heading")
    if stripped.endswith("?"):
        found.append("question")
    if len(_WORDS.findall(stripped)) < 6:
        found.append("short")
    if figures:
        found.append("figure")
    if claimant:
        found.append("attribution")
    verb_spans = [m.span() for m in _VERB_RE.finditer(stripped)]
    if claimant and (_VERB_THAT.search(stripped) or _ACCUSED_OF.search(stripped)):
        found.append("reported_speech")
    if _has_named_actor(stripped):
        found.append("named_actor")
    if _DATE.search(stripped):
        found.append("date")
    if _has_comparison(stripped):
        found.append("comparison")
    has_event = _has_event(stripped, verb_spans)
    if has_event:
        found.append("reported_event")
    if _OPINION.search(stripped):
        found.append("opinion")
    if _SPECULATION.search(stripped):
        found.append("speculation")
    if stripped.startswith(_QUOTE_OPEN) and not (figures or has_event):
        found.append("quote_without_fact")
    return sorted(found, key=list(WEIGHTS).index)


def score_from(wording: float, found: list[str]) -> Score:
    """The score of a sentence whose n-grams add ``wording`` to the logit and whose rules
    found ``found``."""
    model = shipped_model()
    features = {
        name: FIXED_PENALTIES[name] if name in FIXED_PENALTIES else model.rule_weights[name]
        for name in found
    }
    features[WORDING] = round(float(wording), 3)
    z = model.intercept + NEWS_OFFSET + sum(features.values())
    # Four decimals: at three, the many low scores of a long debate tie, and their order (which
    # the ranking figures measure) went with the rounding.
    return Score(score=round(1 / (1 + math.exp(-z)), 4), features=features)


def score_sentences(
    items: Sequence[tuple[str, str | None, list[Figure], bool]],
    *,
    paragraphs: Sequence[int] | None = None,
) -> list[Score]:
    """Scores for many ``(text, claimant, figures, is_heading)`` at once: the n-grams of
    an article's sentences are counted in one pass. With ``paragraphs`` (each sentence's
    paragraph number), a sentence's wording is blended with its paragraph's."""
    if not items:
        return []
    model = shipped_model()
    counts = [model.counts(text) for text, *_ in items]
    numbers = list(paragraphs) if paragraphs is not None else list(range(len(items)))
    # A paragraph's n-grams are its sentences' together.
    members: dict[int, list[int]] = {}
    for index, number in enumerate(numbers):
        members.setdefault(number, []).append(index)
    context = {}
    for number, indexes in members.items():
        if len(indexes) > 1:
            together: list[Counter] = [Counter() for _ in counts[0]]
            for i in indexes:
                for block, block_counts in zip(together, counts[i], strict=True):
                    block.update(block_counts)
            context[number] = model.wording_of_counts(together)
    scores = []
    for index, (text, claimant, figures, heading) in enumerate(items):
        wording = model.wording_of_counts(counts[index])
        # A question asks rather than states, whatever its paragraph claims around it.
        if numbers[index] in context and not text.rstrip().endswith("?"):
            wording = (1 - CONTEXT_SHARE) * wording + CONTEXT_SHARE * context[numbers[index]]
        found = rule_features(text, claimant=claimant, figures=figures, is_heading=heading)
        scores.append(score_from(wording, found))
    return scores


def score_sentence(
    text: str,
    *,
    claimant: str | None,
    figures: list[Figure],
    is_heading: bool = False,
) -> Score:
    """The check-worthiness of ``text``; ``features`` maps each feature found to its weight."""
    return score_sentences([(text, claimant, figures, is_heading)])[0]
