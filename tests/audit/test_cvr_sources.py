"""A comparison audit's cast vote records in several files, one per county
(:class:`ballotproof.usecases.start.CvrSource`), and the command line's one file unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import Method
from ballotproof.errors import InputError
from ballotproof.usecases.start import CvrSource, prepare_audit

TESTDATA = Path(__file__).resolve().parents[1] / "data"

Card = tuple[str, str, str]  # tabulator, batch, the choice marked ("" for a blank card)


def dominion_csv(cards: Sequence[Card], choices: Sequence[str] = ("Alice", "Bob")) -> bytes:
    """A Dominion CSV export of one contest, Mayor (vote for 1): each card's RecordId counts
    the cards of its batch ``1, 2, …`` (the manifest's positions)."""
    fixed = ["CvrNumber", "TabulatorNum", "BatchId", "RecordId", "ImprintedId", "CountingGroup"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Test election", "5.10.50.85"] + [""] * (len(fixed) + len(choices) - 2))
    w.writerow([""] * len(fixed) + ["Mayor (Vote For=1)"] * len(choices))
    w.writerow([""] * len(fixed) + list(choices))
    w.writerow(fixed + ["NP"] * len(choices))
    seen: dict[tuple[str, str], int] = {}
    for i, (tabulator, batch, choice) in enumerate(cards, start=1):
        seen[(tabulator, batch)] = record = seen.get((tabulator, batch), 0) + 1
        marks = ["1" if c == choice else "0" for c in choices]
        imprint = f"{tabulator}-{batch}-{record}"
        w.writerow([str(i), tabulator, batch, str(record), imprint, "Mail", *marks])
    return out.getvalue().encode()


def in_batches(tabulator: str, choices: Sequence[str], size: int = 5) -> list[Card]:
    """Cards of one tabulator, ``size`` to a batch (batches "1", "2", …)."""
    return [(tabulator, str(1 + i // size), c) for i, c in enumerate(choices)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def two_counties(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A manifest of two counties (tabulator 1, batches 1 and 2 of 5 cards each, in both) and
    each county's records: Fulton 6 Alice, 3 Bob, 1 blank; Cobb 7 Alice, 3 Bob."""
    manifest = _write(
        tmp_path / "manifest.csv",
        b"Jurisdiction,Tabulator,Batch Name,Number of Ballots\n"
        b"Cobb,1,1,5\nCobb,1,2,5\nFulton,1,1,5\nFulton,1,2,5\n",
    )
    fulton = ["Alice"] * 6 + ["Bob"] * 3 + [""]
    cobb = ["Alice"] * 7 + ["Bob"] * 3
    f = _write(tmp_path / "fulton.csv", dominion_csv(in_batches("1", fulton)))
    c = _write(tmp_path / "cobb.csv", dominion_csv(in_batches("1", cobb)))
    return manifest, f, c


CONTEST = AuditContest("Mayor", {"Alice": 13, "Bob": 6}, 20)


def test_two_counties_records_make_one_audit(two_counties: tuple[Path, Path, Path]) -> None:
    manifest, fulton, cobb = two_counties
    new = prepare_audit(
        name="m", contest=CONTEST, manifest=manifest, seed="1", method=Method.SUPERSIMPLE,
        cvr_files=[CvrSource(fulton, "dominion-csv", "Fulton"),
                   CvrSource(cobb, "dominion-csv", "Cobb")],
    )  # fmt: skip
    assert new.cvrs is not None and len(new.cvrs) == 20
    assert new.cvrs["(('Fulton', '1', '2'), 5)"] == "blank"
    assert new.cvrs["(('Cobb', '1', '2'), 5)"] == "Bob"
    assert new.imprints is not None and new.imprints["(('Cobb', '1', '1'), 2)"] == "1-1-2"
    assert new.cvr_source == f"{fulton}, {cobb}" and new.phantom_cvrs == 0


def test_a_ballot_in_two_files_is_refused_naming_both(
    two_counties: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    manifest, fulton, _cobb = two_counties
    # A second file of Fulton's holding a card of batch 2 again.
    again = _write(tmp_path / "fulton-late.csv", dominion_csv([("1", "2", "Bob")]))
    with pytest.raises(InputError) as caught:
        prepare_audit(
            name="m", contest=CONTEST, manifest=manifest, seed="1", method=Method.SUPERSIMPLE,
            cvr_files=[CvrSource(fulton, "dominion-csv", "Fulton", display="fulton.csv"),
                       CvrSource(again, "dominion-csv", "Fulton", display="late.csv")],
        )  # fmt: skip
    message = str(caught.value)
    assert "\n" not in message
    # The second file's line 5 is its first record; the first file's is line 10 (5 + 5).
    assert message.startswith("late.csv:5: field 'ballot': ballot (('Fulton', '1', '2'), 1)")
    assert "in fulton.csv:10 and in late.csv" in message


def test_a_record_matching_no_ballot_names_its_file_and_line(
    two_counties: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    manifest, fulton, _cobb = two_counties
    # Cobb's file has a batch 3 the manifest does not list (its 11th card: line 15).
    cobb = ["Alice"] * 7 + ["Bob"] * 3
    cards = in_batches("1", cobb)
    odd = _write(tmp_path / "cobb-odd.csv", dominion_csv([*cards[:9], ("1", "3", "Bob")]))
    with pytest.raises(InputError) as caught:
        prepare_audit(
            name="m", contest=CONTEST, manifest=manifest, seed="1", method=Method.SUPERSIMPLE,
            cvr_files=[CvrSource(fulton, "dominion-csv", "Fulton"),
                       CvrSource(odd, "dominion-csv", "Cobb", display="Cobb/cvr.csv")],
        )  # fmt: skip
    assert str(caught.value).startswith(
        "Cobb/cvr.csv:14: field 'ballot': a cast vote record (imprinted id '1-3-1') matches no "
        "ballot of the manifest"
    )
    # The tally check names every file.
    with pytest.raises(InputError, match=r"fulton\.csv, .*cobb\.csv: field 'tally'"):
        prepare_audit(
            name="m", contest=AuditContest("Mayor", {"Alice": 14, "Bob": 5}, 20),
            manifest=manifest, seed="1", method=Method.SUPERSIMPLE,
            cvr_files=[CvrSource(fulton, "dominion-csv", "Fulton"),
                       CvrSource(two_counties[2], "dominion-csv", "Cobb")],
        )  # fmt: skip


def test_one_file_on_the_command_line_is_unchanged(tmp_path: Path) -> None:
    """``cvrs=`` gives what the same file as the one :class:`CvrSource` gives, named as given."""
    manifest = _write(tmp_path / "m.csv", b"Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,3\n")
    cvrs = TESTDATA / "cvrs" / "dominion" / "cvr.csv"
    contest = AuditContest("Mayor", {"Ann Archer": 2, "Bo Baker": 1, "Write-in": 1}, 6)
    args = {"name": "c", "contest": contest, "manifest": manifest, "seed": "7",
            "method": Method.SUPERSIMPLE}  # fmt: skip
    one = prepare_audit(**args, cvrs=cvrs)  # type: ignore[arg-type]
    listed = prepare_audit(**args, cvr_files=[CvrSource(cvrs)])  # type: ignore[arg-type]
    assert one == listed
    assert one.cvr_source == str(cvrs) and one.cvrs and one.phantom_cvrs == 6 - len(one.cvrs)
    with pytest.raises(InputError, match="not both"):
        prepare_audit(**args, cvrs=cvrs, cvr_files=[CvrSource(cvrs)])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="--cvrs"):
        prepare_audit(**args)  # type: ignore[arg-type]


def test_records_short_of_the_tally_say_what_each_county_file_holds(
    two_counties: tuple[Path, Path, Path],
) -> None:
    """With one file per county, the tally error says each file's counts, so the county whose
    file is wrong can be found (reported Alice 14, the files hold 6 + 7)."""
    manifest, fulton, cobb = two_counties
    wrong = AuditContest("Mayor", {"Alice": 14, "Bob": 5}, 20)
    with pytest.raises(InputError) as caught:
        prepare_audit(
            name="m", contest=wrong, manifest=manifest, seed="1", method=Method.SUPERSIMPLE,
            cvr_files=[CvrSource(fulton, "dominion-csv", "Fulton", display="fulton.csv"),
                       CvrSource(cobb, "dominion-csv", "Cobb", display="cobb.csv")],
        )  # fmt: skip
    message = str(caught.value)
    assert "records: Alice=13, Bob=6" in message
    assert "by file: cobb.csv: Alice=7, Bob=3; fulton.csv: Alice=6, Bob=3" in message
