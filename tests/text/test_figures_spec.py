"""Figures on the Recognizers-Text spec cases in ../shared/data/recognizers (issue 12): the dev
half (the second half of each shared spec file, never tuned on by rule) stays at or above the
figure the issue asks of the held-out half plus its margin."""

import pytest

from claims.text.figures_spec import figures_exact
from tests.text.shared import require_shared

pytestmark = pytest.mark.shared_data

DEV_FLOOR = 0.77  # issue 12: 0.75 on the held-out cases, 0.02 to spare on ours


def test_dev_half_figures_exact_reach_the_goal():
    require_shared("data", "recognizers")
    result = figures_exact("dev")
    assert result["n"] > 150  # every spec file read, not an empty folder
    assert result["ours"] >= DEV_FLOOR, result["per_file"]
    assert result["ours"] > result["plain"] + 0.3


def test_every_spec_file_is_mostly_read_exactly():
    require_shared("data", "recognizers")
    per_file = figures_exact("dev")["per_file"]
    assert set(per_file) == {
        "AgeModel", "CurrencyModel", "DimensionModel", "NumberModel", "NumberRangeModel",
        "PercentModel",
    }  # fmt: skip
    for kind, (hits, total) in per_file.items():
        assert hits / total >= 0.6, kind
