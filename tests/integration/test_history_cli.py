"""``history``, ``import medsl`` and ``--election`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ballotproof.cli.app import app
from ballotproof.io.medsl import history_dir

runner = CliRunner()


def test_results_for_a_year_says_pledged_and_cast() -> None:
    result = runner.invoke(app, ["results", "--election", "2000", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["electoral_college"]["electors"] == {"bush": 271, "gore": 267}
    cast = {e["key"]: e["electors"] for e in doc["electors_cast"]["electors"]}
    assert cast == {"bush": 271, "gore": 266} and doc["electors_cast"]["abstained"] == 1
    alias = runner.invoke(app, ["tipping-point", "--year", "2000", "--json"])
    assert json.loads(alias.stdout)["unit"] == "FL"


def test_history_json_and_table() -> None:
    result = runner.invoke(app, ["history", "--json", "--election", "2008"])
    assert result.exit_code == 0, result.output
    (year,) = json.loads(result.stdout)["years"]
    assert not year["inversion"] and year["warnings"]  # NE-2 from the record
    table = runner.invoke(app, ["history", "--year", "2000"])
    assert table.exit_code == 0 and "2000" in table.stdout


def test_import_medsl_writes_a_generic_folder(tmp_path: Path) -> None:
    out = tmp_path / "y2000"
    result = runner.invoke(
        app,
        [
            "import",
            "medsl",
            str(history_dir() / "1976-2020-president.csv"),
            str(out),
            "--year",
            "2000",
        ],
    )
    assert result.exit_code == 0, result.output
    flip = runner.invoke(app, ["flip", "--data", str(out), "--json"])
    assert json.loads(flip.stdout)["deny"]["votes"] == 537


def test_unknown_year_is_one_line() -> None:
    result = runner.invoke(app, ["margins", "--election", "1978"])
    assert result.exit_code == 1
    assert "no built-in election 1978" in result.output


def test_a_medsl_file_with_election(tmp_path: Path) -> None:
    medsl = str(history_dir() / "1976-2020-president.csv")
    result = runner.invoke(app, ["results", "--data", medsl, "--election", "1980", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["electoral_college"]["electors"] == {
        "reagan": 489,
        "carter": 49,
    }
    late = runner.invoke(app, ["import", "medsl", medsl, str(tmp_path / "x"), "--year", "2032"])
    assert late.exit_code == 1
    assert "no apportionment" in late.output and "2022 to 2031" in late.output


def test_2020_votes_on_the_2024_map(tmp_path: Path) -> None:
    """The 2020 census moved seven House seats among 13 states (apportionment_changes.csv):
    2020's state winners on the 2024 map give Biden 303 and Trump 235, the figure 270toWin and
    Sabato's Crystal Ball published (Washington Examiner, 2024, as copied at
    https://www.johnlocke.org/biden-trump-face-different-electoral-paths-in-2024/)."""
    import csv

    source = history_dir() / "1976-2020-president.csv"
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r | {"year": "2024"} for r in reader if r["year"] == "2020"]
        fields = list(reader.fieldnames or ())
    medsl = tmp_path / "medsl-2020-as-2024.csv"
    with medsl.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["results", "--data", str(medsl), "--election", "2024", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["electoral_college"]["electors"] == {
        "biden": 303,
        "trump": 235,
    }
