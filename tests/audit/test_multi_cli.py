"""A stored multi-contest audit (``--method shangrla-comparison``) through the command line:
start from a Dominion CVR export with card styles and a contests file, sample, record JSON
readings, status, verify (store and published bundle)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app

runner = CliRunner()

MAYOR = ["Ann Archer", "Bo Baker", "Write-in"]
COUNCIL = ["Cy Cole", "Di Dunn", "Ed Estes"]
MEASURE = ["Yes", "No"]
PER_BATCH = 300


def _card(i: int) -> dict[str, list[str]]:
    """Card i's votes: every card has Mayor and Council; City cards (even i) also Measure A."""
    card = {
        "Mayor": [MAYOR[0] if i % 10 < 6 else MAYOR[1] if i % 10 < 9 else MAYOR[2]],
        "City Council At Large": [
            [COUNCIL[0], COUNCIL[1]],
            [COUNCIL[0], COUNCIL[2]],
            [COUNCIL[1]],
            [COUNCIL[0], COUNCIL[1]],
        ][i % 4],
    }
    if i % 2 == 0:
        card["Measure A"] = ["Yes"] if i % 8 else ["No"]
    return card


def _write_inputs(tmp: Path, *, measure_targeted: bool = False) -> dict[str, Path]:
    rows = [
        ["Test Election", "5.10.50.85", *[""] * 14],
        [""] * 8
        + ["Mayor (Vote For=1)"] * 3
        + ["City Council At Large (Vote For=2)"] * 3
        + ["Measure A (Vote For=1)"] * 2,
        [""] * 8 + MAYOR + COUNCIL + MEASURE,
        ["CvrNumber", "TabulatorNum", "BatchId", "RecordId", "ImprintedId", "CountingGroup",
         "PrecinctPortion", "BallotType", *[""] * 8],
    ]  # fmt: skip
    cards: dict[tuple[str, str, int], dict[str, list[str]]] = {}
    n = 0
    for tab, batch in (("5", "1"), ("6", "2")):
        for pos in range(1, PER_BATCH + 1):
            card = _card(n)
            cards[(tab, batch, pos)] = card
            marks = [
                *(int(c in card["Mayor"]) for c in MAYOR),
                *(int(c in card["City Council At Large"]) for c in COUNCIL),
                *(
                    (int(c in card["Measure A"]) for c in MEASURE)
                    if "Measure A" in card
                    else ["", ""]
                ),
            ]
            kind = "City" if "Measure A" in card else "County"
            rows.append(
                [
                    str(n + 1),
                    tab,
                    batch,
                    str(pos),
                    f"{tab}-{batch}-{pos}",
                    "Mail",
                    "P1",
                    kind,
                    *map(str, marks),
                ]
            )
            n += 1
    cvr = tmp / "cvr.csv"
    with cvr.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    manifest = tmp / "manifest.csv"
    manifest.write_text(
        f"Tabulator,Batch Name,Number of Ballots\n5,1,{PER_BATCH}\n6,2,{PER_BATCH}\n",
        encoding="utf-8",
    )
    contests = tmp / "contests.json"
    contests.write_text(
        json.dumps(
            {
                "contests": [
                    {"name": "Mayor", "winners": ["Ann Archer"]},
                    {"name": "City Council At Large", "winners": ["Cy Cole", "Di Dunn"]},
                    {
                        "name": "Measure A",
                        "rule": "supermajority",
                        "share_to_win": "2/3",
                        "winners": ["Yes"],
                        "targeted": measure_targeted,
                    },
                ]
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    (tmp / "cards.json").write_text(
        json.dumps({"|".join(map(str, k)): v for k, v in cards.items()}), encoding="utf-8"
    )
    return {"cvr": cvr, "manifest": manifest, "contests": contests}


def _run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def _start(tmp: Path, db: Path, files: dict[str, Path]) -> Any:
    result = _run(
        "audit", "start", "--db", str(db), "--name", "multi", "--manifest",
        str(files["manifest"]), "--seed", "12345678901234567890", "--method",
        "shangrla-comparison", "--contests", str(files["contests"]), "--cvrs",
        str(files["cvr"]), "--risk-limit", "0.05", "--json",
    )  # fmt: skip
    return json.loads(result.stdout)


def _fill(tmp: Path, db: Path, change: dict[int, str] | None = None) -> Path:
    """The round's retrieval list, each card read as its CVR says (``change``: row → reading)."""
    sheet = tmp / "round.csv"
    _run("audit", "sample", "--db", str(db), "--audit", "multi", "--out", str(sheet))
    cards = json.loads((tmp / "cards.json").read_text(encoding="utf-8"))
    with sheet.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    audited = {c["name"] for c in json.loads((tmp / "contests.json").read_text())["contests"]}
    for k, row in enumerate(rows):
        key = f"{row['Tabulator']}|{row['Batch Name']}|{row['Ballot Position']}"
        if row["Interpretation"]:  # filled by the list: a card with no audited contest
            continue
        card = {c: v for c, v in cards[key].items() if c in audited}
        row["Interpretation"] = (change or {}).get(k, json.dumps(card))
    with sheet.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return sheet


def test_a_multi_contest_audit_confirms_every_targeted_contest_and_verifies(
    tmp_path: Path,
) -> None:
    files = _write_inputs(tmp_path)
    db = tmp_path / "a.db"
    started = _start(tmp_path, db, files)
    assert started["round"] == 1 and started["size"] > 0
    sheet = _fill(tmp_path, db)
    doc = json.loads(
        _run("audit", "record", str(sheet), "--db", str(db), "--audit", "multi", "--json").stdout
    )
    result = doc["rounds"][0]["result"]
    assert result["decision"] == "confirm", result
    risks = result["pair_risks"]
    for contest in ("Mayor", "City Council At Large", "Measure A"):
        assert contest in risks  # every contest's risk, opportunistic ones too
    assert risks["Mayor"] <= 0.05 and risks["City Council At Large"] <= 0.05
    assert result["risk"] == max(risks["Mayor"], risks["City Council At Large"])
    assert result["sample"]["Measure A"] < result["size"]  # card style: City cards only
    status = json.loads(
        _run("audit", "status", "--db", str(db), "--audit", "multi", "--json").stdout
    )
    shown = {c["contest"]: (c["targeted"], c["risk"]) for c in status["contests"]}
    assert shown == {
        "Mayor": (True, risks["Mayor"]),
        "City Council At Large": (True, risks["City Council At Large"]),
        "Measure A": (False, risks["Measure A"]),
    }
    page = tmp_path / "report.html"
    _run("audit", "report", "--db", str(db), "--audit", "multi", "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert '<table id="contests"' in html and "opportunistic" in html
    assert f"{risks['Measure A']:.4g}" in html
    checks = json.loads(
        _run("audit", "verify", "--db", str(db), "--audit", "multi", "--json").stdout
    )
    assert all(c["ok"] for c in checks["checks"]), checks
    out = tmp_path / "bundle"
    _run("audit", "export", "--db", str(db), "--audit", "multi", "--out", str(out))
    published = json.loads(_run("audit", "verify", "--published", str(out), "--json").stdout)
    assert all(c["ok"] for c in published["checks"]), published


def test_not_found_cards_keep_the_audit_going(tmp_path: Path) -> None:
    files = _write_inputs(tmp_path)
    db = tmp_path / "a.db"
    _start(tmp_path, db, files)
    sheet = _fill(tmp_path, db, change={0: "not_found", 1: "not_found"})
    doc = json.loads(
        _run("audit", "record", str(sheet), "--db", str(db), "--audit", "multi", "--json").stdout
    )
    first = doc["rounds"][0]["result"]
    assert first["sample"]["not_found"] == 2
    assert first["decision"] == "next_round"
    assert doc["rounds"][1]["size"] > first["size"]


@pytest.mark.parametrize(
    ("reading", "message"),
    [
        ('{"Sheriff": ["X"]}', "'Sheriff' in a reading is not a contest of the audit"),
        ('{"Mayor": ["Nobody"]}', "contest 'Mayor' in a reading takes distinct choices"),
        ("Ann Archer", "is not_found or a JSON object"),
    ],
)
def test_a_bad_reading_is_one_line_naming_file_line_and_field(
    tmp_path: Path, reading: str, message: str
) -> None:
    files = _write_inputs(tmp_path)
    db = tmp_path / "a.db"
    _start(tmp_path, db, files)
    sheet = _fill(tmp_path, db, change={2: reading})
    result = _run("audit", "record", str(sheet), "--db", str(db), "--audit", "multi", code=1)
    line = result.stderr.strip()
    assert "\n" not in line
    assert f"{sheet}:4: field 'Interpretation'" in line and message in line


def test_a_contests_file_error_names_the_line_and_field(tmp_path: Path) -> None:
    files = _write_inputs(tmp_path)
    text = files["contests"].read_text(encoding="utf-8").replace('"Di Dunn"', '"Zed"')
    files["contests"].write_text(text, encoding="utf-8")
    result = runner.invoke(
        app,
        ["audit", "start", "--db", str(tmp_path / "a.db"), "--name", "m", "--manifest",
         str(files["manifest"]), "--seed", "1", "--method", "shangrla-comparison",
         "--contests", str(files["contests"]), "--cvrs", str(files["cvr"])],
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"{files['contests']}:" in result.stderr and "winner" in result.stderr


def test_verify_recomputes_each_contests_cards_and_margins_from_the_records(
    tmp_path: Path,
) -> None:
    """A specification whose stated margin the CVRs do not give is caught, even when the
    journal agrees with it (the margin was wrong from the start)."""
    from dataclasses import replace
    from fractions import Fraction

    from ballotproof.audit.multi import reported_problems
    from ballotproof.store import open_store

    files = _write_inputs(tmp_path)
    db = tmp_path / "a.db"
    _start(tmp_path, db, files)
    stored = open_store(str(db), create=False).load("multi")
    frame = sum(b.ballots for b in stored.batches)
    assert reported_problems(stored.spec, stored.cvrs, frame) == []
    key = ("Mayor", "Ann Archer v Bo Baker")
    wrong = replace(stored.spec, margins={**stored.spec.margins, key: Fraction(1, 2)})
    (problem,) = reported_problems(wrong, stored.cvrs, frame)
    assert "'Mayor', Ann Archer v Bo Baker: margin 1/2 stated, the records give 3/10" in problem
    assert reported_problems(stored.spec, stored.cvrs, frame + 1)[0].startswith(
        "contest 'Mayor': 600 cards stated, the records give 601"
    )


def test_specifications_of_the_other_methods_keep_their_keys() -> None:
    """Stored audits of earlier versions hash their specification: a method that names no
    contests writes exactly the keys it always wrote."""
    from ballotproof.audit.contest import AuditContest
    from ballotproof.audit.process import AuditSpec, Method, spec_from_json, spec_to_json

    for method in Method:
        if method is Method.SHANGRLA_COMPARISON:
            continue
        spec = AuditSpec("x", AuditContest("c", {"A": 60, "B": 40}, 100), 0.1, method, "1")
        doc = spec_to_json(spec)
        assert set(doc) <= {
            "name", "contest", "risk_limit", "method", "seed", "stop_probability",
            "phantoms", "round_rule",
        }  # fmt: skip
        assert spec_to_json(spec_from_json(doc)) == doc


def test_phantoms_and_cards_without_records_count_in_every_contest(tmp_path: Path) -> None:
    """Ten cards cast beyond the manifest (phantoms) and the manifest's cards without a
    record are in every contest's N_c, as phantom records with no vote."""
    files = _write_inputs(tmp_path)
    lines = files["cvr"].read_text(encoding="utf-8").splitlines(keepends=True)
    files["cvr"].write_text("".join(lines[:-5]), encoding="utf-8")  # 5 cards lose their record
    db = tmp_path / "a.db"
    _run(
        "audit", "start", "--db", str(db), "--name", "multi", "--manifest",
        str(files["manifest"]), "--seed", "1", "--method", "shangrla-comparison",
        "--contests", str(files["contests"]), "--cvrs", str(files["cvr"]),
        "--ballots", str(2 * PER_BATCH + 10), "--allow-phantoms",
    )  # fmt: skip
    status = json.loads(
        _run("audit", "status", "--db", str(db), "--audit", "multi", "--json").stdout
    )
    cards = {c["contest"]: c["cards"] for c in status["contests"]}
    # Mayor: 595 records + 5 without + 10 phantoms; Measure A: on 300 cards, of which the
    # last five (cards 595–599: the even ones, 596 and 598, have it) lost their record.
    assert cards["Mayor"] == 610
    assert cards["Measure A"] == 300 - 2 + 5 + 10
    assert status["phantoms"] == 10


def test_cards_without_an_audited_contest_are_not_pulled(tmp_path: Path) -> None:
    """Card style: auditing Measure A alone, the County cards (no Measure A on their record)
    that are drawn are listed as not pulled, read {} and count for no contest."""
    files = _write_inputs(tmp_path)
    files["contests"].write_text(
        json.dumps(
            {"contests": [{"name": "Measure A", "rule": "supermajority", "share_to_win": "2/3",
                           "winners": ["Yes"]}]}
        ),
        encoding="utf-8",
    )  # fmt: skip
    db = tmp_path / "a.db"
    _start(tmp_path, db, files)
    sheet = _fill(tmp_path, db)
    with sheet.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    skipped = [r for r in rows if r["Already Read"].startswith("no contest of the audit")]
    assert skipped and all(r["Interpretation"] == "{}" for r in skipped)
    assert all(int(r["Ballot Position"]) % 2 == 0 for r in skipped if r["Batch Name"] == "1")
    doc = json.loads(
        _run("audit", "record", str(sheet), "--db", str(db), "--audit", "multi", "--json").stdout
    )
    result = doc["rounds"][0]["result"]
    assert result["sample"]["Measure A"] == result["size"] - sum(
        int(r["Times Drawn"]) for r in skipped
    )


def test_a_vendor_export_gives_each_contests_cards_and_margins(tmp_path: Path) -> None:
    """The Dominion CSV fixture (six cards, City and County styles, one overvote in each of
    Mayor and Council) with a manifest of seven cards: one card has no record.  Counted by
    hand: Mayor (N = 6 + 1) Ann 2, Bo 1, Write-in 1, card 3 overvoted; Council (vote for 2,
    N = 7) Cy 2, Di 3, Ed 2, card 3 overvoted; Measure A on the four City cards (N = 4 + 1)
    Yes 2, No 1, one blank.  Plurality v = (v_w − v_ℓ)/N; the supermajority at f = 1/2 has
    a = 1, 0, 1/2 for Yes, No, blank or phantom, so v = 2·(2 + 2·½)/5 − 1 = 1/5."""
    from fractions import Fraction

    from ballotproof.usecases.start import prepare_multi_audit

    cvr = Path(__file__).parents[1] / "data" / "cvrs" / "dominion" / "cvr.csv"
    manifest = tmp_path / "m.csv"
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,4\n", encoding="utf-8")
    contests = tmp_path / "c.json"
    entries = [
        {"name": "Mayor", "winners": ["Ann Archer"]},
        {"name": "City Council At Large", "winners": ["Di Dunn", "Cy Cole"], "targeted": False},
        {"name": "Measure A", "rule": "supermajority", "share_to_win": "1/2", "winners": ["Yes"]},
    ]
    contests.write_text(json.dumps({"contests": entries}), encoding="utf-8")
    new = prepare_multi_audit(name="v", contests=contests, manifest=manifest, cvrs=cvr, seed="1")
    assert {c.name: c.cards for c in new.spec.contests} == {
        "Mayor": 7, "City Council At Large": 7, "Measure A": 5,
    }  # fmt: skip
    assert dict(new.spec.margins) == {
        ("Mayor", "Ann Archer v Bo Baker"): Fraction(1, 7),
        ("Mayor", "Ann Archer v Write-in"): Fraction(1, 7),
        ("City Council At Large", "Di Dunn v Ed Estes"): Fraction(1, 7),
        ("City Council At Large", "Cy Cole v Ed Estes"): Fraction(0),
        ("Measure A", "Yes v all others"): Fraction(1, 5),
    }
    assert new.phantom_cvrs == 1
    # Council's Cy–Ed tie cannot be confirmed; only reported, it does not stop the audit, but
    # seven cards are too few for any sample to help.
    assert new.full_hand_count is not None and "as many as there are cards" in new.full_hand_count
    entries[1]["targeted"] = True
    contests.write_text(json.dumps({"contests": entries}), encoding="utf-8")
    new = prepare_multi_audit(name="v", contests=contests, manifest=manifest, cvrs=cvr, seed="1")
    assert new.full_hand_count == (
        "the CVRs do not show the reported winners of City Council At Large: Cy Cole v Ed Estes"
    )


def test_a_multi_contest_audit_draws_with_replacement(tmp_path: Path) -> None:
    """Only ALPHA audits may draw distinct ballots: --without-replacement with
    shangrla-comparison is a usage error, and its specification refuses replacement=False."""
    from dataclasses import replace

    from ballotproof.audit.process import spec_to_json
    from ballotproof.errors import AnalysisError
    from ballotproof.store import open_store

    files = _write_inputs(tmp_path)
    result = _run(
        "audit", "start", "--db", str(tmp_path / "a.db"), "--name", "m", "--manifest",
        str(files["manifest"]), "--seed", "1", "--method", "shangrla-comparison",
        "--contests", str(files["contests"]), "--cvrs", str(files["cvr"]),
        "--without-replacement", code=2,
    )  # fmt: skip
    assert "only alpha and alpha-comparison" in result.output
    db = tmp_path / "b.db"
    _start(tmp_path, db, files)
    spec = open_store(str(db), create=False).load("multi").spec
    assert spec.replacement and "replacement" not in spec_to_json(spec)
    with pytest.raises(AnalysisError, match="only alpha and alpha-comparison"):
        replace(spec, replacement=False)
