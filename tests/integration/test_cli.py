"""The ``ballotproof`` command, end to end through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app
from tests.conftest import TESTDATA

runner = CliRunner()


def _json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_results_json() -> None:
    doc = _json("results")
    assert doc["electoral_college"]["electors"] == {"biden": 306, "trump": 232}
    assert doc["electoral_college"]["winner"] == "biden"
    units = {u["unit"]: u for u in doc["units"]}
    assert units["NE-2"]["winner"] == "biden" and units["ME-2"]["winner"] == "trump"
    assert len(units) == 56  # 50 states + DC + 5 districts


def test_margins_json_sorted() -> None:
    units = _json("margins")["units"]
    assert [u["unit"] for u in units[:3]] == ["GA", "AZ", "WI"]
    pct = [u["margin_pct"] for u in units]
    assert pct == sorted(pct)


def test_tipping_point_json() -> None:
    doc = _json("tipping-point")
    assert (doc["unit"], doc["winner"]) == ("WI", "biden")


def test_flip_json() -> None:
    doc = _json("flip")
    assert sorted(u["unit"] for u in doc["deny"]["units"]) == ["AZ", "GA", "WI"]
    assert doc["deny"]["margin_sum"] == 42_918
    assert doc["deny"]["by_switchers"]["switchers"] == doc["deny"]["switchers"]
    assert doc["elect"]["runner_up_electors_after"] >= 270


def test_recounts_json() -> None:
    states = {s["state"]: s for s in _json("recounts")["states"]}
    assert states["GA"]["status"] == "requestable"
    assert states["AZ"]["status"] == "not_eligible"
    assert states["TX"]["status"] == "requestable"  # no ground for electronic results (§ 212.0241)
    assert (
        states["KY"]["status"] == "unknown"
    )  # electors' coverage not established (RECOUNT_RULES.md)
    # no recount statute (MS) or only one a court hearing a contest may order (TN)
    assert states["MS"]["status"] == states["TN"]["status"] == "no_recount"
    assert states["MS"]["rules"][0]["qualifies"] is False


def test_data_option_with_a_generic_folder() -> None:
    doc = _json("results", "--data", str(TESTDATA / "generic" / "swing"))
    assert doc["election"].startswith("2020 presidential election, seven closest")
    assert {u["unit"] for u in doc["units"]} == {
        "AZ",
        "GA",
        "MI",
        "NC",
        "NV",
        "PA",
        "WI",
        "ME",
        "ME-1",
        "ME-2",
    }


def test_export_and_reload_nist(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    result = runner.invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output
    assert _json("results", "--data", str(out))["electoral_college"]["electors"]["biden"] == 306


def test_bad_data_is_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["results", "--data", str(TESTDATA / "bad" / "negative-votes")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "results.csv:8: field 'votes'" in lines[0]
    assert result.stdout == ""


def test_debug_shows_the_exception() -> None:
    result = runner.invoke(
        app, ["--debug", "results", "--data", str(TESTDATA / "bad" / "negative-votes")]
    )
    assert result.exit_code == 1
    assert result.exception is not None and "votes" in str(result.exception)


def test_usage_error_exits_2() -> None:
    result = runner.invoke(app, ["results", "--no-such-option"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "command", ["results", "margins", "tipping-point", "flip", "recounts", "demo", "export"]
)
def test_help_reads(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_human_output_names_the_tipping_point() -> None:
    result = runner.invoke(app, ["tipping-point"])
    assert result.exit_code == 0, result.output
    assert "Wisconsin (WI)" in result.stdout


@pytest.mark.slow
def test_demo_writes_a_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    html = Path(summary["report"]).read_text(encoding="utf-8")
    assert "Wisconsin" in html and "<svg" in html
    page = html.split('id="ballotproof-data"')[0]
    for fetch in ('src="http', "src='http", 'href="http', "url(http", "<link", "<iframe"):
        assert fetch not in page  # nothing is fetched at view time
    docs = json.loads(Path(summary["results"]).read_text(encoding="utf-8"))
    assert docs["tipping_point"]["unit"] == "WI"
    claims = Path(summary["claims_report"]).read_text(encoding="utf-8")
    assert "Claims and the record" in claims and "href='claims/report.html'" in html
    assert not list((tmp_path / "d").glob(".*.tmp"))
    again = runner.invoke(app, ["demo", "--out", str(tmp_path / "e")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "e" / "report.html").read_text(encoding="utf-8") == html  # reproducible


@pytest.mark.parametrize(
    "args",
    [
        ["results", "--json"],
        ["--debug", "tipping-point", "--json"],
        ["timeline", "--state", "GA", "--json"],
        ["audit", "plan", "--help"],
        ["import", "--help"],
    ],
)
def test_console_script_builds_only_the_named_command(args: list[str]) -> None:
    """``main`` hands Typer an app holding just the command (or group) named, for start-up speed;
    its output must be exactly what the whole app prints."""
    from ballotproof.cli.app import _narrowed

    slim = _narrowed(args)
    names = [c.name or c.callback.__name__ for c in slim.registered_commands if c.callback]
    assert len(names) + len(slim.registered_groups) == 1
    whole, narrow = runner.invoke(app, args), runner.invoke(slim, args)
    assert narrow.exit_code == whole.exit_code == 0, narrow.output
    assert narrow.stdout == whole.stdout


@pytest.mark.parametrize("args", [[], ["--help"], ["resultz"], ["--version"]])
def test_console_script_keeps_the_whole_app_without_a_known_command(args: list[str]) -> None:
    from ballotproof.cli.app import _narrowed

    assert _narrowed(args) is app


def test_python_dash_m_reaches_every_command() -> None:
    """``python -m ballotproof.cli.app audit`` once said 'No such command': the audit commands
    register on the importable module's app, not on the ``__main__`` copy."""
    import subprocess
    import sys

    for module in ("ballotproof", "ballotproof.cli.app"):
        done = subprocess.run(
            [sys.executable, "-m", module, "audit", "--help"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "plan" in done.stdout


_HEAVY = (
    "numpy",
    "scipy",
    "sqlalchemy",
    "pandas",
    "matplotlib",
    "fastapi",
    "pydantic",
    "xmlschema",
)


@pytest.mark.parametrize(
    "args",
    [
        ["results", "--json"],
        ["margins", "--json"],
        ["flip", "--json"],
        ["tipping-point"],
        ["recounts"],
        ["timeline", "--state", "GA"],
        ["check", "margin(GA, 2020) < 0.5%"],
    ],
)
def test_results_commands_import_only_what_they_use(args: list[str]) -> None:
    """Issue 11: a results command once spent 93 % of its start importing scipy and SQLAlchemy."""
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        f"sys.argv = ['ballotproof', *{args!r}]\n"
        "from ballotproof.cli.app import main\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
