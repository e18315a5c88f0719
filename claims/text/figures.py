"""Figures in a sentence: value, bounds, qualifier and the counted unit (SPEC section 6).

Conventions (bench/claims_eval/README.md): an exact figure has value = low = high; "about N"
has a value and no bounds; "over"/"at least N" has low = N; "under"/"up to N" has high = N;
ranges and vague words ("hundreds") have bounds and no value. Years, dates, times of day,
decades and ordinals are not figures; nor are "one", "a" and "an", which are far more often
articles or pronouns ("one of the", "one day") than counts.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

ABOUT, OVER, UNDER, AT_LEAST, UP_TO = "about", "over", "under", "at least", "up to"

_SMALL_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "nought": 0, "naught": 0, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_BIG_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}  # fmt: skip
# Number words as a grammar rather than a list, so that every written form is read whole:
# "twenty-one", "one hundred and six", "two hundred and two thousand", "a million".
_UNIT = "one|two|three|four|five|six|seven|eight|nine"
_TEEN = (
    "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|zero|"
    "nought|naught"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_BELOW_100 = rf"(?:(?:{_TENS})(?:[-\s]+(?:{_UNIT})\b)?|(?:{_TEEN})|(?:{_UNIT}))\b"
_BELOW_1000 = (
    rf"(?:(?:(?:{_BELOW_100}|an?)\s+)?hundred\b(?!s)(?:\s+(?:and\s+)?{_BELOW_100})?"
    rf"|{_BELOW_100})"
)
_BIG = "thousand|million|billion|trillion"
_ORDINAL_PARTS = (
    "thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|"
    "hundredths?|thousandths?|millionths?"
)
# "two million and three fifths" is two million and three fifths of a million: the words after
# "and" are a fraction, read as such below, not the chain's "and three".
_NOT_A_PART = rf"(?![\s-]+(?:half|halves|{_ORDINAL_PARTS})\b)"
_WORD_NUMBER = (
    rf"(?:{_BELOW_1000}|an?)(?:\s+(?:{_BIG})\b(?:,?\s+(?:and\s+)?{_BELOW_1000}{_NOT_A_PART}"
    rf"(?:\s+(?:{_BIG})\b)?)*)|{_BELOW_1000}|an?\s+dozen|(?:{_BELOW_100})\s+dozens?"
)
_NUMERATOR = rf"(?:an?|{_BELOW_1000})"
# "two thirds", "a half", "one eighth", "a third of": a fraction; "a third time" is an ordinal,
# so a singular part other than "half" needs "of" or the end of the phrase after it.
_WORD_FRACTION = (
    rf"{_NUMERATOR}[\s-]+(?:half|halves|(?:{_ORDINAL_PARTS}))"
    r"(?:(?<=s)|(?<=half)|(?=\s+of\b|\s*$|\s*[,.;:)!?]))"
)
# "one and a half", "five and a quarter", "twenty and three fifths": a whole and a fraction.
_MIXED = rf"(?:{_BELOW_1000}|\d+)\s+and\s+{_WORD_FRACTION}"
# "1/4", "10 1/2": a slash fraction with a small denominator ("9/11" and "24/7" are not).
_SLASH = r"(?:\d+\s+)?[1-9]/(?:2|3|4|5|8|10|16)\b"
# "two out of three", "one over twenty", "2000 over 3": a ratio. "Over" reads as a ratio only
# where nothing is counted after it ("12 over 3 days" is a duration).
_RATIO = (
    rf"(?:{_BELOW_1000}|\d+(?:\.\d+)?)\s+(?:out\s+of\s+(?:{_WORD_NUMBER}|\d+(?:,\d{{3}})*)"
    rf"|over\s+(?:{_WORD_NUMBER}|\d+(?:,\d{{3}})*)(?=\s*(?:$|[,.;:!?)])))"
)
# "five point five", "nine point nought four", "two hundred point seventy-one"
_POINT = rf"(?:{_WORD_NUMBER}|\d+)\s+point(?:[\s-]+(?:{_BELOW_100}))+"
_FRACTION = rf"{_RATIO}|{_POINT}|{_MIXED}|{_WORD_FRACTION}|{_SLASH}"
# "a quarter million", "half a billion", "a quarter of a million"
_PART_OF_SCALE = rf"(?:an?\s+)?(?:quarter|half)(?:\s+of)?(?:\s+an?)?\s+(?:{_BIG})\b"
_VULGAR = {"½": Decimal("0.5"), "⅓": Decimal(1) / 3, "⅔": Decimal(2) / 3, "¼": Decimal("0.25"),
           "¾": Decimal("0.75"), "⅕": Decimal("0.2"), "⅛": Decimal("0.125")}  # fmt: skip
_FRACTION_VALUES = {
    "half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "hundredth": 100, "thousandth": 1000,
    "millionth": 1_000_000,
}  # fmt: skip
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
    "trillion": 1_000_000_000_000, "tn": 1_000_000_000_000, "dozen": 12, "dozens": 12,
    "dozs": 12, "doz": 12, "hundred": 100,
    "bln": 1_000_000_000, "mln": 1_000_000, "mil": 1_000_000, "tln": 1_000_000_000_000,
    "lakh": 100_000, "lakhs": 100_000, "crore": 10_000_000, "crores": 10_000_000,
}  # fmt: skip
_CURRENCIES = {
    "$": "dollars", "£": "pounds", "€": "euros", "¥": "yen", "₹": "rupees", "₩": "won",
    "₽": "rubles", "₺": "lira", "₪": "shekels", "₦": "naira", "฿": "baht", "usd": "dollars",
    "eur": "euros", "gbp": "pounds", "jpy": "yen", "cny": "yuan", "rmb": "yuan",
    "inr": "rupees", "chf": "francs", "cad": "dollars", "aud": "dollars", "rub": "rubles",
    "krw": "won", "brl": "reais", "mxn": "pesos", "zar": "rand", "sek": "kronor",
    "nok": "kroner", "dkk": "kroner", "hkd": "dollars", "sgd": "dollars", "nzd": "dollars",
    "₡": "colones", "₭": "kips", "mex$": "pesos", "mxn$": "pesos", "meur": "euros",
    "musd": "dollars", "maud": "dollars", "mgbp": "pounds", "mchf": "francs", "mcad": "dollars",
}  # fmt: skip
_SYMBOLS = "[$£€¥₹₩₽₺₪₦฿₡₭]"
_CURRENCY_CODES = "|".join(code for code in _CURRENCIES if code.isalpha())
# Before the number: a symbol with a country's letters ("US$", "C$", "HK$") or an ISO code.
_CURRENCY_BEFORE = (
    rf"(?:US|U\.S\.|C|CA|CAD|A|AU|AUD|HK|NZ|S|R|MEX|MXN)?\s?\$|[£€¥₹₩₽₺₪₦฿₡₭]"
    rf"|(?:{_CURRENCY_CODES.upper()})\s?"
)
_QUALIFIERS = [
    (
        AT_LEAST,
        r"at\s+least(?:\s+or\s+equal\s+to)?|no\s+fewer\s+than|no\s+less\s+than|"
        r"a\s+minimum\s+of|(?:greater|more|bigger|larger|higher)\s+(?:than\s+)?or\s+equal\s+"
        r"(?:to|than)|equal\s+to\s+or\s+(?:more|greater)\s+than|>=|≥",
    ),
    (
        UP_TO,
        r"up\s+to|as\s+many\s+as|as\s+much\s+as|as\s+high\s+as|a\s+maximum\s+of|at\s+most|"
        r"no\s+more\s+than|not\s+more\s+than|(?:less|fewer|smaller|lower)\s+(?:than\s+)?or\s+"
        r"equal\s+(?:to|than)|equal\s+to\s+or\s+(?:less|fewer)\s+than|<=|≤",
    ),
    (
        OVER,
        r"more\s+than|over|above|upwards\s+of|in\s+excess\s+of|exceed(?:s|ed|ing)?|"
        r"nearly\s+over|"
        r"(?:greater|bigger|larger|higher)\s+than|>",
    ),
    (
        UNDER,
        r"less\s+than|fewer\s+than|under|below|nearly|almost|just\s+under|not\s+quite|"
        r"(?:smaller|lower)\s+than|<",
    ),
    (
        ABOUT,
        r"about|approximately|around|roughly|some|an\s+estimated|estimated|circa|"
        r"close\s+to|almost\s+exactly|approx\.?|c\.",
    ),
    # "equal to 20", "exactly 20": exact, and the phrase says so.
    ("", r"equals?\s+to|equaling\s+to|equalling\s+to|exactly"),
]
# "500 or more", "30 or less": the qualifier after the number.
_QUALIFIER_AFTER = re.compile(
    # "or less than 5000" is a bound of its own.
    r"\s+or\s+(?P<q>more|greater|higher|above|over|less|fewer|lower|below|under)\b"
    r"(?!\s+than\s+\S*\d)",
    re.I,
)
_AFTER_QUALIFIERS = {"more": AT_LEAST, "greater": AT_LEAST, "higher": AT_LEAST,
                     "above": AT_LEAST, "over": AT_LEAST, "less": UP_TO, "fewer": UP_TO,
                     "lower": UP_TO, "below": UP_TO, "under": UP_TO}  # fmt: skip
_QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[\s(])|(?<!=)(?=[<>≤≥]))(?P<q>"
    + "|".join(f"(?:{p})" for _, p in _QUALIFIERS)
    + r")\s*$",
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
# Units as SPEC section 6 names them: lower-case English words, plural ("17 km" → kilometers,
# "1 dollar" → dollars).
UNIT_NAMES = {
    "km": "kilometers", "kms": "kilometers", "kilometre": "kilometers",
    "kilometres": "kilometers", "kilometer": "kilometers", "kg": "kilograms",
    "kgs": "kilograms", "kilogram": "kilograms", "kilogramme": "kilograms",
    "lb": "pounds", "lbs": "pounds", "pound": "pounds", "oz": "ounces", "ounce": "ounces",
    "ft": "feet", "foot": "feet", "mi": "miles", "mile": "miles", "mph": "miles per hour",
    "cm": "centimeters", "centimetre": "centimeters", "centimetres": "centimeters",
    "mm": "millimeters", "millimetre": "millimeters", "millimetres": "millimeters",
    "metre": "meters", "metres": "meters", "meter": "meters", "ml": "milliliters",
    "l": "liters", "litre": "liters", "litres": "liters", "liter": "liters", "ha": "hectares",
    "hectare": "hectares", "t": "tonnes", "tonne": "tonnes", "ton": "tons", "mb": "megabytes",
    "gb": "gigabytes", "kb": "kilobytes", "tb": "terabytes", "mw": "megawatts",
    "gw": "gigawatts", "kw": "kilowatts", "kwh": "kilowatt hours", "g": "grams",
    "gram": "grams", "inch": "inches", "gallon": "gallons", "barrel": "barrels",
    "%": "percent", "per cent": "percent", "pct": "percent", "dollar": "dollars",
    "usd": "dollars", "euro": "euros", "eur": "euros", "gbp": "pounds", "sterling": "pounds",
    "cent": "cents", "penny": "pence", "rupee": "rupees", "yuan": "yuan", "franc": "francs",
    "year": "years", "month": "months", "week": "weeks", "day": "days", "hour": "hours",
    "minute": "minutes", "second": "seconds", "decade": "decades", "century": "centuries",
    "s": "seconds", "bpd": "barrels per day", "percentage": "percent", "bit": "bits",
    "byte": "bytes", "acre": "acres", "megabyte": "megabytes", "gigabyte": "gigabytes",
    "tons": "tons", "tonnes": "tonnes", "kilograms": "kilograms", "grams": "grams",
    "meters": "meters", "kilometers": "kilometers", "miles": "miles", "feet": "feet",
    "inches": "inches", "gallons": "gallons", "barrels": "barrels", "ounces": "ounces",
    "liters": "liters", "hectares": "hectares", "pounds": "pounds", "acres": "acres",
    "centimeters": "centimeters", "millimeters": "millimeters", "milliliters": "milliliters",
    "yard": "yards", "yd": "yards", "yards": "yards", "knot": "knots", "knots": "knots",
    "pint": "pints", "pints": "pints", "quart": "quarts", "cup": "cups", "cups": "cups",
    "teaspoon": "teaspoons", "tablespoon": "tablespoons", "cc": "cubic centimeters",
    "kbps": "kilobits per second", "mbps": "megabits per second", "watt": "watts",
    "watts": "watts", "kilowatt": "kilowatts", "megawatt": "megawatts", "gigawatt": "gigawatts",
    "volt": "volts", "volts": "volts", "hz": "hertz", "khz": "kilohertz", "mhz": "megahertz",
    "ghz": "gigahertz", "calorie": "calories", "calories": "calories", "kcal": "kilocalories",
    "joule": "joules", "mg": "milligrams", "μg": "micrograms", "µg": "micrograms",
    "mcg": "micrograms", "microgram": "micrograms", "milligram": "milligrams", "stone": "stones",
    "kiloton": "kilotons", "megaton": "megatons",
    "kph": "kilometers per hour", "km/h": "kilometers per hour",
    "degree": "degrees", "degrees": "degrees", "terabyte": "terabytes", "kilobyte": "kilobytes",
    "gigabit": "gigabits", "megabit": "megabits", "kilobit": "kilobits", "bits": "bits",
    "bytes": "bytes",
    "dollars": "dollars", "euros": "euros", "cents": "cents", "rupees": "rupees",
    "francs": "francs", "pence": "pence", "yen": "yen", "won": "won", "ruble": "rubles",
    "rubles": "rubles", "rouble": "rubles", "roubles": "rubles", "peso": "pesos",
    "pesos": "pesos", "real": "reais", "reais": "reais", "rand": "rand", "krona": "kronor",
    "kronor": "kronor", "krone": "kroner", "kroner": "kroner", "zloty": "zloty",
    "lira": "lira", "dinar": "dinars", "dinars": "dinars", "dirham": "dirhams",
    "dirhams": "dirhams", "riyal": "riyals", "riyals": "riyals", "shekel": "shekels",
    "shekels": "shekels", "baht": "baht", "ringgit": "ringgit", "rupiah": "rupiah",
    "naira": "naira", "renminbi": "yuan", "bitcoin": "bitcoins", "bitcoins": "bitcoins",
    "pennies": "pence", "jpy": "yen", "cny": "yuan", "rmb": "yuan", "inr": "rupees",
    "chf": "francs", "percents": "percent", "satoshi": "satoshis", "satoshis": "satoshis",
    "colon": "colones", "colón": "colones", "colones": "colones", "kip": "kips",
    "dm": "decimeters", "decimeter": "decimeters", "decimetre": "decimeters",
    "decimetres": "decimeters", "decimeters": "decimeters", "m": "meters",
    "picometer": "picometers", "picometre": "picometers", "picometers": "picometers",
    "rad": "radians", "radian": "radians", "radians": "radians", "turn": "turns",
    "turns": "turns", "yo": "years", "meur": "euros", "musd": "dollars", "maud": "dollars",
    "mgbp": "pounds", "mchf": "francs", "mcad": "dollars",
    "percentage points": "percentage points",
}  # fmt: skip
_UNIT_WORDS = set(UNIT_NAMES) | set(UNIT_NAMES.values())
# Units that are money, for readers that keep amounts apart from other figures.
CURRENCY_UNITS = frozenset(_CURRENCIES.values()) | {
    "cents", "pence", "marks", "dinars", "dirhams", "riyals", "zloty", "ringgit", "rupiah",
    "bitcoins", "satoshis", "pesos", "reais", "rand", "kronor", "kroner", "lira", "kips",
}  # fmt: skip
_UNIT_MODIFIERS = {"square": "square", "sq": "square", "cubic": "cubic", "metric": "metric",
                   "nautical": "nautical", "light": "light"}  # fmt: skip
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

# Digits: "11,000", "40 000" (a space or a no-break space between groups of three),
# "3.5", ".25", and scientific notation ("1.3x10^6", "12.32e+14").
_DIGITS = (
    # An exponent up to 15 keeps a figure within what a claim's figure can store.
    r"\d{1,4}(?:\.\d+)?\s?[x×]\s?10\^[-+]?(?:1[0-5]|\d)\b|\d{1,4}(?:\.\d+)?e[-+]?(?:1[0-5]|\d)\b"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    # Groups apart, but not the groups of a telephone number ("03457 078 051", "+49 611 7878").
    r"|(?<!\d[ \u00a0\u202f])[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d.,-]\d|\s\d)"
    r"|\d+(?:\.\d+)?|\.\d+"
)
_NUMBER = (
    rf"(?P<cur>{_CURRENCY_BEFORE})?\s?"
    r"(?P<sign>(?<![\w-])[-−](?=\d)|\bnegative\s+|\bminus\s+)?"
    rf"(?P<num>(?:\d+\s?)?[½⅓⅔¼¾⅕⅛]|{_PART_OF_SCALE}|{_FRACTION}|{_DIGITS}|{_WORD_NUMBER})"
    r"(?P<plus>\+)?"
    # A letter for a scale is written against the number ("$1.2bn", "5m", "10k"); apart from it
    # ("1 m x 1 m") it is a unit.
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|dozens?|dozs?|lakhs?|crores?|"
    r"bn|mn|tn|bln|mln|tln|mil)\b|(?P<letter>m|k|b|\s(?-i:M))\b)?"
    # "three lakh crore", "a thousand million": a scale of a scale.
    r"(?:\s(?P<scale2>crores?|million|billion)\b)?"
)
_ATTACHED_UNITS = (
    "km|kg|lbs?|mb|gb|kb|tb|cm|mm|dm|ml|mph|ft|mi|oz|ha|mw|kw|gw|kwh|g|m|s|rad|usd|eur|gbp|jpy|"
    "cny|rmb"
)
# "above 1000 and below 1500", "greater than 100 and smaller than 300": two bounds, one range.
_SECOND_BOUND = (
    r"(?:less|fewer|smaller|lower|greater|more|bigger|larger|higher)\s+than\s+or\s+equal\s+to|"
    r"below|under|less\s+than|fewer\s+than|smaller\s+than|lower\s+than|at\s+(?:least|most)|"
    r"above|over|more\s+than|greater\s+than"
)
_VAGUE_RE = "|".join(re.escape(w) for w in sorted(_VAGUE, key=len, reverse=True))
# Every way a figure can begin, checked first so that the grammar below is tried only where one
# may (most word starts are not): without it, reading figures took most of an analysis's time.
_FIGURE_START = (
    r"[\d½⅓⅔¼¾⅕⅛$£€¥₹₩₽₺₪₦฿₡₭−-]|\.\d|(?:us|u\.s\.|c|ca|cad|a|au|aud|hk|nz|s|r|mex|mxn)\s?\$"
    rf"|{_CURRENCY_CODES}|an?\b|{_UNIT}|{_TEEN}|{_TENS}|hundred|{_BIG}|quarter|half|minus"
    rf"|negative|{_VAGUE_RE}"
)
_TOKEN = re.compile(
    rf"(?<![\w.,])(?={_FIGURE_START})(?:"
    rf"(?P<vague>{_VAGUE_RE})\b"
    rf"|(?P<first>{_NUMBER})"
    rf"(?:\s*(?P<sep>-|–|—|to|and|or|through|thru|and\s+(?:{_SECOND_BOUND}))"
    rf"\s*(?P<second>{_NUMBER.replace('?P<', '?P<b_')}))?"
    # A unit written against the number ("200lbs", "7.62mm") ends it as well as a space does.
    rf")(?:(?!\w)|(?=(?:{_ATTACHED_UNITS})\b))",
    re.IGNORECASE,
)
# Digits are a word here too, so that the counted noun is never looked for past another number.
_WORD = re.compile(r"[A-Za-zμµ][\w'’/-]*|\d[\d,.]*|%|[,.;:!?\"“”()]")


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    qualifier: str
    unit: str
    text: str
    start: int
    end: int


def _whole_words(tokens: list[str]) -> int:
    total = current = 0
    for token in tokens:
        if token in _SMALL_NUMBERS:
            current += _SMALL_NUMBERS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in {"dozen", "dozens"}:
            current = (current or 1) * 12
        elif token in _BIG_SCALES:
            total += (current or 1) * _BIG_SCALES[token]
            current = 0
    return total + current


def _part(token: str) -> str:
    return "half" if token == "halves" else token.removesuffix("s")


_DIGIT_WORDS = {**_SMALL_NUMBERS, "oh": 0}
# "one hundred thirty fifths" is a hundred thirty-fifths: a tens word standing apart before a
# unit's ordinal makes one denominator with it ("thirty-two fifths" stays 32 fifths).
_TENS_ORDINAL = re.compile(rf"\s({_TENS})\s+(third|fourth|fifth|sixth|seventh|eighth|ninth)s?$")
_RATIO_SPLIT = re.compile(r"\s+(?:out\s+of|over)\s+")
_OUT_OF = re.compile(r"\s+out\s+of\s+")


def _decimal_digits(words: str) -> str:
    """The digits after "point": "nought four" → "04", "seventy-one" → "71"."""
    digits = ""
    for word in re.findall(rf"(?:{_TENS})(?:[\s-]+(?:{_UNIT})\b)?|[a-z]+", words):
        digits += str(sum(_DIGIT_WORDS.get(part, 0) for part in re.findall(r"[a-z]+", word)))
    return digits


def _word_value(words: str) -> Decimal:
    """The value of number words the grammar above accepted: "one hundred and six" → 106,
    "two thirds" → 0.6667, "one and a half" → 1.5, "10 1/2" → 10.5, "two out of three" →
    0.6667, "five point five" → 5.5."""
    lower = words.lower()
    vulgar = re.fullmatch(r"(\d*)\s?([½⅓⅔¼¾⅕⅛])", lower)
    if vulgar:
        return Decimal(vulgar.group(1) or 0) + _VULGAR[vulgar.group(2)]
    slash = re.fullmatch(r"(?:(\d+)\s+)?(\d+)/(\d+)", lower)
    if slash:
        return Decimal(slash.group(1) or 0) + Decimal(slash.group(2)) / Decimal(slash.group(3))
    ratio = _RATIO_SPLIT.split(lower)
    if len(ratio) == 2:
        divisor = _word_value(ratio[1])
        return _word_value(ratio[0]) / divisor if divisor else Decimal(0)
    if " point" in lower:
        integer, decimals = lower.split(" point", 1)
        return _word_value(integer) + Decimal("0." + (_decimal_digits(decimals) or "0"))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d*\.?\d+", lower):
        return Decimal(lower.replace(",", ""))
    tokens = re.findall(r"[a-z]+|\d+", lower)
    if tokens and tokens[-1] in _BIG_SCALES and ("quarter" in tokens or "half" in tokens):
        share = Decimal("0.25") if "quarter" in tokens else Decimal("0.5")
        return share * _BIG_SCALES[tokens[-1]]
    if not tokens or _part(tokens[-1]) not in _FRACTION_VALUES:
        return Decimal(_whole_words(tokens))
    whole, numerator = Decimal(0), tokens[:-1]
    denominator = _FRACTION_VALUES[_part(tokens[-1])]
    compound = _TENS_ORDINAL.search(lower)
    if compound and len(numerator) > 1:
        numerator = numerator[:-1]
        denominator += _SMALL_NUMBERS[compound.group(1)]
    if "and" in numerator:
        cut = len(numerator) - 1 - numerator[::-1].index("and")
        head, numerator = numerator[:cut], numerator[cut + 1 :]
        whole = Decimal(head[0]) if head and head[0].isdigit() else Decimal(_whole_words(head))
    count = _whole_words(numerator) or 1
    return whole + Decimal(count) / denominator


def _scale(match: re.Match, prefix: str = "") -> int:
    """What the scale words after a number multiply it by: "bn" → 10⁹, "lakh crore" → 10¹²."""
    multiplier = 1
    for name in ("scale", "letter", "scale2"):
        word = match.group(prefix + name)
        if word:
            multiplier *= _SCALES[word.strip().lower()]
    return multiplier


_SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)\s?(?:[x×]\s?10\^|e)([-+]?\d+)")


def _number(raw: str, scale: int = 1, sign: str | None = None) -> Decimal:
    key = " ".join(raw.lower().split())
    scientific = _SCIENTIFIC.fullmatch(key)
    if scientific:
        amount = Decimal(scientific.group(1)).scaleb(int(scientific.group(2)))
    elif re.fullmatch(r"\d{1,3}(?:[, ]\d{3})*(?:\.\d+)?|\d*\.?\d+", key):
        amount = Decimal(key.replace(",", "").replace(" ", ""))
    else:
        amount = _word_value(key)
    amount *= scale
    return _tidy(-amount if sign else amount)


def _tidy(amount: Decimal) -> Decimal:
    if amount != amount.to_integral():
        # Thirds and sevenths: four decimals say the figure; 28 would only look precise.
        return amount.quantize(Decimal("0.0001")).normalize()
    return amount.quantize(Decimal(1))


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
    """The counted noun after a number, and where the figure's phrase ends."""
    words = [(m.group(), m.end()) for m in _WORD.finditer(sentence, position)][:8]
    if currency:
        key = "".join(currency.lower().split())
        return _CURRENCIES.get(key, _CURRENCIES.get(key[-1:], "dollars")), position
    if not words:
        return "", position
    first, first_end = words[0]
    lower = first.lower()
    if lower in {"%", "percent", "percents", "pct", "percentage"}:
        if len(words) > 1 and words[1][0].lower() in {"point", "points"}:
            return "percentage points", words[1][1]
        return "percent", first_end
    if lower == "per" and len(words) > 1 and words[1][0].lower() == "cent":
        return "percent", words[1][1]
    if lower.endswith("ed") and len(lower) > 4 and lower not in _STOP_WORDS:
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
    modifier = ""
    for word, word_end in words[index : index + 5]:
        lower = word.lower()
        if not word[0].isalpha() or lower in _STOP_WORDS or re.search(r"n['’]t$", lower):
            break
        if lower in _UNIT_MODIFIERS and not modifier:
            # "190,000 square meters", "0.9 trillion cubic feet", "291,890 metric tons"
            modifier, end = _UNIT_MODIFIERS[lower], word_end
            continue
        last, end = lower, word_end
        if lower in _UNIT_WORDS or _is_plural_noun(word):
            break
    last = UNIT_NAMES.get(last.rstrip("'’"), last.rstrip("'’"))
    return f"{modifier} {last}" if modifier and last else last or modifier, end


def _hyphenated_unit(sentence: str, end: int) -> tuple[str, int] | None:
    # "a 32-year-old soldier", "a three-day strike", "a 10-gallon cooler": the unit is the
    # hyphenated noun.
    match = re.match(r"-([a-z]+)(-old)?\b", sentence[end:], re.I)
    if not match:
        return None
    word = match.group(1).lower()
    if word in _TIME_UNITS:
        return word.rstrip("s") + "s", end + match.end()
    if word in UNIT_NAMES:
        return UNIT_NAMES[word], end + match.end()
    return None


def _qualifier_before(sentence: str, start: int) -> tuple[str, int]:
    match = _QUALIFIER_RE.search(sentence[max(0, start - 40) : start])
    if not match:
        return "", start
    phrase = " ".join(match.group("q").lower().split())
    for name, pattern in _QUALIFIERS:
        if re.fullmatch(pattern, phrase, re.IGNORECASE):
            return name, start - (len(sentence[max(0, start - 40) : start]) - match.start("q"))
    return "", start


# Words before a four-digit number that make it a date: "in 2022", "since 1998", "the 2020
# election".
_YEAR_BEFORE = re.compile(
    r"\b(?:in|since|by|until|till|from|during|before|after|of|year|years|summer|winter|spring|"
    r"autumn|fall|early|late|mid|the|a|an|this|that|between|and|to|through|circa|c\.|ad|bc|"
    rf"{_MONTHS})\.?,?\s*[-(]?\s*$",
    re.IGNORECASE,
)


def _reads_as_year(sentence: str, match: re.Match, after: str) -> bool:
    """A four-digit number from 1000 to 2100 is a year only where its context says so: a
    preposition or article of time before it, a range of years ("1950-53"), a possessive, or
    a singular noun after it ("the 2020 election"); "1200 were evacuated" is a count."""
    before = sentence[max(0, match.start() - 16) : match.start()]
    year_range = re.match(r"\s*[-–/]\s*\d{2}\b", sentence[match.start("num") + 4 :])
    if _YEAR_BEFORE.search(before) or year_range:
        return True
    following = _WORD.match(after.lstrip())
    if not following or not following.group()[0].isalpha():
        return False
    word = following.group().lower()
    return not _is_plural_noun(word) and word not in _STOP_WORDS and word not in _UNIT_WORDS


def _is_not_a_figure(sentence: str, match: re.Match, raw: str, scale: int) -> bool:
    before = sentence[max(0, match.start() - 12) : match.start()].lower()
    after = sentence[match.end() : match.end() + 24].lower()
    lower = raw.lower()
    if re.match(r"(st|nd|rd|th|s)\b", after) or re.match(r"'?s\b", after):
        return True  # ordinals and decades: "3rd", "the 1980s"
    if re.search(r"[a-z]-$", before) and not match.group("cur"):
        return True  # a name with a number: "COVID-19", "F-16", "scp-173"
    signed = match.group("sign") or match.group("cur")
    if lower in {"one", "a", "an"} and not signed and not _hyphenated_unit(sentence, match.end()):
        return True  # far more often an article or a pronoun ("one of the", "one day")
    if re.fullmatch(r"\d{4}", lower) and scale == 1 and 1000 <= int(lower) <= 2100:
        return _reads_as_year(sentence, match, after)
    if re.search(rf"\b(?:{_MONTHS})\.?\s*$", before) or re.match(rf"\s*(?:{_MONTHS})\b", after):
        return True  # "March 2", "2 March"
    if re.match(r"\s*(?:a\.?m\.?|p\.?m\.?|o'clock|in the (?:morning|afternoon|evening))", after):
        return True
    if re.match(r"/\d", after) or re.search(r"\d/$", before):
        return True  # "9/11", "24/7", "3/4/2020": dates and phrases, not amounts
    return bool(re.match(r"\s*[:.]\d", after))  # "10:30", version numbers


_AGED = re.compile(r"\b(?:aged|age|ages)\s+(?:of\s+)?$", re.IGNORECASE)
_LINK = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# Phone numbers, ISO dates, version and IP numbers: digits chained by three or more separators.
_CODE = re.compile(r"\+?\d+(?:[-./]\d+){2,}")
_BETWEEN = re.compile(r"\bbetween\s+(?:[$£€¥₹]\s?)?$", re.IGNORECASE)
# "13 dollars and 45 cents", "£2 and 50 pence": one amount.
_SUBUNIT = re.compile(
    rf"\s+(?:and\s+)?(?P<n>\d{{1,2}}|{_BELOW_100})\s+(?:cents?|pence|p)\b", re.IGNORECASE
)
# "15 dollars 50", "thirteen dollars forty five": the cents, unnamed, end the phrase.
_BARE_SUBUNIT = re.compile(
    rf"\s+(?P<n>\d{{2}}|{_BELOW_100})(?=\s*(?:$|[.,;:!?)])|\s+more\b)", re.IGNORECASE
)
# "75 USD million": the scale after the currency.
_SCALE_AFTER_UNIT = re.compile(r"\s+(?P<s>thousand|million|billion|trillion|bn|mn)\b", re.I)
# "10 $", but not the "$" of "1 $10 bill".
_SYMBOL_AFTER = re.compile(rf"\s?(?P<cur>{_SYMBOLS})(?!\d)")
# "4 thousand 3 hundred and 21": digits and scale words, each part below the scale before it.
_CHAIN = re.compile(
    rf"\s+(?P<and>and\s+)?(?P<n>\d+(?:\.\d+)?|{_BELOW_1000}){_NOT_A_PART}"
    rf"(?:\s+(?P<s>hundred|{_BIG})\b)?(?![.,]?\d)",
    re.IGNORECASE,
)
# "3 million and a half", "one billion and a half million": a fraction of the scale before.
_PART_OF_LAST_SCALE = re.compile(
    rf"\s+and\s+(?P<f>{_WORD_FRACTION})(?:\s+(?P<s>{_BIG})\b)?", re.IGNORECASE
)
# "5 ft 2 in", "5 feet and 2 inches": one height in feet.
_INCHES = re.compile(
    rf"\s+(?:and\s+)?(?P<n>\d+(?:\.\d+)?|{_BELOW_100})\s*(?:in|inch|inches|\")(?!\w)",
    re.IGNORECASE,
)
# Finance's "MEUR 120", "120 MUSD": millions of a currency.
_MILLION_CODE = re.compile(r"\s?m(?:eur|usd|aud|gbp|chf|cad)\b", re.IGNORECASE)
# "percent of 10" (the Recognizers-Text specs read it as 10 percent), unless a number stands
# before "percent" ("50 percent of 10 million" is 10 million).
_PERCENT_BEFORE = re.compile(r"(?:%|\bper\s?cent|\bpercent)\s+of\s+$", re.IGNORECASE)
_NUMBER_BEFORE = re.compile(
    rf"(?:\d|\b(?:{_UNIT}|{_TEEN}|{_TENS}|hundred|{_BIG}))\s*$", re.IGNORECASE
)


def _last_scale(raw: str, match: re.Match) -> int:
    """The scale a number's words end on ("4 thousand" → 1000, "one billion" → 10⁹), or 0."""
    word = match.group("scale") or (re.findall(r"[a-z]+", raw.lower()) or [""])[-1]
    return {"hundred": 100, **_BIG_SCALES}.get(word.lower(), 0)


def _extend(
    sentence: str, raw: str, match: re.Match, value: Decimal, end: int
) -> tuple[Decimal, int]:
    """A number read on past its match: "4 thousand" + "3 hundred and 21", "3 million" + "and
    a half"; the value and where the number now ends."""
    last = _last_scale(raw, match)
    while last and (chain := _CHAIN.match(sentence, end)):
        part_scale = _SCALES[chain.group("s").lower()] if chain.group("s") else 1
        part = _number(chain.group("n"), part_scale)
        if part >= last or not (chain.group("s") or (chain.group("and") and last <= 1000)):
            break
        value, end = value + part, chain.end()
        last = part_scale if chain.group("s") else 0
    fraction = _PART_OF_LAST_SCALE.match(sentence, end) if last >= 1000 else None
    if fraction:
        scale = _BIG_SCALES[fraction.group("s").lower()] if fraction.group("s") else last
        if scale <= last:
            value, end = value + _word_value(fraction.group("f")) * scale, fraction.end()
    return value, end


def parse_figures(sentence: str) -> list[Figure]:
    """Every figure stated in ``sentence``, in order."""
    found: list[Figure] = []
    links = [m.span() for m in _LINK.finditer(sentence)]
    links += [m.span() for m in _CODE.finditer(sentence)]
    position = 0
    while match := _TOKEN.search(sentence, position):
        position = match.end()
        if any(start <= match.start() < end for start, end in links):
            continue  # "https://example.org/2020/30%": part of an address
        if found and (match.start("num") if match.group("num") else match.start()) < found[-1].end:
            continue  # read already, as the cents of "13 dollars and 45 cents"
        vague = match.group("vague")
        if vague and vague.lower() == "scores" and not sentence[match.end() :].startswith(" of"):
            continue  # "he scores", "test scores": only "scores of" is a vague amount
        if vague:
            vague_low, vague_high = _VAGUE[vague.lower()]
            unit, end = _unit_after(sentence, match.end(), None)
            qualifier, start = _qualifier_before(sentence, match.start())
            found.append(
                Figure(
                    value=None,
                    low=Decimal(vague_low),
                    high=Decimal(vague_high) if vague_high else None,
                    qualifier=qualifier,
                    unit=unit,
                    text=sentence[start:end].strip(),
                    start=start,
                    end=end,
                )
            )
            continue
        raw, currency, begin = match.group("num"), match.group("cur"), match.start()
        scale = _scale(match)
        if currency and found and match.start("cur") < found[-1].end:
            # "10 rmb 20 usd": "rmb" was the unit of the figure before.
            currency, begin = (
                None,
                match.start("sign") if match.group("sign") else match.start("num"),
            )
        if _is_not_a_figure(sentence, match, raw, scale):
            continue
        first = _number(raw, scale, match.group("sign"))
        second = None
        if match.group("second"):
            second_scale = _scale(match, "b_")
            second = _number(match.group("b_num"), second_scale, match.group("b_sign"))
            currency = currency or match.group("b_cur")
            unscaled = first
            if second_scale != 1 and scale == 1:
                # "2 to 3 million": the scale written once applies to both ends.
                first = _number(raw, second_scale, match.group("sign"))
            sep = match.group("sep").lower()
            if sep == "or" and re.search(r"\beither\s+$", sentence[:begin], re.IGNORECASE):
                second = None  # "either 10 bln or 10 tln": two figures
                position = match.start("second")
            if " " in sep and second is not None:
                # "above 1000 and below 1500", "at most 100 and at least 20": one range when the
                # bounds face each other; "more than 40 and less than 10": two figures.
                before, _ = _qualifier_before(sentence, match.start())
                second_is_upper = bool(re.search(r"below|under|less|fewer|smaller|lower|most", sep))
                if before in (UNDER, UP_TO) and not second_is_upper and second < first:
                    first, second = second, first
                elif not (before in (OVER, AT_LEAST) and second_is_upper and first < second):
                    second = None
                    position = match.start("second")
            if (
                second is not None
                and sep == "and"
                and not _BETWEEN.search(sentence[: match.start()])
            ):
                # "$4.25 and 32 items": two figures; "and" joins a range only after "between".
                second = None
                position = match.start("second")
            elif second is not None and second <= first:
                # "1-0", "24-7": not a range of one thing.
                second = None
            if second is None:
                first = unscaled
        number_end = match.end("first")
        ratio = _OUT_OF.split(raw)
        if len(ratio) == 2 and second is None and _word_value(ratio[0]) > _word_value(ratio[1]):
            # "12 out of 10" is two numbers, not a share.
            first = _number(ratio[0], 1, match.group("sign"))
            number_end = position = match.start("num") + len(ratio[0])
        qualifier, start = _qualifier_before(sentence, begin)
        is_range = second is not None
        token_end = number_end if position < match.end() else match.end()
        phrase_end = match.end() if is_range else number_end
        if not is_range:
            first, phrase_end = _extend(sentence, raw, match, first, number_end)
            if phrase_end > number_end:
                token_end = position = max(phrase_end, token_end)
        hyphenated = _hyphenated_unit(sentence, phrase_end)
        if hyphenated:
            unit, end = hyphenated
        else:
            unit, end = _unit_after(sentence, phrase_end, currency)
        if (
            qualifier == OVER
            and unit in _TIME_UNITS
            and sentence[start:].lower().startswith("over")
        ):
            qualifier, start = "", begin  # "a pay rise over two years": a duration
        if is_range and " " in (match.group("sep") or ""):
            qualifier = ""  # "above 1000 and below 1500": both bounds are in the range
        if not unit and _AGED.search(sentence[:begin]):
            unit = "years"  # "a man aged 87", "at age 32"
        percent_of = None if unit else _PERCENT_BEFORE.search(sentence[:start])
        if percent_of and not _NUMBER_BEFORE.search(sentence[: percent_of.start()]):
            unit, start = "percent", percent_of.start()
        symbol = None if currency else _SYMBOL_AFTER.match(sentence, phrase_end)
        if symbol:  # "10 $", "100 €"
            unit, end = _CURRENCIES[symbol.group("cur")], symbol.end()
        million_code = _MILLION_CODE.match(sentence, phrase_end)
        if million_code and not is_range and unit in CURRENCY_UNITS:
            first, end = first * 1_000_000, max(end, million_code.end())
        elif currency and _MILLION_CODE.fullmatch(currency.strip()):
            first *= 1_000_000
        if unit in CURRENCY_UNITS and not is_range and scale == 1:
            after_unit = _SCALE_AFTER_UNIT.match(sentence, end)
            if after_unit:
                first, end = first * _SCALES[after_unit.group("s").lower()], after_unit.end()
        subunit = None
        if unit in {"dollars", "euros", "pounds"} and not is_range:
            subunit = _SUBUNIT.match(sentence, end) or (
                _BARE_SUBUNIT.match(sentence, end) if end > phrase_end else None
            )
        if subunit:
            first += _number(subunit.group("n")) / 100
            end = subunit.end()
        inches = _INCHES.match(sentence, end) if unit == "feet" and not is_range else None
        if inches:
            first += _number(inches.group("n")) / 12
            end = inches.end()
        if not is_range and match.group("plus"):
            qualifier = AT_LEAST
        after = _QUALIFIER_AFTER.match(sentence, phrase_end)
        if not is_range and qualifier in ("", ABOUT) and after:
            qualifier = _AFTER_QUALIFIERS[after.group("q").lower()]
            end = max(end, after.end())
            if not unit:  # "500 or more families"
                unit, end = _unit_after(sentence, after.end(), currency)
        first = _tidy(first)
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
            Figure(
                value=value,
                low=low,
                high=high,
                qualifier=qualifier,
                unit=unit,
                text=sentence[start : max(end, token_end)].strip(),
                start=start,
                end=max(end, token_end),
            )
        )
    return found
