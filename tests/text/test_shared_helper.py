"""Without ../shared the data tests skip and say why, except under CI, where they fail."""

import pytest

from tests.text.shared import require_shared


def test_missing_shared_data_skips_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("FACTCHECK_SHARED_DIR", str(tmp_path / "absent"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent/data is missing"):
        require_shared("data")


def test_missing_shared_data_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("FACTCHECK_SHARED_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="FACTCHECK_SHARED_DIR"):
        require_shared("data")


def test_present_shared_data_is_returned(monkeypatch, tmp_path):
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("FACTCHECK_SHARED_DIR", str(tmp_path))
    assert require_shared("data") == tmp_path / "data"
