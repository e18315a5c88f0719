"""Figures measured on the Recognizers-Text spec cases (issue 12): how many cases our
``parse_figures`` reads exactly as the spec file says, beside a plain regular expression.

The shared folder holds half of the English spec files (the other half is held out); the first
half of each shared file is for tuning ("train"), the second for measuring ("dev"), as
``claims.text.datasets.recognizer_cases`` splits them. ``bench/claims_public.py`` prints the dev
figure and ``tests/text/test_figures_spec.py`` holds it to its floor.

A case is exact when our figures of the spec file's kind are as many as its results and each
matches one: the value within 0.1 percent (a unit word too for currencies, dimensions, ages and
percentages), or the bounds of a range. Results the spec gives no value ("dollar" alone, "%"
alone) still count against us: a figure without a number is not one of ours, so such cases fail.
"""

import re
from decimal import Decimal, InvalidOperation

from claims.text.datasets import recognizer_cases
from claims.text.figures import (
    AT_LEAST,
    CURRENCY_UNITS,
    OVER,
    UNDER,
    UNIT_NAMES,
    UP_TO,
    Figure,
    parse_figures,
)

QUANTITY_UNITS = set(UNIT_NAMES.values()) | {"barrels", "bits", "bytes", "tons", "acres"}

_PLAIN_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_RANGE = re.compile(r"^[\[(](?P<low>[^,]*),(?P<high>[^\])]*)[\])]$")
_SINGULAR = {"feet": "foot", "inches": "inch", "pence": "pence", "yen": "yen", "yuan": "yuan",
             "miles per hour": "mile per hour", "centuries": "century",
             "colones": "colón"}  # fmt: skip


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "").rstrip("%")) if raw.strip() else None
    except InvalidOperation:
        return None


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= Decimal("0.001") * max(Decimal(1), abs(b))


def _unit_word(unit: str) -> str:
    unit = unit.lower().strip()
    if unit in _SINGULAR:
        return _SINGULAR[unit]
    last = unit.split()[-1] if unit.split() else ""
    return _SINGULAR.get(
        last, last.removesuffix("es") if last.endswith("ches") else last.rstrip("s")
    )


def _expected(case: dict, kind: str) -> list[tuple]:
    found: list[tuple] = []
    for result in case["Results"]:
        resolution = result.get("Resolution") or {}
        raw = str(resolution.get("value") or "")
        bounds = _RANGE.match(raw) if kind == "NumberRangeModel" else None
        if bounds:
            found.append((None, _decimal(bounds["low"]), _decimal(bounds["high"])))
        else:
            unit = resolution.get("unit") or ("percent" if kind == "PercentModel" else "")
            found.append((_decimal(raw), _unit_word(unit)))
    return found


# Each spec file is one Recognizers-Text model, which finds only its own kind of figure: ours
# finds every figure, so a currency case is compared on the figures in a currency (the units
# the extractor knows as money), a range case on the figures stated as ranges or bounds, and so
# on.
_CURRENCY_UNITS = CURRENCY_UNITS
_BOUNDS = {OVER, UNDER, AT_LEAST, UP_TO}
# The range model reads "equal to 20" as the closed range [20,20]; ours, as an exact figure
# whose phrase says "equal to".
_EQUAL = re.compile(r"(?:equals?|equal+ing)\s+to\b", re.IGNORECASE)
_TIME_UNITS = {"years", "months", "weeks", "days", "hours", "minutes", "seconds", "decades"}


def _of_kind(figure: Figure, kind: str) -> bool:
    unit = figure.unit
    if kind == "CurrencyModel":
        return unit in _CURRENCY_UNITS or unit.split()[-1:] == ["dollars"]
    if kind == "AgeModel":
        return unit in _TIME_UNITS
    if kind == "PercentModel":
        return unit == "percent"
    if kind == "DimensionModel":
        # "pounds" is a weight as well as money.
        return (
            bool(unit)
            and unit not in (_CURRENCY_UNITS - {"pounds"}) | _TIME_UNITS | {"percent"}
            and (unit in QUANTITY_UNITS or unit.split()[-1] in QUANTITY_UNITS)
        )
    if kind == "NumberRangeModel":
        return (
            figure.value is None or figure.qualifier in _BOUNDS or bool(_EQUAL.match(figure.text))
        )
    return True


def _ours(figures: list[Figure], kind: str) -> list[tuple]:
    figures = [f for f in figures if _of_kind(f, kind)]
    if kind == "NumberRangeModel":
        return [(None, f.low, f.high) for f in figures]
    return [(f.value, _unit_word(f.unit)) for f in figures]


def _same(ours: list[tuple], expected: list[tuple], kind: str) -> bool:
    if len(ours) != len(expected):
        return False
    units_count = kind in {"CurrencyModel", "DimensionModel", "AgeModel", "PercentModel"}
    remaining = list(ours)
    for want in expected:
        for got in remaining:
            if len(want) == 3:
                ok = len(got) == 3 and _close(got[1], want[1]) and _close(got[2], want[2])
            else:
                ok = _close(got[0], want[0]) and (not units_count or got[1] == want[1])
            if ok:
                remaining.remove(got)
                break
        else:
            return False
    return True


def figures_exact(half: str = "dev") -> dict:
    """The share of cases read exactly, ours and the plain regex's, overall and per file."""
    ours = plain = total = 0
    per_file: dict[str, list[int]] = {}
    for kind, case in recognizer_cases(half=half):
        expected = _expected(case, kind)
        found = _ours(parse_figures(case["Input"]), kind)
        regex = [(_decimal(m.group()), "") for m in _PLAIN_NUMBER.finditer(case["Input"])]
        hit = _same(found, expected, kind)
        ours += hit
        plain += (
            _same(regex, expected, "NumberModel") if kind != "NumberRangeModel" else not expected
        )
        total += 1
        per_file.setdefault(kind, [0, 0])
        per_file[kind][0] += hit
        per_file[kind][1] += 1
    return {"ours": ours / total, "plain": plain / total, "n": total, "per_file": per_file}
