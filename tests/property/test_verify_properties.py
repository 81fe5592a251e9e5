"""Any single edit of a published bundle — one field of one row of any file, or one byte of
the journal or audit.json — makes ``audit verify --published`` fail (property test)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ballotproof.cli.app import app
from ballotproof.usecases.verify import verify_bundle
from tests.conftest import TESTDATA

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison audit with a closed round and a correction, exported."""
    tmp = tmp_path_factory.mktemp("bundle")
    manifest = tmp / "m.csv"
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,3\n", encoding="utf-8")
    db = tmp / "c.db"
    cvrs = str(TESTDATA / "cvrs" / "dominion" / "cvr.csv")
    result = runner.invoke(app, [
        "audit", "start", "--db", str(db), "--name", "cmp", "--manifest", str(manifest),
        "--tally", "Ann Archer=2,Bo Baker=1,Write-in=1", "--ballots", "6", "--seed", "7",
        "--method", "supersimple", "--contest", "Mayor", "--cvrs", cvrs, "--round-size", "3",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = tmp / "r1.csv"
    assert runner.invoke(
        app, ["audit", "sample", "--db", str(db), "--audit", "cmp", "--out", str(sheet)]
    ).exit_code == 0  # fmt: skip
    with sheet.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["Interpretation"] = "Ann Archer"
        row["Note"] = "read by board 1"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    recorded = runner.invoke(
        app, ["audit", "record", str(sheet), "--db", str(db), "--audit", "cmp"]
    )
    assert recorded.exit_code == 0, recorded.output
    out = tmp / "bundle"
    assert runner.invoke(
        app, ["audit", "export", "--db", str(db), "--audit", "cmp", "--out", str(out)]
    ).exit_code == 0  # fmt: skip
    assert all(c.ok for c in verify_bundle(out)), verify_bundle(out)
    return out


CSV_FILES = ["manifest.csv", "draws.csv", "interpretations.csv", "cvrs.csv", "imprints.csv"]


def _edit_csv(path: Path, row: int, column: int, value: str) -> bool:
    """Set one field of one data row; False if that would change nothing."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    data = rows[1:]
    if not data:
        return False
    r = data[row % len(data)]
    c = column % len(r)
    if r[c].strip() == value.strip():
        return False
    r[c] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return True


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(CSV_FILES),
    st.integers(0, 50),
    st.integers(0, 10),
    st.text(alphabet="0123456789ABZabz .-", min_size=1, max_size=6),
)
def test_any_edited_csv_field_fails_verification(
    bundle: Path, name: str, row: int, column: int, value: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "b"
        shutil.copytree(bundle, copy)
        if not (copy / name).exists() or not _edit_csv(copy / name, row, column, value):
            return
        checks = verify_bundle(copy)
        assert not all(c.ok for c in checks), f"{name} row {row} col {column} = {value!r}"


@pytest.mark.parametrize(
    ("name", "column"),
    [("draws.csv", 0), ("draws.csv", 1), ("draws.csv", 4), ("interpretations.csv", 1)],
)
def test_a_number_rewritten_with_a_leading_zero_fails_verification(
    bundle: Path, name: str, column: int, tmp_path: Path
) -> None:
    # Found by the property above: "01" read as 1, so the edit passed.
    copy = tmp_path / "b"
    shutil.copytree(bundle, copy)
    with (copy / name).open(encoding="utf-8", newline="") as f:
        first = list(csv.reader(f))[1]  # the first data row
    assert _edit_csv(copy / name, 0, column, "0" + first[column])
    assert not all(c.ok for c in verify_bundle(copy))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["journal.jsonl", "audit.json"]), st.integers(0, 10**6), st.integers(1, 255))
def test_any_edited_byte_of_the_journal_or_spec_fails_verification(
    bundle: Path, name: str, where: int, delta: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "b"
        shutil.copytree(bundle, copy)
        data = bytearray((copy / name).read_bytes())
        i = where % len(data)
        data[i] = (data[i] + delta) % 256
        if name == "audit.json":
            try:
                if json.loads(bytes(data)) == json.loads((bundle / name).read_bytes()):
                    return  # whitespace: the same document
            except (ValueError, UnicodeDecodeError):
                pass
        (copy / name).write_bytes(bytes(data))
        assert not all(c.ok for c in verify_bundle(copy))
