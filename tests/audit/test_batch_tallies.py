"""Batch tallies for batch-comparison audits: the format and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballotproof.audit.sampler import Batch
from ballotproof.errors import BallotproofError
from ballotproof.io.batch_tallies import load_batch_tallies
from ballotproof.io.manifest import Manifest
from tests.conftest import TESTDATA


def test_good_file() -> None:
    t = load_batch_tallies(TESTDATA / "batch_tallies" / "good.csv")
    assert {k: dict(v) for k, v in t.items()} == {
        "B1": {"A": 60, "B": 40},
        "B2": {"A": 55, "B": 45},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Batch Name,A,B\nB1,60,-4\n", "t.csv:2: field 'B': expected an integer ≥ 0, got '-4'"),
        (
            "Batch Name,A,B\nB1,60,4\nB1,1,1\n",
            "t.csv:3: field 'Batch Name': batch 'B1' is also on line 2",
        ),
        (
            "Batch,A,B\nB1,60,4\n",
            "t.csv:1: field 'Batch Name': expected a column named 'Batch "
            "Name' in the header, got 'Batch,A,B'",
        ),
        (
            "Batch Name\nB1\n",
            "t.csv:1: field 'Batch Name': expected at least one choice column "
            "beside 'Batch Name', got 'none'",
        ),
        (
            "Batch Name,A,B\nB9,1,1\n",
            "t.csv:2: field 'Batch Name': expected a batch of the ballot manifest, got 'B9'",
        ),
        (
            "Batch Name,A,B\nB1,90,40\n",
            "t.csv:2: field 'Batch Name': batch 'B1' has 130 votes but only 100 ballots "
            "(vote for 1)",
        ),
    ],
)
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    manifest = Manifest("m.csv", (Batch(None, None, "B1", 100),))
    with pytest.raises(BallotproofError) as info:
        load_batch_tallies(p, manifest=manifest)
    assert str(info.value).replace(str(tmp_path) + "/", "") == message
