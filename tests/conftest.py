"""Shared fixtures: the built-in election (loaded once) and the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import Election
from ballotproof.model.recount import RecountRule

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "us2020"
TESTDATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def us2020() -> Election:
    return load_us2020()


@pytest.fixture(scope="session")
def rules() -> tuple[RecountRule, ...]:
    return load_recount_rules()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/us2020 is not beside the checkout")
    return SHARED
