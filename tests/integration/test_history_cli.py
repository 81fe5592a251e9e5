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
    late = runner.invoke(app, ["import", "medsl", medsl, str(tmp_path / "x"), "--year", "2024"])
    assert late.exit_code == 1
    assert "2022 apportionment" in late.output
