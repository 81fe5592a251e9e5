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
            # a "Total" row would be a phantom batch holding half the ballots (the regression)
            "bad_total_row.csv",
            InputError,
            "bad_total_row.csv:6: field 'Batch Name': a total row is not a batch ('Total')",
        ),
        (
            # the label is refused before the count is read, as in Arlo
            "bad_totals_thousands.csv",
            InputError,
            "bad_totals_thousands.csv:5: field 'Batch Name': a total row is not a batch ('Totals')",
        ),
        (
            # every cell counts, not only the batch name
            "bad_total_tabulator.csv",
            InputError,
            "bad_total_tabulator.csv:4: field 'Tabulator': a total row is not a batch "
            "('Grand Total')",
        ),
        (
            # no label, but the last row holds exactly the rows above it
            "bad_final_total_row.csv",
            InputError,
            "bad_final_total_row.csv:5: field 'Number of Ballots': a total row is not a batch "
            "(90 ballots, the sum of the 3 rows above it)",
        ),
        (
            # each jurisdiction's rows are the manifest Arlo would receive from it
            "bad_final_total_jurisdiction.csv",
            InputError,
            "bad_final_total_jurisdiction.csv:5: field 'Number of Ballots': a total row is not a "
            "batch (30 ballots, the sum of the 2 rows of 'Fulton' above it)",
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


def test_a_total_row_is_refused_not_drawn_from() -> None:
    """Regression: a "Total" row was loaded as a batch and drew most of the sample."""
    with pytest.raises(InputError) as info:
        load("bad_total_row.csv")
    assert (info.value.path, info.value.line, info.value.field, info.value.got) == (
        "bad_total_row.csv",
        6,
        "Batch Name",
        None,
    )


# Arlo refuses a row when any cell has one of these words (letters a-z, either case, between
# non-letters or the ends of the cell): total, totals, subtotal, subtotals.
REFUSED_SPELLINGS = [
    "Total",
    "total",
    "TOTAL",
    "Totals",
    "totals",
    "Subtotal",
    "subtotal",
    "SubTotals",
    "SUBTOTALS",
    "Grand Total",
    "Grand total",
    "Total Ballots",
    "total ballots",
    "COUNTY TOTALS",
    "Sub-total",
    "Sub Total",
    "Total:",
    "(total)",
    "Precinct 4 total",
    "Total2",
    "batch_total",
    "Subtotal Road precinct",
]


@pytest.mark.parametrize("label", REFUSED_SPELLINGS)
@pytest.mark.parametrize("column", ["Container", "Tabulator", "Batch Name"])
def test_every_spelling_of_a_total_is_refused_in_any_column(
    tmp_path: Path, label: str, column: str
) -> None:
    cells = {"Container": "Box 1", "Tabulator": "TAB-1", "Batch Name": "B2"} | {column: label}
    path = tmp_path / "manifest.csv"
    path.write_text(
        "Container,Tabulator,Batch Name,Number of Ballots\n"
        "Box 1,TAB-1,B1,20\n"
        f'"{cells["Container"]}","{cells["Tabulator"]}","{cells["Batch Name"]}",30\n'
        "Box 1,TAB-1,B3,40\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_manifest(path, display="manifest.csv")
    assert str(info.value) == (
        f"manifest.csv:3: field '{column}': a total row is not a batch ({label!r})"
    )


def test_a_total_in_the_jurisdiction_or_count_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Jurisdiction,Batch Name,Number of Ballots\nFulton,B1,3\nTotal,B1,3\n")
    with pytest.raises(InputError, match=r"^m\.csv:3: field 'Jurisdiction': a total row"):
        load_manifest(path, display="m.csv")
    path.write_text("Batch Name,Number of Ballots\nB1,3\nB2,total\n")
    with pytest.raises(InputError, match=r"^m\.csv:3: field 'Number of Ballots': a total row"):
        load_manifest(path, display="m.csv")


def test_an_empty_cell_is_reported_before_a_total_as_in_arlo(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Tabulator,Batch Name,Number of Ballots\nT1,B1,3\n,Total,3\n")
    with pytest.raises(InputError) as info:
        load_manifest(path, display="m.csv")
    assert str(info.value) == "m.csv:3: field 'Tabulator': expected a value, got ''"


def test_names_that_only_contain_the_letters_of_total_are_batches() -> None:
    """Arlo accepts these: the word must stand alone, not begin a longer word."""
    m = load("good_total_like_names.csv")
    assert [(b.container, b.tabulator, b.name) for b in m.batches] == [
        ("Subtotaled boxes", "Totalizer 3", "Grandtotal"),
        ("Totally Secure Vault", "Totalizer 3", "Totten Road"),
        ("Box 3", "TOT-1", "Batch 7"),
        ("Box 3", "TOT-1", "Batch 8"),
    ]


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        # Arlo looks at the last row only, and only when there are more than two rows
        ("good_middle_sum.csv", [10, 20, 30, 5]),
        ("good_two_rows_equal.csv", [10, 10]),
        # 30 = 10 + 20, but Fulton and DeKalb each upload their own manifest to Arlo
        ("good_jurisdiction_sums.csv", [10, 20, 30]),
    ],
)
def test_counts_that_merely_add_up_are_not_a_total_row(name: str, counts: list[int]) -> None:
    assert [b.ballots for b in load(name).batches] == counts


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
