"""Where the tests find ``../shared``, and what they do when it is not there.

A developer without the shared data still runs the rest of the suite (the data tests skip and
say why); CI has it, so there its absence is a failure, not a silent skip.
"""

import os
from pathlib import Path

import pytest

from claims.text.datasets import shared_dir


def require_shared(*parts: str) -> Path:
    """The path under the shared dir, or skip (fail under CI=true) when it is missing."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        reason = (
            f"{path} is missing: these tests read the public data in ../shared "
            "(set FACTCHECK_SHARED_DIR when the repository is elsewhere, e.g. in a worktree)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path
