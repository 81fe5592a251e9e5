"""Ballot-comparison audits through the workspace: each county uploads its manifest and its
cast vote records, the launch checks them all through ``prepare_audit``, boards read the drawn
ballots, and the discrepancy report shows where a reading differs from its record.

The risk the workspace measures is checked against an oracle: the same inputs given to
:func:`ballotproof.usecases.start.prepare_audit` and a fresh store, read the same way."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import BLANK, Method, evaluate, first_round_size
from ballotproof.errors import InputError, StoreError
from ballotproof.store import Accounts, AuditStore, Workspace, open_store
from ballotproof.usecases.accounts import add_user
from ballotproof.usecases.boards import board_ballots, create_board, enter_reading
from ballotproof.usecases.discrepancies import discrepancy_csv, discrepancy_report
from ballotproof.usecases.start import CvrSource, prepare_audit, start_audit
from ballotproof.usecases.workspace import (
    create_audit,
    draft_of,
    launch,
    round_one_sizes,
    upload_cvrs,
    upload_manifest,
)
from ballotproof.web.app import create_app
from tests.audit.test_cvr_sources import dominion_csv, in_batches
from tests.audit.test_store_backends import _postgres
from tests.web.test_workspace import PASSWORD, PEOPLE, _as, _board

NOW = "2026-11-20T10:00:00Z"
CHOICES = {
    # Four batches of 25 cards on tabulator 1 in each county.
    "Fulton": ["Alice"] * 65 + ["Bob"] * 30 + [BLANK] * 5,
    "Cobb": ["Alice"] * 60 + ["Bob"] * 38 + [BLANK] * 2,
}
CONTEST = AuditContest("Mayor", {"Alice": 125, "Bob": 68}, 200)
SEED = "2718 2818 2845 9045"


def manifest(county: str) -> bytes:
    rows = "".join(f"C{county[0]},1,{b},25\n" for b in range(1, 5))
    return ("Container,Tabulator,Batch Name,Number of Ballots\n" + rows).encode()


def cvrs(county: str) -> bytes:
    # Interleave the choices so every batch holds some of each.
    cards = CHOICES[county][::2] + CHOICES[county][1::2]
    return dominion_csv(in_batches("1", [c if c != BLANK else "" for c in cards], 25))


def _clock() -> str:
    return NOW


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AuditStore]:
    s = open_store(tmp_path / "ws.sqlite")
    yield s
    s.engine.dispose()


def _set_up(store: AuditStore, method: Method = Method.SUPERSIMPLE) -> Workspace:
    workspace = Workspace(store.engine)
    create_audit(
        workspace, store, name="mayor", contest=CONTEST, method=method, risk_limit=0.1,
        seed=SEED, seed_ceremony="dice", counties={"Fulton": None, "Cobb": None},
        created_by="admin@state.example", now=_clock,
    )  # fmt: skip
    for county in CHOICES:
        upload_manifest(workspace, "mayor", county, f"{county}.csv", manifest(county),
                        uploaded_by="m", now=_clock)  # fmt: skip
    return workspace


def _read_everything(
    store: AuditStore, workspace: Workspace, change: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Boards of both counties read every ballot of the current round as its record says
    (``change``: ballot id → another reading); returns (id, reading) in entry order."""
    entered = []
    accounts = Accounts(store.engine)
    for county in sorted(CHOICES):
        made = create_board(accounts, workspace, "mayor", county, f"{county} 1", ("A", "B"),
                            now=_clock)  # fmt: skip
        board = next(b for b in workspace.boards("mayor", county) if b.code == made.code)
        _status, ballots = board_ballots(store, board)
        records = store.cast_vote_records("mayor", [b.entry.ballot_id for b in ballots])
        for b in ballots:
            if b.reading is None and not b.entry.read_before:
                bid = b.entry.ballot_id
                reading = (change or {}).get(bid, records[bid])
                enter_reading(store, board, bid, reading, ("A", "B"), now=_clock)
                entered.append((bid, reading))
    return entered


def test_a_comparison_audit_from_set_up_to_the_round_closing(
    store: AuditStore, tmp_path: Path
) -> None:
    workspace = _set_up(store)
    draft = draft_of(workspace, "mayor")
    assert draft is not None and draft.comparison and not draft.ready
    # Round 1's sizes are the comparison methods', not the polling ones.
    sizes = round_one_sizes(draft)
    assert [s.method for s in sizes] == [Method.SUPERSIMPLE, Method.ALPHA_COMPARISON]
    assert [s.chosen for s in sizes] == [True, False] and all(s.chance is None for s in sizes)
    with pytest.raises(StoreError, match="the CVR file of Cobb, the CVR file of Fulton"):
        launch(workspace, store, "mayor", now=_clock)
    for county in CHOICES:
        state = upload_cvrs(workspace, "mayor", county, f"{county}-cvr.csv", cvrs(county),
                            "dominion-csv", uploaded_by="m", now=_clock)  # fmt: skip
        assert state.cvrs is not None and state.cvrs.format == "dominion-csv"
    assert state.cvrs.summary == "100 records: Alice 60, Bob 38, blank 2"
    draft = draft_of(workspace, "mayor")
    assert draft is not None and draft.ready

    status = launch(workspace, store, "mayor", now=_clock)
    assert status.round_sizes == (first_round_size(draft.spec),)
    stored = store.load("mayor")
    assert len(stored.cvrs) == 200 and stored.cvrs["(('Cobb', '1', '4'), 25)"] == BLANK

    entered = _read_everything(store, workspace)
    status = store.status("mayor")
    result = status.results[0]
    assert result is not None and result.decision.value == "confirm"

    # The oracle: the same files through prepare_audit and a fresh store, read the same way.
    folder = tmp_path / "cli"
    folder.mkdir()
    combined = folder / "manifest.csv"
    combined.write_text(
        "Jurisdiction,Container,Tabulator,Batch Name,Number of Ballots\n"
        + "".join(f"{c},C{c[0]},1,{b},25\n" for c in sorted(CHOICES) for b in range(1, 5)),
        encoding="utf-8",
    )
    sources = []
    for county in sorted(CHOICES):
        (folder / f"{county}.csv").write_bytes(cvrs(county))
        sources.append(CvrSource(folder / f"{county}.csv", "dominion-csv", county))
    new = prepare_audit(name="mayor", contest=CONTEST, manifest=combined, seed=SEED,
                        risk_limit=0.1, method=Method.SUPERSIMPLE, cvr_files=sources)  # fmt: skip
    oracle = open_store(folder / "cli.sqlite")
    try:
        start_audit(oracle, new, now=_clock)
        assert [d.ballot_id for d in oracle.load("mayor").draws] == [
            d.ballot_id for d in stored.draws
        ]
        oracle.record("mayor", [(b, r, "") for b, r in entered], now=NOW)
        expected = oracle.status("mayor").results[0]
    finally:
        oracle.engine.dispose()
    assert expected is not None
    assert result.risk == expected.risk and result.sample == expected.sample
    # And the engine's own evaluation of those readings against those records.
    draws = [d.ballot_id for d in stored.draws]
    readings = dict(entered)
    (direct,) = evaluate(
        stored.spec, [[readings[b] for b in draws]], [[stored.cvrs[b] for b in draws]]
    )
    assert direct.risk == result.risk
    # Nothing differs: the report is empty, with every count zero.
    report = discrepancy_report(store, "mayor")
    assert report.comparison and report.discrepancies == () and report.counts.total == 0
    assert report.ballots_read == len(set(draws)) and report.draws_read == len(draws)


@pytest.mark.parametrize(
    ("record", "reading", "kind", "e"),
    [("Alice", "Bob", "o2", "2"), ("Alice", BLANK, "o1", "1"), ("Bob", "Alice", "u2", "-2")],
)
def test_the_discrepancy_report_shows_a_reading_that_differs(
    store: AuditStore, record: str, reading: str, kind: str, e: str
) -> None:
    workspace = _set_up(store)
    for county in CHOICES:
        upload_cvrs(workspace, "mayor", county, "cvr.csv", cvrs(county), "dominion-csv",
                    uploaded_by="m", now=_clock)  # fmt: skip
    launch(workspace, store, "mayor", now=_clock)
    draws = store.load("mayor").draws
    records = store.cast_vote_records("mayor", [d.ballot_id for d in draws])
    target = next(d for d in draws if records[d.ballot_id] == record)
    _read_everything(store, workspace, {target.ballot_id: reading})
    report = discrepancy_report(store, "mayor")
    (found,) = report.discrepancies
    times = sum(1 for d in draws if d.ballot_id == target.ballot_id)
    assert (found.ballot_id, found.cvr, found.reading, found.kind, str(found.overstatement)) == (
        target.ballot_id, record, reading, kind, e,
    )  # fmt: skip
    assert found.first_round == 1 and found.times_drawn == times
    assert found.imprinted_id == store.imprints("mayor", [target.ballot_id])[target.ballot_id]
    assert getattr(report.counts, kind) == times and report.counts.total == times
    # The counts are the ones the audit measured the risk with.
    result = store.status("mayor").results[0]
    assert result is not None and result.sample[f"discrepancy_{kind}"] == times
    rows = list(csv.reader(io.StringIO(discrepancy_csv(report))))
    assert rows[0][:3] == ["Ballot ID", "Imprinted ID", "First Drawn In Round"]
    assert rows[1] == [found.label, found.imprinted_id, "1", str(times), record, reading, e, kind]


def test_a_polling_audit_has_nothing_to_compare(store: AuditStore) -> None:
    workspace = _set_up(store, Method.BRAVO)
    with pytest.raises(InputError, match="takes no cast vote records"):
        upload_cvrs(workspace, "mayor", "Fulton", "cvr.csv", cvrs("Fulton"), "dominion-csv",
                    uploaded_by="m", now=_clock)  # fmt: skip
    draft = draft_of(workspace, "mayor")
    assert draft is not None and draft.ready and not draft.comparison
    assert {s.method for s in round_one_sizes(draft)} == {Method.BRAVO, Method.MINERVA,
                                                           Method.ALPHA}  # fmt: skip
    launch(workspace, store, "mayor", now=_clock)
    report = discrepancy_report(store, "mayor")
    assert not report.comparison and "nothing to compare" in report.note
    assert discrepancy_csv(report).count("\n") == 1


def test_alpha_comparison_launches_the_same_way(store: AuditStore) -> None:
    workspace = _set_up(store, Method.ALPHA_COMPARISON)
    for county in CHOICES:
        upload_cvrs(workspace, "mayor", county, "cvr.csv", cvrs(county), "dominion-csv",
                    uploaded_by="m", now=_clock)  # fmt: skip
    status = launch(workspace, store, "mayor", now=_clock)
    assert status.spec.method is Method.ALPHA_COMPARISON
    _read_everything(store, workspace)
    result = store.status("mayor").results[0]
    assert result is not None and result.decision.value == "confirm"


def test_the_launch_checks_the_records_against_the_manifests(store: AuditStore) -> None:
    workspace = _set_up(store)
    upload_cvrs(workspace, "mayor", "Fulton", "cvr.csv", cvrs("Fulton"), "dominion-csv",
                uploaded_by="m", now=_clock)  # fmt: skip
    # Cobb's file has a batch 5 its manifest does not list (its last card).
    cards = in_batches("1", ["Alice"] * 60 + ["Bob"] * 38 + ["", ""], 25)
    odd = dominion_csv([*cards[:-1], ("1", "5", "")])
    upload_cvrs(workspace, "mayor", "Cobb", "cobb.csv", odd, "dominion-csv",
                uploaded_by="m", now=_clock)  # fmt: skip
    with pytest.raises(InputError) as caught:
        launch(workspace, store, "mayor", now=_clock)
    assert str(caught.value).startswith(
        "Cobb/cobb.csv:104: field 'ballot': a cast vote record (imprinted id '1-5-1') matches "
        "no ballot of the manifest"
    )
    assert "mayor" not in store.names()  # all or nothing


# --- the JSON API --------------------------------------------------------------------------


NEW = {
    "name": "mayor-2026",
    "contest": {"name": "Mayor", "tally": dict(CONTEST.tally), "ballots": 200},
    "method": "supersimple",
    "risk_limit": 0.1,
    "seed": SEED,
    "seed_ceremony": "dice rolled in public",
    "counties": [
        {"name": "Fulton", "manager_email": "fulton@county.example"},
        {"name": "Cobb", "manager_email": "cobb@county.example"},
    ],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def api_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    """A workspace with the people of ``test_workspace``, on SQLite and on PostgreSQL."""
    urls = [str(tmp_path / "api.sqlite")] if request.param == "sqlite" else _postgres()
    for url in urls:
        s = open_store(url, pooled=True)
        for email, (role, county) in PEOPLE.items():
            add_user(Accounts(s.engine), email, role, PASSWORD, jurisdiction=county)
        yield s
        s.engine.dispose()


def _put(c: TestClient, county: str, kind: str, name: str, data: bytes, **form: str) -> object:
    return c.put(
        f"/api/workspace/audits/mayor-2026/counties/{county}/{kind}",
        files={"file": (name, data, "application/octet-stream")},
        data=form,
    )


def test_cvr_uploads_through_the_api_are_checked_whole(api_store: AuditStore) -> None:
    admin = _as(api_store, "admin@state.example")
    fulton = _as(api_store, "fulton@county.example")
    cobb = _as(api_store, "cobb@county.example")
    created = admin.post("/api/workspace/audits", json=NEW)
    assert created.status_code == 201, created.text
    assert created.json()["comparison"] is True

    def refused(answer: object, status: int = 400) -> str:
        assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
        return str(answer.json()["error"]["message"])  # type: ignore[attr-defined]

    good = cvrs("Fulton")
    # A choice the contest does not have: file, line and field.
    carol = ["Alice", "Bob", "Carol"] + ["Alice"] * 97
    bad = dominion_csv(in_batches("1", carol, 25), ("Alice", "Bob", "Carol"))
    message = refused(_put(fulton, "Fulton", "cvrs", "f.csv", bad, format="dominion-csv"))
    assert message.startswith("f.csv:7: field 'Mayor'") and "'Carol'" in message, message
    # Another contest than the audit's.
    other = good.replace(b"Mayor (Vote For=1)", b"Sheriff (Vote For=1)")
    message = refused(_put(fulton, "Fulton", "cvrs", "f.csv", other, format="dominion-csv"))
    assert "field 'contest'" in message and "Sheriff" in message, message
    # Not UTF-8; the wrong extension; ES&S (two files); no such format.
    latin = b"\xff" + good
    message = refused(_put(fulton, "Fulton", "cvrs", "f.csv", latin, format="dominion-csv"))
    assert message.startswith("f.csv: field 'encoding'"), message
    message = refused(_put(fulton, "Fulton", "cvrs", "f.json", good, format="dominion-csv"))
    assert "field 'file name'" in message, message
    message = refused(_put(fulton, "Fulton", "cvrs", "f.csv", good, format="ess"))
    assert "two files" in message and "audit start --cvr-format ess" in message, message
    message = refused(_put(fulton, "Fulton", "cvrs", "f.csv", good, format="hart"))
    assert "dominion-csv, dominion-json, nist-json" in message, message
    message = refused(_put(fulton, "Fulton", "cvrs", "f.json", b"{", format="nist-json"))
    assert message.startswith("f.json:1"), message
    # Nothing was kept; only the county's own manager uploads its records.
    doc = admin.get("/api/workspace/audits/mayor-2026").json()
    assert [c["cvrs"] for c in doc["counties"]] == [None, None]
    assert _put(cobb, "Fulton", "cvrs", "f.csv", good, format="dominion-csv").status_code == 404
    assert _put(admin, "Fulton", "cvrs", "f.csv", good, format="dominion-csv").status_code == 403

    for county, client in (("Fulton", fulton), ("Cobb", cobb)):
        ok = _put(client, county, "cvrs", f"{county}.csv", cvrs(county), format="dominion-csv")
        assert ok.status_code == 200, ok.text
        assert ok.json()["cvrs"]["format"] == "dominion-csv"
        assert _put(client, county, "manifest", "m.csv", manifest(county)).status_code == 200
    state = fulton.get("/api/workspace/audits/mayor-2026/counties/Fulton").json()
    assert state["comparison"] is True and state["cvrs"]["summary"].startswith("100 records")
    assert admin.get("/api/workspace/audits/mayor-2026").json()["ready"] is True
    page = admin.get("/admin/audits/mayor-2026").text
    assert "Fulton.csv (dominion-csv): 100 records" in page and "alpha-comparison" in page
    launched = admin.post("/api/workspace/audits/mayor-2026/launch", json={})
    assert launched.status_code == 200, launched.text
    assert _put(fulton, "Fulton", "cvrs", "f.csv", good, format="dominion-csv").status_code == 409


def test_the_discrepancy_report_through_the_api(api_store: AuditStore) -> None:
    admin = _as(api_store, "admin@state.example")
    fulton = _as(api_store, "fulton@county.example")
    cobb = _as(api_store, "cobb@county.example")
    assert admin.post("/api/workspace/audits", json=NEW).status_code == 201
    for county, client in (("Fulton", fulton), ("Cobb", cobb)):
        assert _put(client, county, "manifest", "m.csv", manifest(county)).status_code == 200
        assert _put(client, county, "cvrs", "c.csv", cvrs(county),
                    format="dominion-csv").status_code == 200  # fmt: skip
    assert admin.post("/api/workspace/audits/mayor-2026/launch", json={}).status_code == 200
    public = TestClient(create_app("unused", store=api_store))
    empty = public.get("/audits/mayor-2026/discrepancies.csv")
    assert empty.status_code == 200 and empty.text.count("\n") == 1
    assert empty.headers["content-type"].startswith("text/csv")

    # Fulton's board reads its first ballot against its record.
    board = _board(api_store, fulton, "Fulton", "Board 1")
    listing = board.get("/api/board").json()
    first = next(b for b in listing["ballots"] if not b["already_read"])
    record = api_store.cast_vote_records("mayor-2026", [first["ballot_id"]])[first["ballot_id"]]
    reading = "Bob" if record != "Bob" else "Alice"
    answer = board.post(
        "/api/board/readings",
        json={"ballot_id": first["ballot_id"], "interpretation": reading,
              "confirmed_by": listing["members"]},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    doc = public.get("/api/audits/mayor-2026/discrepancies").json()
    (row,) = doc["discrepancies"]
    assert (row["label"], row["cvr"], row["reading"]) == (first["label"], record, reading)
    assert row["imprinted_id"] == first["imprinted_id"] and row["first_round"] == 1
    assert doc["counts"][row["kind"]] == first["times_drawn"]
    rows = list(csv.reader(io.StringIO(public.get("/audits/mayor-2026/discrepancies.csv").text)))
    assert rows[1][:6] == [
        first["label"], first["imprinted_id"], "1", str(first["times_drawn"]), record, reading
    ]  # fmt: skip
    page = public.get("/audits/mayor-2026/discrepancies.html")
    assert page.status_code == 200 and first["label"] in page.text
    assert 'href="/audits/mayor-2026/discrepancies.html"' in public.get("/audits/mayor-2026").text
    assert "Discrepancy report" in admin.get("/admin/audits/mayor-2026").text
    assert public.get("/audits/nope/discrepancies.csv").status_code == 404
    json.dumps(doc)  # plain JSON


@pytest.mark.parametrize(
    ("fmt", "path", "contest", "summary"),
    [
        ("nist-json", "nist/cvr.json", AuditContest("Mayor", {"Ann Archer": 2, "Bo Baker": 1}, 6),
         "6 records: Ann Archer 2, Bo Baker 1, blank 2, overvote 1"),
        # Dominion JSON without its manifests: contests and choices by id.
        ("dominion-json", "dominion/CvrExport_7.json",
         AuditContest("1", {"10": 1, "11": 1, "12": 1}, 4),
         "4 records: 10 1, 11 1, 12 1, overvote 1"),
    ],
)  # fmt: skip
def test_json_cvr_files_upload(
    store: AuditStore, fmt: str, path: str, contest: AuditContest, summary: str
) -> None:
    workspace = Workspace(store.engine)
    create_audit(
        workspace, store, name="j", contest=contest, method=Method.SUPERSIMPLE, risk_limit=0.1,
        seed=SEED, seed_ceremony="dice", counties={"Fulton": None},
        created_by="admin@state.example", now=_clock,
    )  # fmt: skip
    data = (Path(__file__).resolve().parents[1] / "data" / "cvrs" / path).read_bytes()
    state = upload_cvrs(workspace, "j", "Fulton", Path(path).name, data, fmt,
                        uploaded_by="m", now=_clock)  # fmt: skip
    assert state.cvrs is not None and state.cvrs.summary == summary
    assert state.cvrs.format == fmt and state.cvrs.rows == contest.ballots
