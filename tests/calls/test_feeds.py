"""Feed loaders: malformed rows are named precisely; the shipped feeds load in time order."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ballotproof.errors import InputError
from ballotproof.io.feeds import load_2020_feed, load_edison, load_generic_feed
from ballotproof.io.us2020 import data_dir


def test_shipped_feeds_are_in_time_order() -> None:
    updates = load_2020_feed(data_dir())
    assert len(updates) == 8_905 + 3_406
    assert all(a.time <= b.time for a, b in itertools.pairwise(updates))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "state,time,total,votes_a,votes_b\nPA,2020-11-04T01:00:00Z,100,60,-1\n",
            "feed.csv:2: field 'votes_b': expected an integer ≥ 0, got '-1'",
        ),
        (
            "state,time,total,votes_a,votes_b\nPA,yesterday,100,60,40\n",
            "feed.csv:2: field 'time': expected an ISO 8601 time such as 2020-11-04T03:12:51Z, "
            "got 'yesterday'",
        ),
        (
            "state,time,total,votes_a,votes_b\nPA,2020-11-04T01:00:00,100,60,40\n",
            "feed.csv:2: field 'time': expected a time with a timezone (…Z or +00:00), "
            "got '2020-11-04T01:00:00'",
        ),
        (
            "state,time,total,expected_pct,votes_a,votes_b\nPA,2020-11-04T01:00:00Z,100,140,6,4\n",
            "feed.csv:2: field 'expected_pct': expected a percentage from 0 to 100, got '140'",
        ),
        (
            "state,time,total,votes_a\nPA,2020-11-04T01:00:00Z,100,60\n",
            "feed.csv:2: field 'votes_': expected at least two votes_<candidate> columns, "
            "got 'state,time,total,votes_a'",
        ),
    ],
)
def test_malformed_generic_feed_rows(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_generic_feed(path)
    assert str(info.value).replace(str(tmp_path) + "/", "") == message


def test_malformed_edison_row(tmp_path: Path) -> None:
    src = (data_dir() / "nyt_edison_timeseries_2020.csv").read_text(encoding="utf-8").splitlines()
    cells = src[5].split(",")
    cells[src[0].split(",").index("vote_share_biden")] = "1.7"
    path = tmp_path / "e.csv"
    path.write_text("\n".join([src[0], *src[1:5], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"e\.csv:6: field 'vote_share_biden': expected a share"):
        load_edison(path)


def test_generic_feed_round(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "state,time,total,expected_pct,votes_x,votes_y\nZZ,2024-11-06T01:00:00Z,1000,10,600,390\n",
        encoding="utf-8",
    )
    (u,) = load_generic_feed(path)
    assert (u.state, dict(u.votes), u.total, u.expected_pct) == (
        "ZZ",
        {"x": 600, "y": 390},
        1000,
        10.0,
    )
