"""The ``ballotproof audit`` commands, through Typer's CliRunner, on the acceptance interface."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import consistent_sampler
import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app
from tests.conftest import TESTDATA

runner = CliRunner()
MANIFEST = TESTDATA / "manifests" / "good_arlo.csv"


def _json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_gives_every_method_and_the_published_numbers() -> None:
    doc = _json(
        "audit",
        "plan",
        "--tally",
        "A=600,B=400",
        "--ballots",
        "1000",
        "--risk-limit",
        "0.10",
        "--reps",
        "100",
    )
    m = doc["methods"]
    assert set(m) == {
        "bravo",
        "minerva",
        "alpha-polling",
        "supersimple",
        "alpha-comparison",
        "macro",
    }
    assert m["bravo"]["asn"] == 119  # Lindeman, Stark & Yates 2012: ASN for 60/40 at 10%
    assert set(m["bravo"]["sizes"]) == {"70%", "80%", "90%"}
    assert m["supersimple"]["no_errors"] == 24  # ⌈−2γ ln α / μ⌉, γ = 1.03905, μ = 0.2


def test_plan_with_discrepancies_for_a_comparison_method() -> None:
    doc = _json(
        "audit",
        "plan",
        "--tally",
        "A=60000,B=40000",
        "--ballots",
        "100000",
        "--method",
        "supersimple",
        "--discrepancies",
        "o1=1,o2=0,u1=0,u2=0",
    )
    ss = doc["methods"]["supersimple"]
    assert (ss["no_errors"], ss["customary_rates"], ss["with_observed"]) == (24, 27, 38)


def test_plan_of_a_tie_is_a_full_hand_count() -> None:
    doc = _json("audit", "plan", "--tally", "A=500,B=500", "--ballots", "1000", "--method", "bravo")
    assert doc["decision"] == "full_hand_count"


def test_risk_of_a_bravo_sample() -> None:
    doc = _json(
        "audit",
        "risk",
        "--method",
        "bravo",
        "--tally",
        "A=600,B=400",
        "--ballots",
        "1000",
        "--sample",
        "A=72,B=47",
    )
    assert abs(doc["pairs"]["A>B"] - 0.071) < 0.0005
    assert doc["may_stop"] is True


def test_sample_matches_consistent_sampler_and_names_the_hashed_id() -> None:
    doc = _json(
        "audit",
        "sample",
        "--manifest",
        str(MANIFEST),
        "--seed",
        "12345678901234567890",
        "--size",
        "12",
    )
    ids = []
    with MANIFEST.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for pos in range(1, int(row["Number of Ballots"]) + 1):
                ids.append(((None, row["Tabulator"], row["Batch Name"]), pos))
    oracle = list(
        consistent_sampler.sampler(
            ids,
            seed="12345678901234567890",
            with_replacement=True,
            take=12,
            output="tuple",
            digits=18,
        )
    )
    assert [(d["ticket"], d["id"], d["generation"]) for d in doc["draws"]] == [
        (t, str(i), g) for t, i, g in oracle
    ]
    first = doc["draws"][0]["ballot"]
    assert set(first) == {"jurisdiction", "container", "tabulator", "batch", "position"}


def test_a_whole_audit_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    start = _json(
        "audit",
        "start",
        "--db",
        str(db),
        "--name",
        "mayor",
        "--manifest",
        str(MANIFEST),
        "--tally",
        "A=200,B=122",
        "--ballots",
        "322",
        "--seed",
        "12345678901234567890",
    )
    assert start["round"] == 1
    retrieval = tmp_path / "r1.csv"
    result = runner.invoke(
        app, ["audit", "sample", "--db", str(db), "--audit", "mayor", "--out", str(retrieval)]
    )
    assert result.exit_code == 0, result.output
    with retrieval.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    keys = [
        (r["Container"], r["Tabulator"], r["Batch Name"], int(r["Ballot Position"])) for r in rows
    ]
    assert keys == sorted(keys)  # retrieval order: container, tabulator, batch, position
    for r in rows:
        r["Interpretation"] = "A"
    with retrieval.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    recorded = _json("audit", "record", str(retrieval), "--db", str(db), "--audit", "mayor")
    assert recorded["decision"] == "confirm"
    status = _json("audit", "status", "--db", str(db), "--audit", "mayor")
    assert status["rounds"][0]["result"]["risk"] <= 0.1
    verified = _json(
        "audit",
        "verify",
        "--db",
        str(db),
        "--audit",
        "mayor",
        "--expect-head",
        status["journal_head"],
    )
    assert verified["ok"] is True
    report = tmp_path / "report.html"
    result = runner.invoke(
        app, ["audit", "report", "--db", str(db), "--audit", "mayor", "--out", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "Risk by round" in report.read_text(encoding="utf-8")


def _start_small(db: Path) -> None:
    """A five-ballot round of a BRAVO audit on the Arlo-format manifest fixture."""
    _json(
        "audit",
        "start",
        "--db",
        str(db),
        "--name",
        "m",
        "--manifest",
        str(MANIFEST),
        "--tally",
        "A=200,B=122",
        "--ballots",
        "322",
        "--seed",
        "1",
        "--round-size",
        "5",
    )


def test_verify_exits_1_when_the_record_was_edited(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "a.db"
    _start_small(db)
    con = sqlite3.connect(db)
    con.execute('update audit set spec=replace(spec, \'"seed":"1"\', \'"seed":"2"\')')
    con.commit()
    result = runner.invoke(app, ["audit", "verify", "--db", str(db), "--audit", "m", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    failed = {c["name"] for c in doc["checks"] if not c["ok"]}
    assert "audit specification matches the journal" in failed
    assert "draws recomputed from manifest and seed" in failed


def test_bad_tally_is_one_line() -> None:
    result = runner.invoke(app, ["audit", "plan", "--tally", "A=6x0", "--ballots", "10"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: field 'tally': expected name=count pairs such as \"A=600,B=400\", got 'A=6x0'"
    ]


def test_georgia_plan_shows_why_polling_needed_a_hand_count() -> None:
    doc = _json("audit", "georgia")
    p = doc["plan"]
    assert p["ballots"] == 5_023_513 and p["margin"] == 12_780
    # BRAVO's 90% round would be over 40% of all ballots; comparison needs about 2,000.
    assert p["bravo"]["sizes"]["90%"] > 0.4 * p["ballots"]
    assert p["supersimple"]["no_errors"] < 2_000


def test_georgia_replay_of_one_county(tmp_path: Path) -> None:
    doc = _json(
        "audit", "georgia", "--county", "FULTON", "--replay", "--db", str(tmp_path / "ga.db")
    )
    replay = doc["replay"]
    assert replay["seed"] == "12345123451234512345"  # Georgia's own public seed
    assert replay["decision"] == "confirm"
    assert replay["rounds"][-1]["result"]["risk"] <= 0.1


def test_export_then_verify_from_the_published_files_alone(tmp_path: Path) -> None:
    db = tmp_path / "ga.db"
    _json("audit", "georgia", "--county", "FULTON", "--replay", "--db", str(db))
    bundle = tmp_path / "published"
    result = runner.invoke(
        app,
        [
            "audit",
            "export",
            "--db",
            str(db),
            "--audit",
            "ga2020-fulton-bravo",
            "--out",
            str(bundle),
        ],
    )
    assert result.exit_code == 0, result.output
    db.unlink()  # the verifier needs nothing but the published files
    doc = _json("audit", "verify", "--published", str(bundle))
    assert doc["ok"] is True
    names = {c["name"] for c in doc["checks"]}
    assert {
        "journal hash chain",
        "manifest matches the journal",
        "interpretations match the journal",
        "draws recomputed from manifest and seed",
        "drawn ballots (with where they are) match the journal",
        "risk and decisions recomputed from the readings",
    } <= names
    # A changed interpretation is caught, and named.
    path = bundle / "interpretations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = (
        lines[1].replace(",biden,", ",trump,")
        if ",biden," in lines[1]
        else lines[1].replace(",trump,", ",biden,")
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--published", str(bundle), "--json"])
    assert result.exit_code == 1
    failed = [c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert failed == [
        "interpretations match the journal",
        "risk and decisions recomputed from the readings",
    ]
    # A different seed in the published spec changes the sample.
    spec = json.loads((bundle / "audit.json").read_text(encoding="utf-8"))
    spec["spec"]["seed"] = "1"
    (bundle / "audit.json").write_text(json.dumps(spec), encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--published", str(bundle), "--json"])
    failed = [c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert {
        "audit specification matches the journal",
        "draws recomputed from manifest and seed",
    } <= set(failed)


def test_plan_macro_from_batch_tallies_and_manifest(tmp_path: Path) -> None:
    """MACRO: ⌈ln α / ln(1 − 1/U)⌉ batches; Arlo's fixture U = 21 gives 29 at α = 25%."""
    import math

    manifest = tmp_path / "m.csv"
    tallies = tmp_path / "t.csv"
    manifest.write_text(
        "Batch Name,Number of Ballots\n" + "".join(f"b{i},100\n" for i in range(50)),
        encoding="utf-8",
    )
    tallies.write_text(
        "Batch Name,A,B\n" + "".join(f"b{i},60,38\n" for i in range(50)), encoding="utf-8"
    )
    doc = _json(
        "audit",
        "plan",
        "--tally",
        "A=3000,B=1900",
        "--ballots",
        "5000",
        "--method",
        "macro",
        "--batch-tallies",
        str(tallies),
        "--manifest",
        str(manifest),
        "--risk-limit",
        "0.1",
    )
    m = doc["methods"]["macro"]
    # u_p = (60 − 38 + 100) / 1100 per batch (Stark 2009), U = 50 · 122/1100.
    big_u = 50 * 122 / 1100
    assert m["total_error_bound"] == pytest.approx(big_u)
    assert m["no_errors"] == math.ceil(math.log(0.1) / math.log(1 - 1 / big_u))
    assert m["padded"] == m["no_errors"] + 1


def test_plan_without_batch_tallies_says_macro_needs_them() -> None:
    doc = _json("audit", "plan", "--tally", "A=600,B=400", "--ballots", "1000", "--method", "macro")
    assert doc["methods"]["macro"]["applicable"] is False


def test_comparison_start_refuses_records_that_report_another_outcome(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,3\n", encoding="utf-8")
    cvrs = str(TESTDATA / "cvrs" / "dominion" / "cvr.csv")
    base = [
        "audit",
        "start",
        "--db",
        str(tmp_path / "c.db"),
        "--name",
        "c",
        "--manifest",
        str(manifest),
        "--seed",
        "7",
        "--method",
        "supersimple",
        "--contest",
        "Mayor",
        "--cvrs",
        cvrs,
    ]
    # The records say Ann 2, Bo 1, Write-in 1; a tally that makes Bo the winner is refused.
    result = runner.invoke(
        app, [*base, "--tally", "Bo Baker=3,Ann Archer=1,Write-in=1", "--ballots", "6"]
    )
    assert result.exit_code == 1
    assert "do not add up to the reported tally" in result.stderr
    result = runner.invoke(
        app, [*base, "--tally", "Ann Archer=2,Bo Baker=1,Write-in=1", "--ballots", "5"]
    )
    assert result.exit_code == 1
    assert "--ballots is 5 but the manifest lists 6" in result.stderr


def test_a_tied_contest_goes_straight_to_a_full_hand_count(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    doc = _json(
        "audit",
        "start",
        "--db",
        str(db),
        "--name",
        "tie",
        "--manifest",
        str(MANIFEST),
        "--tally",
        "A=161,B=161",
        "--ballots",
        "322",
        "--seed",
        "1",
    )
    assert doc["decision"] == "full_hand_count"
    assert not db.exists()  # nothing was drawn, so nothing was stored


def test_record_errors_name_the_file_line_and_field(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _start_small(db)
    sheet = tmp_path / "r.csv"
    result = runner.invoke(
        app, ["audit", "sample", "--db", str(db), "--audit", "m", "--out", str(sheet)]
    )
    assert result.exit_code == 0, result.output
    lines = sheet.read_text(encoding="utf-8").splitlines()
    assert lines[1].endswith(",,")  # Interpretation and Note are left empty for the auditors
    lines[1] = lines[1][:-2] + ",Q,"  # an interpretation that is not a choice
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "record", str(sheet), "--db", str(db), "--audit", "m"])
    assert result.exit_code == 1
    assert (
        f"{sheet}:2: field 'Interpretation': expected one of A, B, blank, not_found, "
        "overvote, got 'Q'" in result.stderr
    )


def _start_macro(tmp_path: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """A MACRO audit of 40 batches of 100 (A 60, B 38 each): its db, round-1 sheet and rows."""
    manifest = tmp_path / "m.csv"
    tallies = tmp_path / "t.csv"
    manifest.write_text(
        "Batch Name,Number of Ballots\n" + "".join(f"b{i:02d},100\n" for i in range(40)),
        encoding="utf-8",
    )
    tallies.write_text(
        "Batch Name,A,B\n" + "".join(f"b{i:02d},60,38\n" for i in range(40)), encoding="utf-8"
    )
    db = tmp_path / "macro.db"
    _json(
        "audit",
        "start",
        "--db",
        str(db),
        "--name",
        "mac",
        "--manifest",
        str(manifest),
        "--tally",
        "A=2400,B=1520",
        "--ballots",
        "4000",
        "--seed",
        "20201103",
        "--method",
        "macro",
        "--batch-tallies",
        str(tallies),
    )
    sheet = tmp_path / "round.csv"
    result = runner.invoke(
        app, ["audit", "sample", "--db", str(db), "--audit", "mac", "--out", str(sheet)]
    )
    assert result.exit_code == 0, result.output
    with sheet.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return db, sheet, rows


def _write_sheet(sheet: Path, rows: list[dict[str, str]]) -> None:
    with sheet.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _batch_audit(tmp_path: Path, *, errors: bool) -> tuple[Path, Any]:
    """Start the MACRO audit and record round 1: as reported, or two votes moved per batch."""
    db, sheet, rows = _start_macro(tmp_path)
    for r in rows:
        r["A"], r["B"] = ("58", "40") if errors else ("60", "38")
    _write_sheet(sheet, rows)
    doc = _json("audit", "record", str(sheet), "--db", str(db), "--audit", "mac")
    return db, doc


def test_batch_comparison_audit_confirms_when_the_hand_count_agrees(tmp_path: Path) -> None:
    import math

    db, doc = _batch_audit(tmp_path, errors=False)
    first = doc["rounds"][0]
    # u_p = (60 − 38 + 100)/880 per batch, U = 40 · 122/880; n = ⌈ln α / ln(1 − 1/U)⌉.
    big_u = 40 * 122 / 880
    assert first["size"] == math.ceil(math.log(0.1) / math.log(1 - 1 / big_u))
    assert doc["decision"] == "confirm"
    assert first["result"]["risk"] == pytest.approx((1 - 1 / big_u) ** first["size"])
    verified = _json("audit", "verify", "--db", str(db), "--audit", "mac")
    assert verified["ok"] is True
    assert "reported batch tallies match the journal's commitment" in {
        c["name"] for c in verified["checks"]
    }


def test_batch_comparison_audit_escalates_on_overstatements(tmp_path: Path) -> None:
    _, doc = _batch_audit(tmp_path, errors=True)
    assert doc["rounds"][0]["result"]["decision"] in ("next_round", "full_hand_count")
    assert doc["rounds"][0]["result"]["risk"] > 0.1


def test_batch_comparison_audit_verifies_from_its_published_files(tmp_path: Path) -> None:
    db, _ = _batch_audit(tmp_path, errors=False)
    bundle = tmp_path / "pub"
    result = runner.invoke(
        app, ["audit", "export", "--db", str(db), "--audit", "mac", "--out", str(bundle)]
    )
    assert result.exit_code == 0, result.output
    db.unlink()
    doc = _json("audit", "verify", "--published", str(bundle))
    assert doc["ok"] is True, doc
    # Changing a published hand count is caught.
    path = bundle / "interpretations.csv"
    text = path.read_text(encoding="utf-8").replace('""A"":60', '""A"":50', 1)
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--published", str(bundle), "--json"])
    assert result.exit_code == 1


def test_published_batch_tallies_are_checked_against_the_journal(tmp_path: Path) -> None:
    """Moving votes between undrawn batches changes no draw and no taint — still caught."""
    db, _ = _batch_audit(tmp_path, errors=False)
    bundle = tmp_path / "pub"
    assert (
        runner.invoke(
            app, ["audit", "export", "--db", str(db), "--audit", "mac", "--out", str(bundle)]
        ).exit_code
        == 0
    )
    path = bundle / "reported_batch_tallies.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    with (bundle / "draws.csv").open(encoding="utf-8") as f:
        drawn = {row["Ballot ID"] for row in csv.DictReader(f)}
    undrawn = [
        i
        for i, line in enumerate(lines[1:], start=1)
        if f"batch '{line.split(',')[0]}'" not in drawn
    ]
    assert len(undrawn) >= 2
    a, b = undrawn[:2]
    lines[a] = lines[a].replace(",60,38", ",61,37")
    lines[b] = lines[b].replace(",60,38", ",59,39")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--published", str(bundle), "--json"])
    assert result.exit_code == 1
    failed = [c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert "reported batch tallies match the journal's commitment" in failed


def test_a_hand_count_larger_than_its_batch_is_refused_with_its_line(tmp_path: Path) -> None:
    db, sheet, rows = _start_macro(tmp_path)
    rows[0]["A"], rows[0]["B"] = "90", "40"
    _write_sheet(sheet, rows[:1])
    result = runner.invoke(app, ["audit", "record", str(sheet), "--db", str(db), "--audit", "mac"])
    assert result.exit_code == 1
    assert f"{sheet}:2: field 'Batch Name': expected at most 100 votes" in result.stderr


def test_a_record_outside_the_manifest_is_named_by_its_imprint_and_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    # Tabulator 6 has batch "9" here, not the records' batch 2.
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,9,3\n", encoding="utf-8")
    cvrs = TESTDATA / "cvrs" / "dominion" / "cvr.csv"
    result = runner.invoke(
        app,
        ["audit", "start", "--db", str(tmp_path / "c.db"), "--name", "c", "--manifest",
         str(manifest), "--seed", "7", "--method", "supersimple", "--contest", "Mayor",
         "--cvrs", str(cvrs), "--tally", "Ann Archer=2,Bo Baker=1,Write-in=1",
         "--ballots", "6"],
    )  # fmt: skip
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line
    # Line 11 of the file is the first record of tabulator 6, batch 2.
    assert line.startswith(
        f"error: {cvrs}:11: field 'ballot': a cast vote record (imprinted id '6-2-1') matches "
        "no ballot of the manifest"
    )
