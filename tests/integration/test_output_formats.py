"""``--format table|json|csv`` and start-up: each command loads only what it uses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app

runner = CliRunner()
TABLE_COMMANDS = ("results", "margins", "tipping-point", "flip", "recounts")


@pytest.mark.parametrize("command", TABLE_COMMANDS)
def test_format_json_is_the_same_document_as_json(command: str) -> None:
    a = runner.invoke(app, [command, "--json"])
    b = runner.invoke(app, [command, "--format", "json"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert json.loads(a.stdout) == json.loads(b.stdout)


@pytest.mark.parametrize("command", TABLE_COMMANDS)
def test_format_csv_is_one_csv_document(command: str) -> None:
    result = runner.invoke(app, [command, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    assert not any("," in cell and cell.replace(",", "").isdigit() for r in rows for cell in r)


def test_csv_figures_are_plain_numbers() -> None:
    result = runner.invoke(app, ["margins", "--format", "csv", "--top", "1"])
    assert result.stdout.splitlines() == [
        "Unit,Winner,Runner-up,Margin,Margin %,Electors",
        "GA,biden,trump,11779,0.236,16",
    ]


def test_json_and_a_different_format_contradict() -> None:
    result = runner.invoke(app, ["results", "--json", "--format", "csv"])
    assert result.exit_code == 2
    assert "--json contradicts --format csv" in result.stderr


@pytest.mark.parametrize("command", TABLE_COMMANDS)
def test_tables_fit_80_columns_and_keep_every_name(command: str) -> None:
    result = runner.invoke(app, [command], env={"COLUMNS": "200"}, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" not in result.stdout
    if command == "results":
        assert "District of Columbia" in result.stdout


def test_a_table_command_does_not_load_what_it_does_not_use() -> None:
    code = (
        "import sys, io\n"
        "sys.argv = ['ballotproof', 'flip', '--json']\n"
        "sys.stdout = io.StringIO()\n"
        "from ballotproof.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout = sys.__stdout__\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    heavy = {"numpy", "scipy", "sqlalchemy", "matplotlib", "fastapi", "rich", "alembic", "jinja2"}
    assert heavy & loaded == set()
    assert not {m for m in loaded if m.startswith(("ballotproof.audit", "ballotproof.store"))}


def test_an_elector_unit_without_votes_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "results.csv").write_text("unit,choice,votes\nWI,a,5\nWI,b,3\n", encoding="utf-8")
    (tmp_path / "units.csv").write_text("unit,electors\nWI,10\nME,2\n", encoding="utf-8")
    result = runner.invoke(app, ["results", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'units.csv'}:3: field 'electors': unit ME awards 2 electors but has "
        f"no votes in contest contest (data: generic CSV folder {tmp_path})\n"
    )


def test_an_elector_unit_without_votes_in_the_contest_names_line_and_contest(
    tmp_path: Path,
) -> None:
    """ME has votes, but only in another contest: the error names the line and the contest."""
    (tmp_path / "results.csv").write_text(
        "contest,unit,choice,votes\npres,WI,a,5\npres,WI,b,3\nsen,ME,a,4\nsen,ME,b,1\n",
        encoding="utf-8",
    )
    (tmp_path / "units.csv").write_text("unit,electors\nWI,10\nME,2\n", encoding="utf-8")
    result = runner.invoke(app, ["results", "--data", str(tmp_path), "--contest", "pres"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'units.csv'}:3: field 'electors': unit ME awards 2 electors but has "
        f"no votes in contest pres (data: generic CSV folder {tmp_path})\n"
    )


def test_a_located_elector_error_is_also_an_analysis_error(tmp_path: Path) -> None:
    """Callers that turn unanswerable questions into answers catch it whatever the loader."""
    from ballotproof.errors import AnalysisError, IntegrityError
    from ballotproof.io.load import load_election
    from ballotproof.results import electoral_college

    (tmp_path / "results.csv").write_text("unit,choice,votes\nWI,a,5\nWI,b,3\n", encoding="utf-8")
    (tmp_path / "units.csv").write_text("unit,electors\nWI,10\nME,2\n", encoding="utf-8")
    with pytest.raises(AnalysisError) as info:
        electoral_college(load_election(tmp_path))
    assert isinstance(info.value, IntegrityError) and info.value.line == 3
