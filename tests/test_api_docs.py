"""docs/api.md is true: every example in it runs, as a doctest, against the built-in data;
and the package exports exactly the documented API, without importing it up front."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

import ballotproof

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_api_examples_run() -> None:
    result = doctest.testfile(
        str(API),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.attempted > 20
    assert result.failed == 0


def test_every_exported_name_is_documented_and_exists() -> None:
    text = API.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # the examples are checked above
    spans = re.findall(r"`([^`]+)`", prose)
    documented = {word for span in spans for word in re.findall(r"\w+", span)}
    for name in ballotproof.__all__:
        assert hasattr(ballotproof, name), name
        if name != "__version__":
            assert name in documented, f"{name} is exported but not in docs/api.md"


def test_import_is_lazy() -> None:
    code = "import sys, ballotproof; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert {m for m in loaded if m.startswith("ballotproof.")} == {"ballotproof.errors"}
    assert "numpy" not in loaded


def test_start_audit_passes_text_options_as_text_and_file_options_as_paths(tmp_path: Path) -> None:
    """``jurisdiction`` stays a name (it was once turned into a path); ``cvrs`` becomes one."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "Tabulator,Batch Name,Number of Ballots\nT1,B1,600\nT2,B1,400\n", encoding="utf-8"
    )
    contest = ballotproof.AuditContest("Mayor", {"A": 600, "B": 400}, ballots=1000)
    status = ballotproof.start_audit(
        tmp_path / "a.db",
        name="m",
        contest=contest,
        manifest=str(manifest),
        seed="12345678901234567890",
        jurisdiction="Lake",
    )
    sheet = ballotproof.retrieval_sheet(tmp_path / "a.db", "m")
    assert sheet.splitlines()[1].startswith("Lake,")  # the jurisdiction column, as given
    assert status.round_sizes[0] > 0


def test_start_audit_names_an_unknown_method(tmp_path: Path) -> None:
    import pytest

    contest = ballotproof.AuditContest("Mayor", {"A": 600, "B": 400}, ballots=1000)
    with pytest.raises(ballotproof.InputError, match=r"field 'method'.*got 'bravoo'"):
        ballotproof.start_audit(
            tmp_path / "a.db", name="m", contest=contest, manifest=tmp_path / "m.csv",
            seed="1", method="bravoo",
        )  # fmt: skip
    assert not (tmp_path / "a.db").exists()  # nothing was written
