"""The audit as a process: start, sample, record, close rounds, verify — through the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import (
    BLANK,
    NOT_FOUND,
    AuditSpec,
    Method,
    evaluate,
    first_round_size,
    sample_tally,
)
from ballotproof.audit.sampler import Batch, draw_sample
from ballotproof.errors import StoreError
from ballotproof.store import AuditStore, open_store

BATCHES = tuple(Batch("J", "T1", f"B{i}", 100) for i in range(20))
SEED = "31415926535897932384"


def _spec(method: Method = Method.BRAVO, tally: dict[str, int] | None = None) -> AuditSpec:
    return AuditSpec(
        "t", AuditContest("mayor", tally or {"A": 1300, "B": 700}, 2000), 0.1, method, SEED
    )


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    return open_store(tmp_path / "audit.db")


def _record_round(store: AuditStore, truth: dict[str, str] | None = None) -> None:
    audit = store.load("t")
    rows = {
        d.ballot_id: (d.ballot_id, (truth or {}).get(d.ballot_id, "A"), "") for d in audit.missing()
    }
    store.record("t", list(rows.values()), now="2026-11-27T12:00:00Z")


def test_start_draws_round_one_exactly_as_the_sampler(store: AuditStore) -> None:
    spec = _spec()
    store.start(
        spec, BATCHES, manifest_source="m.csv", manifest_sha256="0" * 64, now="2026-11-27T11:00:00Z"
    )
    audit = store.load("t")
    n = first_round_size(spec)
    assert audit.round_sizes == (n,)
    expected = draw_sample(BATCHES, SEED, n).draws
    assert [(d.seq, d.ticket, d.ballot_id) for d in audit.draws] == [
        (d.order, d.ticket, d.id) for d in expected
    ]


def test_a_round_closes_when_every_draw_is_recorded(store: AuditStore) -> None:
    store.start(_spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t")
    _record_round(store)  # every drawn ballot shows A: the audit confirms
    audit = store.load("t")
    assert audit.decision is Decision.CONFIRM
    assert audit.results[0] is not None and audit.results[0].risk <= 0.1
    with pytest.raises(StoreError, match="has ended"):
        store.record("t", [(audit.draws[0].ballot_id, "B", "")], now="t2", correct=True)


def test_re_recording_differently_needs_an_explicit_correction(store: AuditStore) -> None:
    spec = _spec()
    store.start(
        spec, BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0", round_size=40
    )
    audit = store.load("t")
    first = audit.draws[0].ballot_id
    store.record("t", [(first, "A", "")], now="t1")
    _, written, repeated = store.record("t", [(first, "A", "")], now="t2")
    assert (written, repeated) == (0, 1)  # the same reading again changes nothing
    with pytest.raises(StoreError, match="needs an explicit correction"):
        store.record("t", [(first, "B", "")], now="t3")
    _, written, _ = store.record("t", [(first, "B", "misread")], now="t4", correct=True)
    assert written == 1
    audit = store.load("t")
    assert audit.interpretations[first] == "B"
    versions = [h for h in audit.history if h[0] == first]
    assert [(v[1], v[2], v[3]) for v in versions] == [(1, "A", False), (2, "B", True)]
    assert all(c.ok for c in store.verify("t"))


def test_a_failed_record_leaves_nothing_half_written(store: AuditStore) -> None:
    store.start(
        _spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0", round_size=40
    )
    audit = store.load("t")
    good = [(d.ballot_id, "A", "") for d in audit.draws[:10]]
    with pytest.raises(StoreError, match="was not drawn"):
        store.record("t", [*good, ("((None, 'X', 'Y'), 1)", "A", "")], now="t1")
    after = store.load("t")
    assert after.interpretations == {} and after.journal_length == audit.journal_length


def test_unknown_choice_is_refused(store: AuditStore) -> None:
    store.start(
        _spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0", round_size=10
    )
    bid = store.load("t").draws[0].ballot_id
    with pytest.raises(StoreError, match="'Z' is not one of A, B, blank, not_found"):
        store.record("t", [(bid, "Z", "")], now="t1")


def test_escalation_opens_a_next_round_that_extends_the_sample(store: AuditStore) -> None:
    spec = _spec(tally={"A": 1100, "B": 900})
    store.start(
        spec,
        tuple(Batch("J", "T1", f"B{i}", 1000) for i in range(20)),
        manifest_source="m",
        manifest_sha256="0" * 64,
        now="t0",
        round_size=20,
    )
    audit = store.load("t")
    # Round 1 shows an even split: not enough evidence.
    rows = {}
    for i, d in enumerate(audit.missing()):
        rows.setdefault(d.ballot_id, (d.ballot_id, "A" if i % 2 else "B", ""))
    store.record("t", list(rows.values()), now="t1")
    audit = store.load("t")
    assert audit.results[0] is not None and audit.results[0].decision is Decision.NEXT_ROUND
    assert audit.current_round == 2
    # Round 2 is sized by the evidence so far: a 90 % chance of finishing given round 1.
    from ballotproof.audit.rounds import bravo_next_round

    split = audit.results[0].sample
    pair = spec.contest.pairs()[0]
    more = bravo_next_round(spec.contest, {pair: (split["A"], split["B"])}, alpha=0.1)
    assert audit.round_sizes[1] == 20 + more != 20 + first_round_size(spec)
    whole = draw_sample(audit.batches, SEED, audit.round_sizes[1]).draws
    assert [d.ballot_id for d in audit.draws] == [d.id for d in whole]
    assert all(c.ok for c in store.verify("t"))


def test_verify_reports_every_edit(store: AuditStore, tmp_path: Path) -> None:
    store.start(_spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0")
    _record_round(store)
    head = store.load("t").journal_head
    assert all(c.ok for c in store.verify("t", expected_head=head))
    con = sqlite3.connect(tmp_path / "audit.db")
    con.execute("update interpretation set choice='B' where rowid=1")
    con.execute("update draw set ticket='0.5' where seq=2")
    con.commit()
    failed = {c.name for c in store.verify("t", expected_head=head) if not c.ok}
    # The stored draws no longer match the recomputation (the journal's commitment to the
    # recomputed draws still holds: the journal was not touched).
    assert failed == {
        "interpretations match the journal",
        "draws recomputed from manifest and seed",
        "risk and decisions recomputed from the readings",
    }
    # Rewriting the journal to match breaks the chain, or changes the published head.
    con.execute("update journal set payload=replace(payload, 'A', 'B') where seq=3")
    con.commit()
    failed = {c.name for c in store.verify("t", expected_head=head) if not c.ok}
    assert "journal hash chain" in failed


@pytest.mark.parametrize(
    ("sql", "check"),
    [
        ("update batch set ballots = ballots + 1 where idx = 0", "manifest matches the journal"),
        ("update batch set container = 'elsewhere' where idx = 0", "manifest matches the journal"),
        (
            "update draw set position = position + 1 where seq = 1",
            "draws recomputed from manifest and seed",
        ),
        (
            "update draw set container = 'elsewhere' where seq = 1",
            "draws recomputed from manifest and seed",
        ),
        ("update audit set created_at = 'yesterday'", "audit specification matches the journal"),
        (
            "update interpretation set choice = 'zzz' where rowid = 1",
            "risk and decisions recomputed from the readings",
        ),
    ],
)
def test_verify_catches_edits_of_every_table(
    store: AuditStore, tmp_path: Path, sql: str, check: str
) -> None:
    store.start(_spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0")
    _record_round(store)
    con = sqlite3.connect(tmp_path / "audit.db")
    con.execute(sql)
    con.commit()
    failed = {c.name for c in store.verify("t") if not c.ok}
    assert check in failed


def test_sample_tally_counts_every_draw_and_a_missing_ballot_where_told() -> None:
    spec = _spec()
    readings = ["A", "A", BLANK, NOT_FOUND, "B"]
    assert sample_tally(spec, readings) == {"A": 2, "B": 1}
    assert sample_tally(spec, readings, not_found_to="B") == {"A": 2, "B": 2}


def test_a_missing_ballot_is_the_worst_case_for_every_pair() -> None:
    """Reported A 5000, C 4000, B 1000; the sample A 100, B 44, C 20 and one ballot not found.

    Counted for the runner-up C only, the A>B test would confirm (risk 0.064); as a vote for
    B in the A>B test — the worst case for that pair — it must not (risk 0.19 > α).
    """
    spec = AuditSpec(
        "t", AuditContest("m", {"A": 5000, "C": 4000, "B": 1000}, 10000), 0.1, Method.BRAVO, SEED
    )
    readings = ["A"] * 100 + ["B"] * 44 + ["C"] * 20 + [NOT_FOUND]
    result = evaluate(spec, [readings])[0]
    assert result.pair_risks["A>B"] > 0.1
    assert result.decision is not Decision.CONFIRM
    assert result.sample[NOT_FOUND] == 1


def test_vote_for_n_audits_are_refused_until_interpretations_can_hold_several_choices() -> None:
    from ballotproof.errors import AnalysisError

    with pytest.raises(AnalysisError, match="vote-for-one"):
        AuditSpec(
            "t", AuditContest("m", {"A": 5, "B": 4, "C": 1}, 10, winners=2), 0.1, Method.BRAVO, SEED
        )


def test_minerva_rounds_are_evaluated_with_their_schedule() -> None:
    spec = AuditSpec(
        "t", AuditContest("m", {"A": 60000, "B": 40000}, 100000), 0.1, Method.MINERVA, SEED
    )
    # Published check (Zagórski et al.; the issue): 100 ballots with 58 for the winner stop.
    results = evaluate(spec, [["A"] * 58 + ["B"] * 42])
    assert results[0].decision is Decision.CONFIRM
    results = evaluate(spec, [["A"] * 57 + ["B"] * 43])
    assert results[0].decision is Decision.NEXT_ROUND


def test_a_tie_goes_to_a_full_hand_count() -> None:
    spec = AuditSpec("t", AuditContest("m", {"A": 500, "B": 500}, 1000), 0.1, Method.BRAVO, SEED)
    assert evaluate(spec, [["A"]])[0].decision is Decision.FULL_HAND_COUNT


def test_an_unknown_audit_is_named(store: AuditStore) -> None:
    with pytest.raises(StoreError, match="no audit named 'nope'"):
        store.load("nope")


def test_comparison_round_counts_overstatements_and_escalates() -> None:
    """Super-simple through the process: published 24/38 figures, via the round machinery."""
    spec = AuditSpec(
        "c", AuditContest("m", {"A": 60000, "B": 40000}, 100000), 0.1, Method.SUPERSIMPLE, SEED
    )
    assert first_round_size(spec) == 27  # planned with the customary rates (Stark's tool)
    clean = evaluate(spec, [["A"] * 27], [["A"] * 27])
    assert clean[0].decision is Decision.CONFIRM
    # One one-vote overstatement (the record says A, the paper is blank) among 27 ballots:
    # not enough; the next round grows to 38, as the customary rule says (Stark 2010).
    one = evaluate(spec, [["A"] * 26 + [BLANK]], [["A"] * 27])
    assert one[0].decision is Decision.NEXT_ROUND
    assert one[0].next_size == 38
    assert one[0].sample["discrepancy_o1"] == 1
    # A ballot that cannot be found counts as the worst case: a two-vote overstatement.
    lost = evaluate(spec, [["A"] * 26 + [NOT_FOUND]], [["A"] * 27])
    assert lost[0].sample["discrepancy_o2"] == 1


def _start_comparison(tmp_path: Path) -> Path:
    """Start a super-simple audit of the Dominion CSV fixture's Mayor contest via the CLI."""
    from typer.testing import CliRunner

    from ballotproof.cli.app import app
    from tests.conftest import TESTDATA

    manifest = tmp_path / "m.csv"
    manifest.write_text("Tabulator,Batch Name,Number of Ballots\n5,1,3\n6,2,3\n", encoding="utf-8")
    db = tmp_path / "c.db"
    cvrs = str(TESTDATA / "cvrs" / "dominion" / "cvr.csv")
    result = CliRunner().invoke(
        app,
        [
            "audit",
            "start",
            "--db",
            str(db),
            "--name",
            "cmp",
            "--manifest",
            str(manifest),
            "--tally",
            "Ann Archer=2,Bo Baker=1,Write-in=1",
            "--ballots",
            "6",
            "--seed",
            "7",
            "--method",
            "supersimple",
            "--contest",
            "Mayor",
            "--cvrs",
            cvrs,
            "--round-size",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    return db


def test_a_comparison_audit_through_the_cli(tmp_path: Path) -> None:
    import json
    import sqlite3

    from typer.testing import CliRunner

    from ballotproof.cli.app import app

    db = _start_comparison(tmp_path)
    runner = CliRunner()
    store = open_store(db)
    audit = store.load("cmp")
    assert len(audit.cvrs) == 6
    rows = {d.ballot_id: (d.ballot_id, audit.cvrs[d.ballot_id], "") for d in audit.draws}
    status, _, _ = store.record("cmp", list(rows.values()), now="t1")
    assert status.results[0] is not None
    audit = store.load("cmp")
    assert audit.results[0].sample["discrepancy_o1"] == 0  # paper agrees with the records
    checks = store.verify("cmp")
    assert all(c.ok for c in checks), checks
    assert "cast vote records match the journal's commitment" in {c.name for c in checks}
    # Editing a stored record after the fact is caught.
    con = sqlite3.connect(db)
    con.execute("update cvr set choice='Bo Baker' where choice='Ann Archer'")
    con.commit()
    failed = {c.name for c in store.verify("cmp") if not c.ok}
    assert "cast vote records match the journal's commitment" in failed
    doc = json.loads(
        runner.invoke(app, ["audit", "status", "--db", str(db), "--audit", "cmp", "--json"]).stdout
    )
    assert doc["method"] == "supersimple"


def test_a_published_comparison_audit_verifies_without_the_database(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from ballotproof.cli.app import app

    db = _start_comparison(tmp_path)
    runner = CliRunner()
    store = open_store(db)
    audit = store.load("cmp")
    store.record(
        "cmp",
        [(d.ballot_id, audit.cvrs[d.ballot_id], "") for d in audit.draws if d.generation == 1],
        now="t1",
    )
    out = tmp_path / "pub"
    assert (
        runner.invoke(
            app, ["audit", "export", "--db", str(db), "--audit", "cmp", "--out", str(out)]
        ).exit_code
        == 0
    )
    db.unlink()
    doc = json.loads(
        runner.invoke(app, ["audit", "verify", "--published", str(out), "--json"]).stdout
    )
    assert doc["ok"] is True
    assert "cast vote records match the journal's commitment" in {c["name"] for c in doc["checks"]}


def test_a_round_of_already_counted_batches_closes_by_itself(store: AuditStore) -> None:
    """MACRO: one big batch holds nearly all the error bound, so with seed 14 round 2 draws
    only batches counted in round 1; nothing is left to record, and the round closes."""
    from ballotproof.audit.process import batch_reading

    batches = (
        Batch(None, None, "BIG", 5000),
        *(Batch(None, None, f"s{i:03d}", 1) for i in range(300)),
    )
    reported = {
        "BIG": {"A": 2700, "B": 2200},
        **{f"s{i:03d}": {"A": 1, "B": 0} for i in range(300)},
    }
    spec = AuditSpec("x", AuditContest("c", {"A": 3000, "B": 2200}, 5300), 0.1, Method.MACRO, "14")
    store.start(
        spec, batches, manifest_source="m", manifest_sha256="0" * 64, now="t0", reported=reported
    )
    audit = store.load("x")
    counts = {"BIG": {"A": 2650, "B": 2250}}  # the big batch overstated the margin by 100
    rows = {
        d.ballot_id: (d.ballot_id, batch_reading(counts.get(d.batch, {"A": 1, "B": 0})), "")
        for d in audit.round_draws(1)
    }
    store.record("x", list(rows.values()), now="t1")
    audit = store.load("x")
    assert audit.current_round == 2
    assert {d.batch for d in audit.round_draws(2)} <= {d.batch for d in audit.round_draws(1)}
    assert all(r is not None for r in audit.results)  # round 2 closed without a new record
    assert all(c.ok for c in store.verify("x"))


def test_audits_stored_before_evidence_sized_rounds_keep_their_step() -> None:
    """A specification journalled before the round rule existed names none: its later rounds
    add the first round's size again, so that its recorded results still verify."""
    from ballotproof.audit.process import spec_from_json, spec_to_json

    legacy = spec_to_json(_spec())
    del legacy["round_rule"]
    old = spec_from_json(legacy)
    assert old.round_rule == "step" and spec_to_json(old) == legacy
    readings = ["A", "B"] * 10
    step = evaluate(old, [readings])[0]
    assert step.next_size == 20 + first_round_size(old)
    assert evaluate(_spec(), [readings])[0].next_size != step.next_size
