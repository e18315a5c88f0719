"""Figures in a sentence: value, bounds, qualifier and the counted unit (SPEC section 6).

Conventions (bench/claims_eval/README.md): an exact figure has value = low = high; "about N"
has a value and no bounds; "over"/"at least N" has low = N; "under"/"up to N" has high = N;
ranges and vague words ("hundreds") have bounds and no value. Years, dates, times of day,
decades and ordinals are not quantities; nor are "one", "a" and "an", which are far more often
articles or pronouns ("one of the", "one day") than counts.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

ABOUT, OVER, UNDER, AT_LEAST, UP_TO = "about", "over", "under", "at least", "up to"

_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "a dozen": 12, "a hundred": 100, "a thousand": 1000, "a million": 1_000_000,
}  # fmt: skip
_UNITS_BELOW_TEN = "one|two|three|four|five|six|seven|eight|nine"
# Vague amounts as bounds: "hundreds" is at least two hundred and fewer than a thousand.
_VAGUE = {
    "dozens": (24, None),
    "scores": (40, None),
    "hundreds of thousands": (200_000, 999_999),
    "tens of thousands": (20_000, 99_999),
    "hundreds": (200, 999),
    "thousands": (2_000, 9_999),
    "millions": (2_000_000, 999_999_999),
}
_SCALES = {
    "thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000, "mn": 1_000_000,
    "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "trillion": 1_000_000_000_000, "tn": 1_000_000_000_000,
}  # fmt: skip
_CURRENCIES = {"$": "dollars", "£": "pounds", "€": "euros", "¥": "yen", "₹": "rupees"}
_QUALIFIERS = [
    (AT_LEAST, r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of"),
    (UP_TO, r"up\s+to|as\s+many\s+as|as\s+much\s+as|as\s+high\s+as|a\s+maximum\s+of"),
    (OVER, r"more\s+than|over|above|upwards\s+of|in\s+excess\s+of|exceeding|nearly\s+over"),
    (UNDER, r"less\s+than|fewer\s+than|under|below|nearly|almost|just\s+under|not\s+quite"),
    (
        ABOUT,
        r"about|approximately|around|roughly|some|an\s+estimated|estimated|circa|"
        r"close\s+to|almost\s+exactly|approx\.?|c\.",
    ),
]
_QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[\s(]))(?P<q>" + "|".join(f"(?:{p})" for _, p in _QUALIFIERS) + r")\s+$",
    re.IGNORECASE,
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIME_UNITS = {"year", "years", "month", "months", "week", "weeks", "day", "days", "decade",
               "decades", "hour", "hours", "minute", "minutes"}  # fmt: skip
_IRREGULAR_PLURALS = {
    "people", "children", "men", "women", "police", "staff", "personnel", "cattle", "sheep",
    "fish", "feet", "teeth", "mice", "geese", "livestock", "aircraft", "troops", "data",
    "percent", "crew", "infantry", "civilians", "youth", "media",
}  # fmt: skip
_ABBREVIATED_UNITS = {
    "km", "kg", "mph", "kmh", "km/h", "mm", "cm", "m", "ha", "mw", "gw", "kw", "kwh", "mwh",
    "lb", "lbs", "oz", "ft", "mi", "t", "l", "ml", "gb", "tb", "bpd", "sq",
}  # fmt: skip
# Words that end the search for the counted noun: verbs of being, prepositions, conjunctions.
_STOP_WORDS = {
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will", "would",
    "could", "can", "may", "might", "must", "should", "in", "on", "at", "to", "for", "from",
    "by", "with", "into", "onto", "over", "under", "than", "and", "or", "but", "that", "which",
    "who", "whom", "whose", "while", "as", "since", "after", "before", "during", "per", "a",
    "an", "the", "this", "these", "those", "more", "less", "fewer", "each", "every", "it",
    "they", "he", "she", "we", "said", "says", "say", "told", "according", "if", "so",
    "across", "along", "near", "between", "among", "about", "around", "out", "off", "up",
}  # fmt: skip
_SKIPPABLE_AFTER_OF = {"the", "my", "his", "her", "their", "our", "its", "your", "them"}

_NUMBER_WORDS = "|".join(
    sorted((re.escape(w) for w in _WORD_NUMBERS if not w.startswith("a ")), key=len, reverse=True)
)
_NUMBER = (
    r"(?P<cur>[$£€¥₹])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:{_UNITS_BELOW_TEN}))"
    rf"|a\s+dozen|a\s+hundred|a\s+thousand|a\s+million|{_NUMBER_WORDS})"
    r"(?P<plus>\+)?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|m|k|b)\b)?"
)
_VAGUE_RE = "|".join(re.escape(w) for w in sorted(_VAGUE, key=len, reverse=True))
_TOKEN = re.compile(
    r"(?<![\w.,])(?:"
    rf"(?P<vague>{_VAGUE_RE})\b"
    rf"|(?P<first>{_NUMBER})"
    rf"(?:\s*(?:-|–|—|to|and|or)\s*(?P<second>{_NUMBER.replace('?P<', '?P<b_')}))?"
    r")(?![\w])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][\w'’/-]*|%|[,.;:!?\"“”()]")


@dataclass(frozen=True)
class Quantity:
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    qualifier: str
    unit: str
    text: str
    start: int
    end: int


def _number(raw: str, scale: str | None) -> Decimal:
    key = " ".join(raw.lower().split())
    if key in _WORD_NUMBERS:
        amount = Decimal(_WORD_NUMBERS[key])
    elif "-" in key:
        tens, ones = key.split("-", 1)
        # "one" alone is not a figure, so it is not among the word numbers; "twenty-one" is.
        amount = Decimal(_WORD_NUMBERS[tens] + (1 if ones == "one" else _WORD_NUMBERS[ones]))
    else:
        amount = Decimal(key.replace(",", ""))
    if scale:
        amount *= _SCALES[scale.lower()]
    return amount.normalize() if amount != amount.to_integral() else amount.quantize(Decimal(1))


def _is_plural_noun(word: str) -> bool:
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS or lower in _ABBREVIATED_UNITS:
        return True
    return (
        len(lower) > 3
        and lower.endswith(("s", "s'", "s’"))
        and not lower.endswith(("ss", "us", "is", "ous"))
    )


def _unit_after(sentence: str, position: int, currency: str | None) -> tuple[str, int]:
    """The counted noun after a number, and where the quantity's phrase ends."""
    words = [(m.group(), m.end()) for m in _WORD.finditer(sentence, position)][:8]
    if currency:
        return _CURRENCIES[currency], position
    if not words:
        return "", position
    first, first_end = words[0]
    lower = first.lower()
    if lower in {"%", "percent"}:
        return "percent", first_end
    if lower == "per" and len(words) > 1 and words[1][0].lower() == "cent":
        return "percent", words[1][1]
    if lower.endswith("ed") and lower not in _STOP_WORDS:
        # "3,000 killed or wounded": the participle names what was counted.
        if len(words) >= 3 and words[1][0].lower() in {"or", "and"}:
            return f"{first} {words[1][0]} {words[2][0]}".lower(), words[2][1]
        return lower, first_end
    index = 0
    if lower == "of":
        index = 1
        while index < len(words) and words[index][0].lower() in _SKIPPABLE_AFTER_OF:
            index += 1
        # "3,000 of them have been killed or wounded": the participle names what was counted.
        rest = [w.lower() for w, _ in words[index : index + 5]]
        while rest and rest[0] in {"have", "has", "had", "were", "was", "been", "are", "is"}:
            rest.pop(0)
            index += 1
        if rest and rest[0].endswith("ed") and index > 1:
            tail = words[index:]
            if len(tail) >= 3 and tail[1][0].lower() in {"or", "and"}:
                return f"{tail[0][0]} {tail[1][0]} {tail[2][0]}".lower(), tail[2][1]
            return tail[0][0].lower(), tail[0][1]
    last = ""
    end = position
    for word, word_end in words[index : index + 5]:
        lower = word.lower()
        if not word[0].isalpha() or lower in _STOP_WORDS:
            break
        last, end = lower, word_end
        if _is_plural_noun(word):
            break
    return last.rstrip("'’"), end


def _hyphenated_unit(sentence: str, end: int) -> tuple[str, int] | None:
    # "a 32-year-old soldier", "a three-day strike": the unit is the hyphenated noun.
    match = re.match(r"-(year|month|week|day|hour|minute)(?:s)?(-old)?\b", sentence[end:], re.I)
    if not match:
        return None
    return match.group(1).lower() + "s", end + match.end()


def _qualifier_before(sentence: str, start: int) -> tuple[str, int]:
    match = _QUALIFIER_RE.search(sentence[max(0, start - 30) : start])
    if not match:
        return "", start
    phrase = " ".join(match.group("q").lower().split())
    for name, pattern in _QUALIFIERS:
        if re.fullmatch(pattern, phrase, re.IGNORECASE):
            return name, start - (len(sentence[max(0, start - 30) : start]) - match.start("q"))
    return "", start


def _is_not_a_quantity(sentence: str, match: re.Match, raw: str, scale: str | None) -> bool:
    before = sentence[max(0, match.start() - 12) : match.start()].lower()
    after = sentence[match.end() : match.end() + 24].lower()
    lower = raw.lower()
    if re.match(r"(st|nd|rd|th|s)\b", after) or re.match(r"'?s\b", after):
        return True  # ordinals and decades: "3rd", "the 1980s"
    if re.fullmatch(r"\d{4}", lower) and not scale and 1000 <= int(lower) <= 2100:
        # A four-digit number without a comma, a scale or a counted plural after it is a year.
        following = _WORD.match(after.lstrip())
        if not following or not _is_plural_noun(following.group()):
            return True
    if re.search(rf"\b(?:{_MONTHS})\.?\s*$", before) or re.match(rf"\s*(?:{_MONTHS})\b", after):
        return True  # "March 2", "2 March"
    if re.match(r"\s*(?:a\.?m\.?|p\.?m\.?|o'clock|in the (?:morning|afternoon|evening))", after):
        return True
    return bool(re.match(r"\s*[:.]\d", after))  # "10:30", version numbers


def parse_quantities(sentence: str) -> list[Quantity]:
    """Every figure stated in ``sentence``, in order."""
    found: list[Quantity] = []
    for match in _TOKEN.finditer(sentence):
        vague = match.group("vague")
        if vague:
            low, high = _VAGUE[vague.lower()]
            unit, end = _unit_after(sentence, match.end(), None)
            qualifier, start = _qualifier_before(sentence, match.start())
            found.append(
                Quantity(
                    value=None,
                    low=Decimal(low),
                    high=Decimal(high) if high else None,
                    qualifier=qualifier,
                    unit=unit,
                    text=sentence[start:end].strip(),
                    start=start,
                    end=end,
                )
            )
            continue
        raw, scale, currency = match.group("num"), match.group("scale"), match.group("cur")
        if _is_not_a_quantity(sentence, match, raw, scale):
            continue
        first = _number(raw, scale)
        second = None
        if match.group("second"):
            second_scale = match.group("b_scale") or scale
            second = _number(match.group("b_num"), second_scale)
            currency = currency or match.group("b_cur")
            if match.group("b_scale") and not scale:
                # "2 to 3 million": the scale written once applies to both ends.
                first = _number(raw, second_scale)
            if second <= first:
                # "1-0", "24-7": not a range of one thing.
                second = None
        qualifier, start = _qualifier_before(sentence, match.start())
        is_range = second is not None
        phrase_end = match.end() if is_range else match.end("first")
        hyphenated = _hyphenated_unit(sentence, phrase_end)
        if hyphenated:
            unit, end = hyphenated
        else:
            unit, end = _unit_after(sentence, phrase_end, currency)
        if qualifier == OVER and unit in _TIME_UNITS:
            qualifier, start = "", match.start()  # "a pay rise over two years": a duration
        if not is_range and match.group("plus"):
            qualifier = AT_LEAST
        if is_range:
            value, low, high = None, first, second
        elif qualifier == ABOUT:
            value, low, high = first, None, None
        elif qualifier in (OVER, AT_LEAST):
            value, low, high = first, first, None
        elif qualifier in (UNDER, UP_TO):
            value, low, high = first, None, first
        else:
            value, low, high = first, first, first
        found.append(
            Quantity(
                value=value,
                low=low,
                high=high,
                qualifier=qualifier,
                unit=unit,
                text=sentence[start : max(end, match.end())].strip(),
                start=start,
                end=max(end, match.end()),
            )
        )
    return found
