"""The ballot manifest loader (Arlo's CSV format): good files; one exact message per bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from consistent_sampler import sampler as oracle

from ballotproof.audit.sampler import Ballot, Batch, draw_sample
from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.manifest import Manifest, load_manifest

MANIFESTS = Path(__file__).resolve().parents[1] / "data" / "manifests"


def load(name: str, **kwargs: str) -> Manifest:
    return load_manifest(MANIFESTS / name, display=name, **kwargs)


def arlo_tuple(b: Ballot) -> tuple[tuple[str | None, str | None, str], int]:
    """The id object Arlo hands to consistent_sampler for this ballot."""
    return ((b.jurisdiction, b.tabulator, b.batch), b.position)


def test_arlo_manifest_with_containers_and_tabulators() -> None:
    m = load("good_arlo.csv", jurisdiction="Fulton")
    assert m.source == "good_arlo.csv"
    assert m.total_ballots == 120 + 95 + 100 + 7
    assert m.batches == (
        Batch("Fulton", "TAB-1", "Batch 1", 120, "Box 1"),
        Batch("Fulton", "TAB-1", "Batch 2", 95, "Box 1"),
        Batch("Fulton", "TAB-2", "Batch 1", 100, "Box 2"),
        Batch("Fulton", "TAB-2", "Dave's batch", 7, "Box 2"),
    )


def test_absent_columns_are_none_and_blank_lines_are_skipped() -> None:
    m = load("good_minimal.csv")
    assert m.batches == (Batch(None, None, "A", 3), Batch(None, None, "B", 2))


def test_jurisdiction_column_allows_the_same_batch_in_two_jurisdictions() -> None:
    m = load("good_jurisdictions.csv")
    assert [b.key for b in m.batches] == [("Fulton", "T1", "B1"), ("DeKalb", "T1", "B1")]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        (
            "bad_duplicate.csv",
            IntegrityError,
            "bad_duplicate.csv:4: field 'Batch Name': batch 'Batch 1' of tabulator 'TAB-1' is "
            "already listed on line 2",
        ),
        (
            # the container is not part of a ballot's id: these two rows would share ids
            "bad_duplicate_other_container.csv",
            IntegrityError,
            "bad_duplicate_other_container.csv:3: field 'Batch Name': batch 'Batch 1' of "
            "tabulator 'TAB-1' is already listed on line 2",
        ),
        ("bad_empty.csv", InputError, "bad_empty.csv:1: the file is empty"),
        (
            "bad_empty_tabulator.csv",
            InputError,
            "bad_empty_tabulator.csv:3: field 'Tabulator': expected a value, got ''",
        ),
        ("bad_extra_field.csv", InputError, "bad_extra_field.csv:2: expected 2 fields, got 3"),
        (
            "bad_missing_count.csv",
            InputError,
            "bad_missing_count.csv:1: field 'Number of Ballots': expected a column named "
            "'Number of Ballots' in the header, got 'Batch Name'",
        ),
        (
            "bad_negative.csv",
            InputError,
            "bad_negative.csv:2: field 'Number of Ballots': expected an integer ≥ 1, got '-3'",
        ),
        ("bad_no_rows.csv", InputError, "bad_no_rows.csv:2: the manifest lists no batches"),
        (
            "bad_not_a_number.csv",
            InputError,
            "bad_not_a_number.csv:2: field 'Number of Ballots': expected an integer ≥ 1, "
            "got 'three'",
        ),
        (
            "bad_thousands.csv",
            InputError,
            "bad_thousands.csv:2: field 'Number of Ballots': expected an integer ≥ 1, got '1,000'",
        ),
        (
            "bad_unknown_column.csv",
            InputError,
            "bad_unknown_column.csv:1: field 'Ballot Type': expected one of Batch Name, "
            "Container, Jurisdiction, Number of Ballots, Tabulator, got 'Ballot Type'",
        ),
        (
            "bad_zero.csv",
            InputError,
            "bad_zero.csv:3: field 'Number of Ballots': expected an integer ≥ 1, got '0'",
        ),
    ],
)
def test_bad_manifests_fail_with_one_exact_line(
    name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        load(name)
    assert type(info.value) is error
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_errors_carry_their_location_as_fields() -> None:
    with pytest.raises(IntegrityError) as info:
        load("bad_duplicate.csv")
    assert (info.value.path, info.value.line, info.value.field) == (
        "bad_duplicate.csv",
        4,
        "Batch Name",
    )


def test_a_jurisdiction_column_and_a_jurisdiction_argument_conflict() -> None:
    with pytest.raises(InputError) as info:
        load("good_jurisdictions.csv", jurisdiction="Fulton")
    assert str(info.value) == (
        "good_jurisdictions.csv:1: field 'Jurisdiction': the file has a Jurisdiction column; "
        "do not also give a jurisdiction"
    )


def test_empty_jurisdiction_argument_is_refused() -> None:
    with pytest.raises(InputError, match=r"^field 'jurisdiction': expected a non-empty name"):
        load("good_minimal.csv", jurisdiction="")


def test_locate_maps_global_indices_to_batch_and_position() -> None:
    m = load("good_arlo.csv")
    assert m.locate(0) == (0, 1)
    assert m.locate(119) == (0, 120)
    assert m.locate(120) == (1, 1)
    assert m.locate(321) == (3, 7)
    assert m.ballot(120 + 95) == Ballot(None, "TAB-2", "Batch 1", 1, "Box 2")
    with pytest.raises(IndexError):
        m.locate(322)
    with pytest.raises(IndexError):
        m.locate(-1)
    which, positions = m.locate_many(np.array([0, 119, 120, 321]))
    assert which.tolist() == [0, 0, 1, 3]
    assert positions.tolist() == [1, 120, 1, 7]


def test_locate_agrees_with_listing_every_ballot() -> None:
    m = load("good_arlo.csv")
    listed = [(i, p) for i, b in enumerate(m.batches) for p in range(1, b.ballots + 1)]
    assert [m.locate(k) for k in range(m.total_ballots)] == listed
    which, positions = m.locate_many(np.arange(m.total_ballots))
    assert list(zip(which.tolist(), positions.tolist(), strict=True)) == listed


def test_manifest_built_directly_refuses_duplicate_batches() -> None:
    with pytest.raises(IntegrityError) as info:
        Manifest("m.csv", (Batch("J", None, "A", 1, "C1"), Batch("J", None, "A", 2, "C2")))
    assert str(info.value) == "m.csv: batch 'A' in 'J' is listed twice (batches 0 and 1)"


def test_a_loaded_manifest_draws_what_arlo_draws() -> None:
    """Arlo: ids ((jurisdiction.name, batch.tabulator, batch.name), position), digits=18."""
    m = load("good_arlo.csv", jurisdiction="Fulton")
    pool = {b.key: list(range(1, b.ballots + 1)) for b in m.batches}
    ids = [(key, position) for key, positions in pool.items() for position in positions]
    expected = list(
        oracle(ids, seed="01234567890123456789", take=40, with_replacement=True, digits=18)
    )
    sample = draw_sample(m.batches, "01234567890123456789", 40)
    assert [(d.ticket, d.id, d.generation) for d in sample.draws] == [
        (t, str(i), g) for t, i, g in expected
    ]
    assert [arlo_tuple(d.ballot) for d in sample.draws] == [i for _, i, _ in expected]
