"""The store and the verifier a piece at a time: the same digests, results, journal and checks
as when everything was held whole, on SQLite and PostgreSQL, and audits stored before the
store kept the journal's order of interpretations still verify."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from ballotproof.audit import verify as verify_module
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.journal import DRAW_FIELDS, DrawsDigest, draws_digest
from ballotproof.audit.process import (
    NOT_FOUND,
    PHANTOM_BATCH,
    AuditSpec,
    DrawnBallot,
    Method,
    recompute,
)
from ballotproof.audit.sampler import Batch
from ballotproof.audit.streaming import LatestReadings, RoundReadings
from ballotproof.errors import StoreError
from ballotproof.store import AuditStore, open_store
from ballotproof.store import repository as repo

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCHES = tuple(Batch("J", "T1", f"B{i}", 100) for i in range(20))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    if request.param == "sqlite":
        s = open_store(tmp_path / "audit.db")
        yield s
        s.engine.dispose()
        return
    name = f"bp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - only where PostgreSQL is missing
        admin.dispose()
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for these tests: {exc}")
    s = open_store(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        yield s
    finally:
        s.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of 7 rows, so that every round, recording, read and redraw spans many of them."""
    monkeypatch.setattr(repo, "_PIECE", 7)
    monkeypatch.setattr(verify_module, "_PIECE", 7)


def _spec(name: str = "t", *, phantoms: int = 0, method: Method = Method.BRAVO) -> AuditSpec:
    return AuditSpec(
        name,
        AuditContest("mayor", {"A": 1100, "B": 900}, 2000 + phantoms),
        0.1,
        method,
        "2718281828",
        phantoms=phantoms,
    )


def _start(store: AuditStore, spec: AuditSpec, size: int = 60) -> None:
    store.start(spec, BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0",
                round_size=size)  # fmt: skip


def _rows(store: AuditStore, name: str, number: int) -> list[tuple[str, str, str]]:
    """Every draw of the round (a ballot drawn twice given twice), phantoms left out."""
    return [
        (ballot_id, "A" if position % 2 else "B", "n")
        for ballot_id, _, _, batch, position in store.round_ballots(name, number)
        if batch != PHANTOM_BATCH
    ]


# --- pure helpers ----------------------------------------------------------------------------

_TEXT = st.text(max_size=6) | st.none()


@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**6),
            st.integers(1, 9),
            st.text(max_size=8),
            st.text(max_size=8),
            st.integers(1, 3),
            _TEXT,
            _TEXT,
            _TEXT,
            st.text(max_size=6),
            st.integers(1, 999),
        ),
        max_size=30,
    ),
    st.lists(st.integers(0, 5), max_size=12),
)
def test_a_digest_fed_in_pieces_is_the_digest_of_the_whole_round(
    rows: list[tuple[object, ...]], cuts: list[int]
) -> None:
    digest = DrawsDigest()
    start = 0
    for n in cuts:  # pieces of any size, empty ones included
        digest.add(rows[start : start + n])
        start += n
    digest.add(rows[start:])
    assert digest.hexdigest() == draws_digest(
        [dict(zip(DRAW_FIELDS, r, strict=True)) for r in rows]
    )
    assert digest.rows == len(rows)


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 4), st.sampled_from("AB")), max_size=20
    )
)
def test_latest_readings_keep_the_first_version_seen_unless_a_higher_one_comes(
    versions: list[tuple[str, int, str]],
) -> None:
    latest = LatestReadings()
    expected: dict[str, tuple[int, str]] = {}
    for bid, version, choice in versions:
        latest.add(bid, version, choice)
        if bid not in expected or expected[bid][0] < version:
            expected[bid] = (version, choice)
    assert len(latest) == len(expected)
    assert all(latest.get(bid) == choice for bid, (_, choice) in expected.items())
    assert latest.get("nobody") is None


def test_round_readings_give_recompute_what_the_real_ids_give() -> None:
    """Phantoms, a missing cast vote record and repeated ballots, for polling and comparison."""
    spec = _spec(phantoms=50)
    draws = [
        DrawnBallot("a", "J", "T1", "B1"),
        DrawnBallot("b", "J", "T1", "B2"),
        DrawnBallot("a", "J", "T1", "B1"),
        DrawnBallot("p", None, None, PHANTOM_BATCH),
        DrawnBallot("c", "J", "T1", "B2"),
    ]
    latest = {"a": "A", "b": "B", "c": "blank", "p": "A"}
    for method, cvrs, rounds in (
        (Method.BRAVO, None, [draws[:2], draws[2:]]),
        (Method.SUPERSIMPLE, {"a": "A", "b": "A", "p": "B"}, [draws]),  # no record of c
    ):
        s = _spec(phantoms=50, method=method)
        expected = recompute(s, BATCHES, rounds, latest, cvrs=cvrs)
        readings = RoundReadings(len(rounds))
        for number, r in enumerate(rounds, start=1):
            for d in r:
                readings.add(
                    number,
                    d.ballot_id,
                    d.jurisdiction,
                    d.tabulator,
                    d.batch,
                    latest[d.ballot_id],
                    (cvrs or {}).get(d.ballot_id),
                )
        assert readings.recompute(s, BATCHES) == expected
        # Shared objects: two draws of the same reading, record and batch are one object.
        assert readings.rounds[0][0] is readings.rounds[-1][-3]
    # A ballot with no reading is named by its real id, as recompute names it.
    readings = RoundReadings(1)
    readings.add(1, "p", None, None, PHANTOM_BATCH, None)  # a phantom needs none
    readings.add(1, "a", "J", "T1", "B1", None)
    with pytest.raises(KeyError, match="'a'"):
        readings.recompute(spec, BATCHES)
    readings = RoundReadings(1)
    readings.add(1, "p", None, None, PHANTOM_BATCH, None)
    assert readings.recompute(spec, BATCHES)[0].sample[NOT_FOUND] == 1


# --- the store -------------------------------------------------------------------------------


def test_the_journal_is_what_it_always_was(tmp_path: Path, small_pieces: None) -> None:
    """A one-round audit, with its draws and readings written in pieces, has the journal head
    that the store wrote when it held every row at once (so stored audits keep verifying)."""
    store = open_store(tmp_path / "a.db")
    spec = AuditSpec(
        "ph", AuditContest("c", {"A": 1300, "B": 700}, 2100), 0.1, Method.BRAVO, "987654321",
        phantoms=100,
    )  # fmt: skip
    store.start(spec, BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0",
                round_size=40)  # fmt: skip
    rows = {
        d.ballot_id: (d.ballot_id, "A" if d.position % 3 else "blank", "n")
        for d in store.round_draws("ph", 1)
        if d.batch != PHANTOM_BATCH
    }
    status, written, _ = store.record("ph", list(rows.values()), now="t1")
    assert written == len(rows)
    assert status.decision is Decision.CONFIRM
    assert (status.journal_length, status.journal_head) == (
        43,
        "6364ee68c6a8a99229c89e8728ddb5518d0934acb6094395111922c1876f50a3",
    )
    assert all(c.ok for c in store.verify("ph"))


def test_rounds_written_and_closed_in_pieces_verify(store: AuditStore, small_pieces: None) -> None:
    spec = _spec(phantoms=30)
    _start(store, spec)
    for _ in range(3):
        status = store.status("t")
        if status.decision not in (None, Decision.NEXT_ROUND):
            break
        number = status.current_round
        rows = _rows(store, "t", number)
        read = set(store.load("t").interpretations)
        status, written, repeated = store.record("t", iter(rows), now=f"t{number}")
        # A ballot drawn twice, or read in an earlier round, repeats what is recorded.
        assert written == len({r[0] for r in rows} - read)
        assert written + repeated == len(rows)
    audit = store.load("t")
    assert audit.results[0] is not None and audit.results[0].decision is Decision.NEXT_ROUND
    # The stored results are what recompute says of the loaded audit.
    closed = sum(1 for r in audit.results if r is not None)
    assert tuple(audit.results[:closed]) == audit.evaluate(audit.interpretations, closed)
    assert all(c.ok for c in store.verify("t")), store.verify("t")


def test_a_failed_piece_leaves_nothing_of_the_earlier_ones(
    store: AuditStore, small_pieces: None
) -> None:
    _start(store, _spec())
    rows = _rows(store, "t", 1)
    before = store.status("t")
    with pytest.raises(StoreError, match="was not drawn"):
        store.record("t", [*rows[:30], ("nobody", "A", ""), *rows[30:]], now="t1")
    after = store.status("t")
    assert after.journal_length == before.journal_length
    assert after.missing == before.missing
    assert store.load("t").interpretations == {}
    # A correction in a later piece of the same call needs --correct, as in one list.
    first = rows[0]
    again = (first[0], "B" if first[1] == "A" else "A", "")
    with pytest.raises(StoreError, match="needs an explicit correction"):
        store.record("t", [*rows[:20], again], now="t2")
    assert store.load("t").interpretations == {}
    store.record("t", [*rows[:20], again], now="t2", correct=True)
    assert store.load("t").interpretations[first[0]] == again[1]
    assert all(c.ok for c in store.verify("t"))


def _indexes(store: AuditStore) -> set[str]:
    with store.engine.connect() as conn:
        return {
            r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        }


def test_a_large_round_rebuilds_the_ballot_index_in_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_pieces: None
) -> None:
    """SQLite writes a large round with the ballot index dropped and built again after it: the
    index is there after a round, after a failed one, and the audit verifies; the journal is
    the one written with the index kept up."""
    kept = open_store(tmp_path / "kept.db")
    _start(kept, _spec())
    store = open_store(tmp_path / "bulk.db")
    with monkeypatch.context() as patch:
        patch.setattr(repo, "_BULK", 10)
        _start(store, _spec())
        assert "draw_by_ballot" in _indexes(store)
        status, _, _ = store.record("t", _rows(store, "t", 1), now="t1")
        kept.record("t", _rows(kept, "t", 1), now="t1")
        assert status.journal_head == kept.status("t").journal_head
        assert all(c.ok for c in store.verify("t"))

        insert, pieces = repo._insert, []

        def fail(conn: Any, table: Any, *rest: Any) -> None:
            pieces.append(table.name)
            if pieces.count("draw") == 3:
                raise StoreError("failed in the middle")
            insert(conn, table, *rest)

        patch.setattr(repo, "_insert", fail)
        with pytest.raises(StoreError, match="in the middle"):
            _start(store, _spec("u"))
    assert "draw_by_ballot" in _indexes(store)
    assert store.names() == ["t"]
    with store.engine.connect() as conn:
        plan = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT round FROM draw WHERE audit = 't' AND ballot_id = 'x'")
        ).all()
    assert "draw_by_ballot" in str(plan)


def test_interpretations_stored_out_of_the_journal_order_still_verify(store: AuditStore) -> None:
    """The store reads interpretations in the order it wrote them, the journal's; rows in any
    other order (rewritten by hand, or by a database that moved them) verify all the same, and
    an edit among them is still caught."""
    _start(store, _spec())
    store.record("t", _rows(store, "t", 1)[:25], now="t1")
    store.record("t", _rows(store, "t", 1), now="t2")
    assert all(c.ok for c in store.verify("t"))
    columns = "audit, ballot_id, version, choice, recorded_at, correction, note"
    with store.engine.begin() as conn:
        rows = conn.execute(text(f"select {columns} from interpretation")).all()
        conn.execute(text("delete from interpretation"))
        for r in reversed(rows):
            conn.execute(
                text(f"insert into interpretation ({columns}) values (:a, :b, :v, :c, :r, :k, :n)"),
                dict(zip("abvcrkn", r, strict=True)),
            )
    checks = store.verify("t")
    assert all(c.ok for c in checks), checks
    with store.engine.begin() as conn:
        conn.execute(text("update interpretation set note = 'edited' where version = 1"))
    check = next(c for c in store.verify("t") if c.name == "interpretations match the journal")
    assert not check.ok
    n = len(store.load("t").history)
    assert check.detail == f"{n} claimed, {n} journalled"


def test_a_draw_missing_from_the_end_is_caught(store: AuditStore) -> None:
    _start(store, _spec())
    store.record("t", _rows(store, "t", 1), now="t1")
    assert all(c.ok for c in store.verify("t"))
    with store.engine.begin() as conn:
        conn.execute(text("delete from draw where seq = (select max(seq) from draw)"))
    checks = store.verify("t")
    assert {c.name for c in checks if not c.ok} == {"draws recomputed from manifest and seed"}
    check = next(c for c in checks if c.name.startswith("draws recomputed"))
    total = store.status("t").round_sizes[-1]
    assert check.detail == f"{total} draws recomputed, {total - 1} claimed"


def test_a_redrawn_ballot_the_copy_does_not_claim_is_still_read_from_the_history(
    store: AuditStore,
) -> None:
    """The verifier takes each draw's reading from the claimed draw in the same place; where
    the claimed draws are not the redrawn ones, each redrawn ballot's reading comes from the
    interpretations by its id, as before (the risk is recomputed from the redrawn draws,
    whatever the copy claims)."""
    _start(store, _spec())
    rows = _rows(store, "t", 1)
    store.record("t", rows, now="t1")
    with store.engine.begin() as conn:
        conn.execute(text("update draw set ballot_id = 'elsewhere' where seq = 3"))
    failed = {c.name for c in store.verify("t") if not c.ok}
    assert failed == {"draws recomputed from manifest and seed"}


def test_an_unreadable_interpretation_entry_is_a_failed_check(store: AuditStore) -> None:
    """Interpretation entries that match the stored rows are not parsed; one that does not is,
    and an unreadable one is reported (not counted), never raised."""
    _start(store, _spec())
    store.record("t", _rows(store, "t", 1)[:10], now="t1")
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "update journal set payload = '[1]' where seq = (select max(seq) from journal"
                " where kind = 'interpretation')"
            )
        )
    checks = {c.name: c for c in store.verify("t")}
    assert not checks["journal hash chain"].ok
    assert not checks["journal entries readable"].ok
    assert "the payload is not an object" in checks["journal entries readable"].detail
    n = len(store.load("t").history)
    assert not checks["interpretations match the journal"].ok
    assert checks["interpretations match the journal"].detail == f"{n} claimed, {n - 1} journalled"


@pytest.mark.parametrize("stride", [1, 2, 50])
def test_sorted_ids_read_as_a_range_give_what_lookups_give(
    store: AuditStore, monkeypatch: pytest.MonkeyPatch, stride: int
) -> None:
    """SQLite reads sorted ids as a range of the ballot index when it holds few other rows
    (stride 1, 2), and looks each up when it would hold many (stride 50): the same rows."""
    _start(store, _spec(), size=200)
    store.record("t", _rows(store, "t", 1)[::3], now="t1")
    ids = [*sorted({r[0] for r in _rows(store, "t", 1)})[::stride], "nobody"]
    ids.sort()
    with store.engine.connect() as conn:
        for columns, table in (
            ("ballot_id, round, batch, position", "draw"),
            ("ballot_id, version, choice", "interpretation"),
        ):
            monkeypatch.setattr(repo, "_RANGE", 10**9)
            looked_up = sorted(repo._among(conn, columns, table, "t", ids))
            monkeypatch.setattr(repo, "_RANGE", 2)
            assert sorted(repo._among(conn, columns, table, "t", ids)) == looked_up
            assert looked_up


def test_journal_hashes_made_a_piece_at_a_time_are_chain_hashes() -> None:
    from ballotproof.audit.journal import JournalEntry, chain_hash

    entries = [
        JournalEntry(i, kind, f'{{"n":{i},"t":"é\\n"}}', prev, "")
        for i, (kind, prev) in enumerate([("a", "0" * 64), ("interpretation", "x"), ("b", "")])
    ]
    assert verify_module._chain_hashes(entries) == [
        chain_hash(e.prev_hash, e.kind, e.payload) for e in entries
    ]


def test_the_collector_is_paused_inside_and_left_as_it_was() -> None:
    import gc

    from ballotproof.audit.streaming import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_claimed_draws_read_as_rows_are_read_as_claimed_draws(
    store: AuditStore, small_pieces: None
) -> None:
    """The store hands the verifier its draws as plain rows; read as ClaimedDraw objects they
    give the same count, digest and readings."""
    _start(store, _spec(phantoms=20))
    store.record("t", _rows(store, "t", 1)[:30], now="t1")
    record = store._record_of("t")
    assert record.draw_rows is not None
    latest = LatestReadings()
    latest.extend((h.ballot_id, h.version, h.choice) for h in record.history)
    rows = verify_module._read_claimed_rows(record.draw_rows, latest)
    objects = verify_module._read_claimed(record.draws, latest)
    assert (rows.count, rows.digest, rows.where, rows.all_where) == (
        objects.count, objects.digest, objects.where, objects.all_where,
    )  # fmt: skip
    assert [rows.readings[c] for c in rows.codes] == [objects.readings[c] for c in objects.codes]
    assert rows.count == 60 and any(r is not None for r in rows.readings)
