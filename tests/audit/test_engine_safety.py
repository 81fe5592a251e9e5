"""Regression tests for the audit engine's safety defects (audit-engine issue), each failing on
the code before its fix: short manifests and phantoms, bundle commitments, Arlo manifests with
--jurisdiction, damaged journals and exit codes, retrieval lists of later rounds, overvotes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import consistent_sampler
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import (
    NOT_FOUND,
    OVERVOTE,
    PHANTOM,
    AuditSpec,
    Method,
    evaluate,
    first_round_size,
)
from ballotproof.cli.app import app
from ballotproof.store import open_store
from tests.conftest import TESTDATA

runner = CliRunner()
MANIFEST = TESTDATA / "manifests" / "good_arlo.csv"  # 322 ballots, no Jurisdiction column


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def _manifest(path: Path, sizes: list[int]) -> Path:
    path.write_text(
        "Tabulator,Batch Name,Number of Ballots\n"
        + "".join(f"T1,B{i},{n}\n" for i, n in enumerate(sizes)),
        encoding="utf-8",
    )
    return path


def _start(db: Path, manifest: Path, *extra: str, tally: str = "A=700,B=300") -> Any:
    return _invoke(
        "audit",
        "start",
        "--db",
        str(db),
        "--name",
        "t",
        "--manifest",
        str(manifest),
        "--tally",
        tally,
        "--ballots",
        "1200",
        "--seed",
        "12345678901234567890",
        "--json",
        *extra,
    )


# --- 1. short manifests -------------------------------------------------------------------------


def test_a_manifest_short_of_the_ballots_cast_is_refused(tmp_path: Path) -> None:
    m = _manifest(tmp_path / "m.csv", [500, 500])  # 1,000 listed, 1,200 cast
    result = _start(tmp_path / "a.db", m)
    assert result.exit_code == 1
    assert "200 ballots could never be drawn" in result.stderr
    assert "--allow-phantoms" in result.stderr
    assert str(m) in result.stderr and "Number of Ballots" in result.stderr
    assert not (tmp_path / "a.db").exists() or open_store(tmp_path / "a.db").names() == []


def test_phantoms_read_as_not_found_and_cannot_be_recorded(tmp_path: Path) -> None:
    m = _manifest(tmp_path / "m.csv", [500, 500])
    db = tmp_path / "a.db"
    result = _start(db, m, "--allow-phantoms", "--round-size", "300")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["phantoms"] == 200
    store = open_store(db)
    audit = store.load("t")
    phantoms = [d for d in audit.draws if audit.is_phantom(d)]
    assert phantoms  # 300 draws from 1,200 ballots of which 200 are phantoms
    from ballotproof.errors import StoreError

    with pytest.raises(StoreError, match="is a phantom"):
        store.record("t", [(phantoms[0].ballot_id, "A", "")], now="t1")
    # Every real ballot reads A: the phantoms are what keep the risk up.
    rows = {d.ballot_id: (d.ballot_id, "A", "") for d in audit.missing()}
    status, _, _ = store.record("t", list(rows.values()), now="t1")
    result = status.results[0]
    assert result is not None
    assert result.sample[NOT_FOUND] == len(phantoms)
    assert all(c.ok for c in store.verify("t"))
    # The same round with the phantoms read as A would have a smaller risk.
    spec = store.status("t").spec
    as_a = evaluate(spec, [["A"] * len(audit.round_draws(1))])[0]
    assert result.risk > as_a.risk
    # The published bundle carries the phantoms too.
    out = tmp_path / "bundle"
    assert (
        _invoke("audit", "export", "--db", str(db), "--audit", "t", "--out", str(out)).exit_code
        == 0
    )
    assert _invoke("audit", "verify", "--published", str(out)).exit_code == 0


def _wrong_outcome_rate(phantoms: bool, trials: int, seed: int) -> float:
    """Reported A 6,300 to B 5,700 of 12,000; in truth the 10,000 ballots in the manifest are
    A 5,200, B 4,800 and the 2,000 left out are all B: B won. BRAVO, α = 10 %, rounds as the
    stored audit sizes them."""
    contest = AuditContest("c", {"A": 6300, "B": 5700}, 12_000)
    spec = AuditSpec("s", contest, 0.1, Method.BRAVO, "1", phantoms=2000 if phantoms else 0)
    population = np.array([0] * 5200 + [1] * 4800 + ([2] * 2000 if phantoms else []))
    names = np.array(["A", "B", NOT_FOUND])
    rng = np.random.default_rng(seed)
    confirmed = 0
    for _ in range(trials):
        rounds: list[list[str]] = []
        target: int | None = first_round_size(spec)
        while target is not None:
            have = sum(len(r) for r in rounds)
            rounds.append(list(names[population[rng.integers(0, population.size, target - have)]]))
            last = evaluate(spec, rounds)[-1]
            confirmed += last.decision is Decision.CONFIRM
            target = last.next_size
    return confirmed / trials


@pytest.mark.slow
def test_phantoms_keep_a_wrong_outcome_from_being_confirmed() -> None:
    # Without phantoms (the old behaviour) the wrong winner is confirmed most of the time.
    assert _wrong_outcome_rate(False, 60, 1) > 0.5
    # With the missing ballots as phantoms, at most α of the time (Bañuelos & Stark 2012).
    assert _wrong_outcome_rate(True, 300, 2) <= 0.1


@given(
    st.lists(st.sampled_from(["A", "B", "blank", OVERVOTE]), min_size=1, max_size=60),
    st.sets(st.integers(0, 59)),
)
def test_phantoms_never_lower_the_risk(readings: list[str], where: set[int]) -> None:
    contest = AuditContest("c", {"A": 600, "B": 350}, 1000)
    spec = AuditSpec("s", contest, 0.1, Method.BRAVO, "1")
    with_phantoms = [NOT_FOUND if i in where else r for i, r in enumerate(readings)]
    assert evaluate(spec, [with_phantoms])[0].risk >= evaluate(spec, [readings])[0].risk
    cmp = AuditSpec("s", contest, 0.1, Method.SUPERSIMPLE, "1")
    cvrs = [r if r in ("A", "B") else "blank" for r in readings]
    phantom_cvrs = [PHANTOM if i in where else c for i, c in enumerate(cvrs)]
    assert (
        evaluate(cmp, [readings], [phantom_cvrs])[0].risk
        >= evaluate(cmp, [readings], [cvrs])[0].risk
    )


# --- 2. bundles: every file against the journal ----------------------------------------------


def _comparison_bundle(tmp_path: Path) -> Path:
    manifest = tmp_path / "m.csv"
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,3\n", encoding="utf-8")
    db = tmp_path / "c.db"
    cvrs = str(TESTDATA / "cvrs" / "dominion" / "cvr.csv")
    result = _invoke(
        "audit", "start", "--db", str(db), "--name", "cmp", "--manifest", str(manifest),
        "--tally", "Ann Archer=2,Bo Baker=1,Write-in=1", "--ballots", "6", "--seed", "7",
        "--method", "supersimple", "--contest", "Mayor", "--cvrs", cvrs, "--round-size", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = tmp_path / "bundle"
    assert (
        _invoke("audit", "export", "--db", str(db), "--audit", "cmp", "--out", str(out)).exit_code
        == 0
    )
    return out


def test_an_undrawn_cvr_edited_with_its_hash_is_caught(tmp_path: Path) -> None:
    from ballotproof.audit.journal import cvr_digest

    out = _comparison_bundle(tmp_path)
    assert _invoke("audit", "verify", "--published", str(out)).exit_code == 0
    drawn = {r["Ballot ID"] for r in _rows(out / "draws.csv")}
    rows = _rows(out / "cvrs.csv")
    target = next(r for r in rows if r["Ballot ID"] not in drawn)
    target["CVR"] = "Bo Baker" if target["CVR"] != "Bo Baker" else "Ann Archer"
    with (out / "cvrs.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["Ballot ID", "CVR"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    doc["cvrs_sha256"] = cvr_digest({r["Ballot ID"]: r["CVR"] for r in rows})
    (out / "audit.json").write_text(json.dumps(doc), encoding="utf-8")
    result = _invoke("audit", "verify", "--published", str(out), "--json")
    assert result.exit_code == 1
    failed = [c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert failed == ["cast vote records match the journal's commitment"]


def test_the_published_head_is_checked(tmp_path: Path) -> None:
    out = _comparison_bundle(tmp_path)
    result = _invoke("audit", "verify", "--published", str(out), "--expect-head", "0" * 64)
    assert result.exit_code == 1
    assert "FAIL journal head matches the published hash" in result.stdout


# --- 5. Arlo manifests with --jurisdiction ------------------------------------------------------


def _oracle(jurisdiction: str | None, seed: str, take: int) -> list[tuple[str, str, int]]:
    ids = []
    for row in _rows(MANIFEST):
        for pos in range(1, int(row["Number of Ballots"]) + 1):
            ids.append(((jurisdiction, row["Tabulator"], row["Batch Name"]), pos))
    return [
        (t, str(i), g)
        for t, i, g in consistent_sampler.sampler(
            ids, seed=seed, with_replacement=True, take=take, output="tuple", digits=18
        )
    ]


def test_jurisdiction_applies_to_an_arlo_manifest(tmp_path: Path) -> None:
    seed = "12345678901234567890"
    db = tmp_path / "a.db"
    result = _invoke(
        "audit", "start", "--db", str(db), "--name", "t", "--manifest", str(MANIFEST),
        "--tally", "A=200,B=100", "--ballots", "322", "--seed", seed, "--round-size", "15",
        "--jurisdiction", "Fulton County",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audit = open_store(db).load("t")
    assert [(d.ticket, d.ballot_id, d.generation) for d in audit.draws] == _oracle(
        "Fulton County", seed, 15
    )
    doc = json.loads(
        _invoke(
            "audit", "sample", "--manifest", str(MANIFEST), "--seed", seed, "--size", "15",
            "--jurisdiction", "Fulton County", "--json",
        ).stdout
    )  # fmt: skip
    assert [(d["ticket"], d["id"], d["generation"]) for d in doc["draws"]] == _oracle(
        "Fulton County", seed, 15
    )
    assert doc["draws"][0]["label"].startswith("Fulton County/TAB-")


# --- 6. damaged journals, exit codes ------------------------------------------------------------


def _small_bundle(tmp_path: Path) -> Path:
    m = _manifest(tmp_path / "m.csv", [600, 600])
    db = tmp_path / "a.db"
    assert _start(db, m, "--round-size", "20").exit_code == 0
    out = tmp_path / "bundle"
    assert (
        _invoke("audit", "export", "--db", str(db), "--audit", "t", "--out", str(out)).exit_code
        == 0
    )
    return out


def _without(line: str, key: str) -> str:
    return json.dumps({k: v for k, v in json.loads(line).items() if k != key})


@pytest.mark.parametrize(
    ("damage", "check"),
    [
        (lambda lines: ["{not json", *lines[1:]], "journal entries readable"),
        (
            lambda lines: [_without(lines[0], "hash"), *lines[1:]],
            "journal entries readable",
        ),
        (
            lambda lines: [lines[0].replace('\\"at\\"', '\\"when\\"'), *lines[1:]],
            "journal hash chain",
        ),
    ],
)  # fmt: skip
def test_a_damaged_journal_gives_failed_checks_not_a_traceback(
    tmp_path: Path, damage: Any, check: str
) -> None:
    out = _small_bundle(tmp_path)
    path = out / "journal.jsonl"
    path.write_text("\n".join(damage(path.read_text(encoding="utf-8").splitlines())) + "\n")
    result = _invoke("audit", "verify", "--published", str(out), "--json")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    failed = [c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert check in failed


def test_a_damaged_audit_json_gives_a_failed_check(tmp_path: Path) -> None:
    out = _small_bundle(tmp_path)
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    del doc["round_sizes"]
    (out / "audit.json").write_text(json.dumps(doc), encoding="utf-8")
    result = _invoke("audit", "verify", "--published", str(out))
    assert result.exit_code == 1
    assert "FAIL bundle files readable" in result.stdout and "round_sizes" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["audit", "verify"], "--published"),
        (["audit", "plan", "--tally", "A=6,B=4", "--ballots", "10", "--risk-limit", "2"],
         "--risk-limit"),
        (["audit", "verify", "--published", "/nonexistent/folder"], "--published"),
        (["audit", "plan", "--ballots", "10"], "--tally"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_naming_the_option_and_exit_2(
    args: list[str], option: str
) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and option in lines[0], lines


# --- 7. retrieval lists, overvotes --------------------------------------------------------------


def test_later_rounds_mark_ballots_already_drawn_and_use_plain_ids(tmp_path: Path) -> None:
    m = _manifest(tmp_path / "m.csv", [50, 50])  # round 2 (8 + 32 of 100) repeats some
    db = tmp_path / "a.db"
    r = _invoke(
        "audit", "start", "--db", str(db), "--name", "t", "--manifest", str(m), "--tally",
        "A=80,B=20", "--ballots", "100", "--seed", "99", "--round-size", "8",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    sheet = tmp_path / "r1.csv"
    assert (
        _invoke("audit", "sample", "--db", str(db), "--audit", "t", "--out", str(sheet)).exit_code
        == 0
    )
    rows = _rows(sheet)
    assert all(row["Ballot ID"].startswith("T1/B") and "(" not in row["Ballot ID"] for row in rows)
    # Round 1 reads an even split (overvotes kept apart) so that a second round is needed.
    for i, row in enumerate(rows):
        row["Interpretation"] = ["A", "B", OVERVOTE][i % 3]
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    doc = json.loads(
        _invoke("audit", "record", str(sheet), "--db", str(db), "--audit", "t", "--json").stdout
    )
    first = doc["rounds"][0]["result"]
    assert first["sample"][OVERVOTE] == sum(
        int(row["Times Drawn"]) for i, row in enumerate(rows) if i % 3 == 2
    )
    assert first["decision"] == "next_round"
    sheet2 = tmp_path / "r2.csv"
    result = _invoke(
        "audit", "sample", "--db", str(db), "--audit", "t", "--round", "2", "--out", str(sheet2)
    )
    assert result.exit_code == 0
    rows2 = _rows(sheet2)
    earlier = {row["Ballot ID"] for row in rows}
    marked = {row["Ballot ID"] for row in rows2 if row["Already Read"]}
    assert marked == {row["Ballot ID"] for row in rows2} & earlier
    assert marked  # 12 ballots: the second round draws some of the first again
    assert all(
        row["Already Read"] == "drawn in round 1" for row in rows2 if row["Ballot ID"] in marked
    )
