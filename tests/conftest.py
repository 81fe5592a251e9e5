"""Shared fixtures: the built-in election (loaded once) and the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import Election
from ballotproof.model.recount import RecountRule

# No per-example deadline (a loaded 2-core CI machine is slow, not wrong); in CI the examples
# are derandomised, so a run there is reproducible and a red build is never luck.
settings.register_profile("ballotproof", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "ballotproof")

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
