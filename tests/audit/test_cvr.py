"""Cast vote record loaders: good fixtures, the malformed corpus, and round trips.

The fixtures under ``tests/data/cvrs`` were written for these tests in each vendor's layout (see
the loaders' docstrings for the sources of the layouts): ``dominion/cvr.csv``,
``dominion/CvrExport_7.json`` with its two manifests, ``dominion/CvrExport_legacy.json`` (the
older layout without ``Cards``), and ``ess/cvr.csv`` with ``ess/ballots_1.csv`` (title rows, no
``Machine``) and ``ess/ballots_2.csv`` (``Machine`` and hexadecimal ids). Each file in
``bad/`` is paired with ``<name>.expected``, the exact one-line message it must produce.
"""

from __future__ import annotations

import csv
import doctest
import io
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ballotproof.io.cvr as cvr_module
import ballotproof.io.cvr_dominion as dominion_module
import ballotproof.io.cvr_ess as ess_module
from ballotproof.audit.sampler import Ballot, Batch
from ballotproof.errors import BallotproofError, InputError, IntegrityError
from ballotproof.io.cvr import (
    ContestInfo,
    CvrFile,
    CvrFormat,
    CvrRecord,
    csv_rows,
    tally,
    to_ballot,
)
from ballotproof.io.cvr_dominion import load_dominion_csv, load_dominion_json
from ballotproof.io.cvr_ess import load_ess_csv

CVRS = Path(__file__).resolve().parents[1] / "data" / "cvrs"
CONTESTS = "dominion/ContestManifest.json"
CANDIDATES = "dominion/CandidateManifest.json"
ESS_BALLOTS = ["ess/ballots_1.csv", "ess/ballots_2.csv"]


@pytest.fixture(autouse=True)
def in_cvrs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in ``tests/data/cvrs`` so that file names in messages are short and exact."""
    monkeypatch.chdir(CVRS)


def card(
    tabulator: str,
    batch: str,
    record_id: int,
    position: int,
    imprinted: str,
    votes: Mapping[str, set[str]],
    overvotes: set[str] | None = None,
    number: int | None = None,
) -> CvrRecord:
    return CvrRecord(
        tabulator,
        batch,
        record_id,
        position,
        imprinted,
        {k: frozenset(v) for k, v in votes.items()},
        frozenset(overvotes or ()),
        number,
    )


def totals(cvrs: CvrFile) -> dict[str, object]:
    contests = tally(cvrs).to_json()["contests"]
    assert isinstance(contests, dict)
    return contests


# --- good files --------------------------------------------------------------------------------

MAYOR, COUNCIL, MEASURE = "Mayor", "City Council At Large", "Measure A"
DOMINION_CONTESTS = {
    MAYOR: ContestInfo(MAYOR, 1, ("Ann Archer", "Bo Baker", "Write-in")),
    COUNCIL: ContestInfo(COUNCIL, 2, ("Cy Cole", "Di Dunn", "Ed Estes")),
    MEASURE: ContestInfo(MEASURE, 1, ("Yes", "No")),
}


def test_dominion_csv_records_positions_and_overvotes() -> None:
    cvrs = load_dominion_csv("dominion/cvr.csv")
    assert (cvrs.source, cvrs.format, cvrs.election) == (
        "dominion/cvr.csv",
        CvrFormat.DOMINION_CSV,
        "Ballotproof Test General Election",
    )
    assert cvrs.contests == DOMINION_CONTESTS
    assert list(cvrs.contests) == [MAYOR, COUNCIL, MEASURE]  # the file's order
    ann, bo, wi, cy, di, ed = "Ann Archer", "Bo Baker", "Write-in", "Cy Cole", "Di Dunn", "Ed Estes"
    assert cvrs.records == (
        card("5", "1", 1, 1, "5-1-1", {MAYOR: {ann}, COUNCIL: {cy, di}, MEASURE: {"Yes"}}, None, 1),
        card("5", "1", 2, 2, "5-1-2", {MAYOR: {bo}, COUNCIL: {di}, MEASURE: {"No"}}, None, 2),
        # overvoted in both contests (2 of Vote For=1, 3 of Vote For=2); Measure A not on card
        card(
            "5", "1", 3, 3, "5-1-3", {MAYOR: {ann, bo}, COUNCIL: {cy, di, ed}}, {MAYOR, COUNCIL}, 3
        ),
        # ="6" cells are unwrapped; RecordIds 1, 3, 4 are positions 1, 2, 3 (Arlo's rule)
        card("6", "2", 1, 1, "6-2-1", {MAYOR: set(), COUNCIL: set(), MEASURE: {"Yes"}}, None, 4),
        card("6", "2", 3, 2, "6-2-3", {MAYOR: {wi}, COUNCIL: {di, ed}}, None, 5),
        card("6", "2", 4, 3, "6-2-4", {MAYOR: {ann}, COUNCIL: {cy, ed}, MEASURE: set()}, None, 6),
    )


def test_dominion_csv_tally_skips_overvotes_and_counts_undervotes() -> None:
    assert totals(load_dominion_csv("dominion/cvr.csv")) == {
        MAYOR: {
            "votes_allowed": 1,
            "cards": 6,
            "votes": {"Ann Archer": 2, "Bo Baker": 1, "Write-in": 1},
            "overvoted_cards": 1,
            "blank_cards": 1,
            "undervotes": 1,  # 5 valid cards x 1 - 4 votes
        },
        COUNCIL: {
            "votes_allowed": 2,
            "cards": 6,
            "votes": {"Cy Cole": 2, "Di Dunn": 3, "Ed Estes": 2},
            "overvoted_cards": 1,
            "blank_cards": 1,
            "undervotes": 3,  # 5 valid cards x 2 - 7 votes
        },
        MEASURE: {
            "votes_allowed": 1,
            "cards": 4,
            "votes": {"Yes": 2, "No": 1},
            "overvoted_cards": 0,
            "blank_cards": 1,
            "undervotes": 1,
        },
    }


def test_dominion_json_with_manifests() -> None:
    cvrs = load_dominion_json(
        "dominion/CvrExport_7.json", contest_manifest=CONTESTS, candidate_manifest=CANDIDATES
    )
    assert (cvrs.format, cvrs.election) == (
        CvrFormat.DOMINION_JSON,
        "Ballotproof Test General Election",
    )
    assert cvrs.contests == DOMINION_CONTESTS
    assert cvrs.records == (
        card("7", "3", 1, 1, "7-3-1", {MAYOR: {"Ann Archer"}, COUNCIL: {"Cy Cole", "Di Dunn"},
                                       MEASURE: {"Yes"}}),
        # Original (ambiguous Bo Baker, IsVote false) is superseded by the current Modified
        card("7", "3", 2, 2, "7-3-2", {MAYOR: {"Bo Baker"}, COUNCIL: {"Di Dunn"}}),
        # two IsVote marks for Vote For=1; an ambiguous non-vote for Cy Cole does not count
        card("7", "3", 4, 3, "7-3-4", {MAYOR: {"Ann Archer", "Bo Baker"}, COUNCIL: {"Ed Estes"},
                                       MEASURE: set()}, {MAYOR}),
        # RecordId "X": 5 from the ImageMask; two cards in one session make one record
        card("7", "3", 5, 4, "7-3-5", {MAYOR: {"Write-in"}, MEASURE: {"No"}}),
    )  # fmt: skip
    assert totals(cvrs)[COUNCIL] == {
        "votes_allowed": 2,
        "cards": 3,
        "votes": {"Cy Cole": 1, "Di Dunn": 2, "Ed Estes": 1},
        "overvoted_cards": 0,
        "blank_cards": 0,
        "undervotes": 2,
    }


def test_dominion_json_without_manifests_names_by_id_and_cannot_see_overvotes() -> None:
    cvrs = load_dominion_json("dominion/CvrExport_7.json")
    assert cvrs.contests == {
        "1": ContestInfo("1", None, ("10", "11", "12")),
        "2": ContestInfo("2", None, ("20", "21", "22")),
        "3": ContestInfo("3", None, ("30", "31")),
    }
    assert cvrs.records[2].votes == {"1": {"10", "11"}, "2": {"22"}, "3": frozenset()}
    assert cvrs.records[2].overvotes == frozenset()
    assert totals(cvrs)["1"] == {
        "votes_allowed": None,
        "cards": 4,
        "votes": {"10": 2, "11": 2, "12": 1},
        "overvoted_cards": 0,
        "blank_cards": 0,
        "undervotes": None,
    }


def test_dominion_json_older_layout_without_cards() -> None:
    cvrs = load_dominion_json(
        "dominion/CvrExport_legacy.json", contest_manifest=CONTESTS, candidate_manifest=CANDIDATES
    )
    assert cvrs.election == "Legacy"
    assert cvrs.records == (
        card("8", "1", 1, 1, "8-1-1", {MAYOR: {"Ann Archer"}, COUNCIL: {"Cy Cole", "Ed Estes"}}),
        card("8", "1", 2, 2, "8-1-2", {MAYOR: {"Bo Baker"}, COUNCIL: set()}),
    )
    assert totals(cvrs)[MEASURE]["cards"] == 0  # type: ignore[index]


def test_dominion_json_imprinted_id_is_used_when_present(tmp_path: Path) -> None:
    doc = json.loads(Path("dominion/CvrExport_legacy.json").read_text(encoding="utf-8"))
    doc["Sessions"][1]["ImprintedId"] = "8-1-2-A"
    doc["ElectionId"] = ""
    (tmp_path / "e.json").write_text(json.dumps(doc), encoding="utf-8")
    cvrs = load_dominion_json(tmp_path / "e.json")
    assert [r.imprinted_id for r in cvrs.records] == ["8-1-1", "8-1-2-A"]
    assert cvrs.election is None


def test_ess_joins_cvrs_to_ballots_files() -> None:
    cvrs = load_ess_csv("ess/cvr.csv", ESS_BALLOTS)
    assert (cvrs.source, cvrs.format, cvrs.election) == ("ess/cvr.csv", CvrFormat.ESS_CSV, None)
    assert cvrs.contests == {
        "Mayor": ContestInfo("Mayor", 1, ("Ann Archer", "Baker, Bo")),
        "Sheriff": ContestInfo("Sheriff", 1, ("Gil Grant", "Hal Hunt")),
        "Measure A": ContestInfo("Measure A", 1, ("No", "Yes")),
    }
    mayor, sheriff, measure = "Mayor", "Sheriff", "Measure A"
    hex4, hex6 = 0x7D41A0C93B5E2F18 // 10**10, 0x1C9E04B7A2D36F55 // 10**10
    assert cvrs.records == (
        # ballots_1.csv: no Machine column, tabulator = first 4 digits of Tabulator CVR
        card("0001", "BATCH1", 3, 1, "0001000003", {mayor: {"Ann Archer"}, sheriff: {"Gil Grant"},
                                                     measure: {"Yes"}}, None, 1),
        card("0001", "BATCH1", 5, 2, "0001000005", {mayor: {"Baker, Bo"}, sheriff: set(),
                                                     measure: {"No"}}, None, 2),
        card("0001", "BATCH1", 7, 3, "0001000007", {mayor: set(), sheriff: {"Gil Grant"}},
             {mayor}, 3),
        # ballots_2.csv: Machine column; hexadecimal ids give record ⌊id / 10¹⁰⌋
        card("0002", "BATCH2", hex4, 3, "7d41a0c93b5e2f18", {mayor: {"Ann Archer"},
                                                             sheriff: {"Hal Hunt"},
                                                             measure: set()}, None, 4),
        card("0002", "BATCH2", 171, 1, "0002000171", {mayor: set(), sheriff: {"Hal Hunt"}},
             None, 5),
        card("0002", "BATCH2", hex6, 2, "1c9e04b7a2d36f55", {mayor: {"Baker, Bo"},
                                                             sheriff: {"Gil Grant"},
                                                             measure: {"Yes"}}, None, 6),
    )  # fmt: skip
    assert totals(cvrs) == {
        mayor: {
            "votes_allowed": 1,
            "cards": 6,
            "votes": {"Ann Archer": 2, "Baker, Bo": 2},
            "overvoted_cards": 1,
            "blank_cards": 1,
            "undervotes": 1,
        },
        sheriff: {
            "votes_allowed": 1,
            "cards": 6,
            "votes": {"Gil Grant": 3, "Hal Hunt": 2},
            "overvoted_cards": 0,
            "blank_cards": 1,
            "undervotes": 1,
        },
        measure: {
            "votes_allowed": 1,
            "cards": 4,
            "votes": {"No": 1, "Yes": 2},
            "overvoted_cards": 0,
            "blank_cards": 1,
            "undervotes": 1,
        },
    }


def test_ess_accepts_a_single_ballots_path_and_a_display_name() -> None:
    with pytest.raises(IntegrityError) as info:
        load_ess_csv("ess/cvr.csv", "ess/ballots_1.csv", display="county.csv")
    assert str(info.value) == (
        "county.csv:5: field 'Cast Vote Record': Cast Vote Record 4 is in no ballots file "
        "(ess/ballots_1.csv)"
    )


def test_ess_needs_a_ballots_file() -> None:
    with pytest.raises(InputError, match=r"^ess/cvr\.csv: no ballots file given"):
        load_ess_csv("ess/cvr.csv", [])


def test_dominion_csv_falls_back_to_unique_voting_identifier(tmp_path: Path) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text(
        "E,,,,,\n"
        ",,,,,,C (Vote For=1),C (Vote For=1)\n"
        ",,,,,,x,y\n"
        "CvrNumber,TabulatorNum,BatchId,RecordId,UniqueVotingIdentifier,ImprintedId,,\n"
        "1,1,1,1,U-1,,1,0\n"
        "2,1,1,2,U-2,1-1-2,0,1\n",
        encoding="utf-8",
    )
    cvrs = load_dominion_csv(path, display="cvr.csv")
    assert [r.imprinted_id for r in cvrs.records] == ["U-1", "1-1-2"]


# --- to_ballot ---------------------------------------------------------------------------------


def test_to_ballot_gives_the_manifest_ballot_at_the_cards_position() -> None:
    cvrs = load_dominion_csv("dominion/cvr.csv")
    by_record = {(r.tabulator, r.batch, r.record_id): r for r in cvrs.records}
    record = by_record[("6", "2", 3)]  # the second card of batch 2: RecordId 2 is missing
    ballot = to_ballot(record, "Fulton")
    assert ballot == Batch("Fulton", "6", "2", 3).ballot(2)
    assert ballot.id == "(('Fulton', '6', '2'), 2)"
    assert to_ballot(record, None) == Ballot(None, "6", "2", 2)
    manifest = [Batch("Fulton", "5", "1", 3), Batch("Fulton", "6", "2", 3)]
    assert {to_ballot(r, "Fulton") for r in cvrs.records} == {
        b.ballot(p) for b in manifest for p in range(1, b.ballots + 1)
    }


# --- the malformed corpus ----------------------------------------------------------------------

BAD = sorted(p.name for p in (CVRS / "bad").iterdir() if p.suffix != ".expected")
#: Cases that must raise IntegrityError (the data read, but contradicts itself); others InputError.
INTEGRITY = {
    "dominion-candidates-duplicate-name.json",
    "dominion-candidates-unknown-contest.json",
    "dominion-contests-duplicate-id.json",
    "dominion-csv-duplicate-card.csv",
    "dominion-csv-duplicate-cvr-number.csv",
    "dominion-csv-duplicate-imprint.csv",
    "dominion-json-candidate-of-other-contest.json",
    "dominion-json-contest-on-two-cards.json",
    "dominion-json-duplicate-record.json",
    "dominion-json-unknown-candidate.json",
    "dominion-json-unknown-contest.json",
    "ess-ballots-duplicate-card.csv",
    "ess-ballots-duplicate-number.csv",
    "ess-cvr-duplicate-number.csv",
    "ess-cvr-missing-card.csv",
    "ess-cvr-not-in-ballots.csv",
    "ess-cvr-tabulator-cvr-mismatch.csv",
}


def load_bad(name: str) -> CvrFile:
    """Load ``bad/<name>`` in the role its prefix names, the other inputs being good files."""
    bad = f"bad/{name}"
    if name.startswith("dominion-csv-"):
        return load_dominion_csv(bad)
    if name.startswith("dominion-json-"):
        return load_dominion_json(bad, contest_manifest=CONTESTS, candidate_manifest=CANDIDATES)
    if name.startswith("dominion-contests-"):
        return load_dominion_json(
            "dominion/CvrExport_7.json", contest_manifest=bad, candidate_manifest=CANDIDATES
        )
    if name.startswith("dominion-candidates-"):
        return load_dominion_json(
            "dominion/CvrExport_7.json", contest_manifest=CONTESTS, candidate_manifest=bad
        )
    if name.startswith("ess-cvr-"):
        return load_ess_csv(bad, ESS_BALLOTS)
    if name.startswith("ess-ballots-"):
        return load_ess_csv("ess/cvr.csv", [bad])
    raise AssertionError(f"no loader for {name}")


def test_the_corpus_is_complete() -> None:
    assert len(BAD) >= 60
    for name in BAD:
        assert (CVRS / "bad" / name).with_suffix(".expected").is_file(), name
    assert set(BAD) >= INTEGRITY


@pytest.mark.parametrize("name", BAD)
def test_malformed_input_gives_its_one_line_message(name: str) -> None:
    expected = (CVRS / "bad" / name).with_suffix(".expected").read_text(encoding="utf-8")
    with pytest.raises(BallotproofError) as info:
        load_bad(name)
    error = info.value
    assert type(error) is (IntegrityError if name in INTEGRITY else InputError)
    assert str(error) == expected.rstrip("\n")
    assert "\n" not in str(error)
    assert isinstance(error, InputError | IntegrityError)
    assert error.path is not None and str(error).startswith(error.path)


def test_csv_errors_carry_line_and_field() -> None:
    with pytest.raises(InputError) as info:
        load_bad("dominion-csv-bad-mark.csv")
    e = info.value
    assert (e.path, e.line, e.field, e.got) == (
        "bad/dominion-csv-bad-mark.csv",
        6,
        "Mayor / Bo",
        "2",
    )


def test_json_errors_carry_the_json_path_as_field() -> None:
    with pytest.raises(InputError) as info:
        load_bad("dominion-json-isvote-text.json")
    e = info.value
    assert (e.path, e.line, e.field, e.got) == (
        "bad/dominion-json-isvote-text.json",
        None,
        "/Sessions/0/Original/Cards/0/Contests/1/Marks/0/IsVote",
        "yes",
    )


@pytest.mark.parametrize(
    ("name", "cause"),
    [
        ("dominion-csv-non-utf8.csv", UnicodeDecodeError),
        ("dominion-csv-bad-quote.csv", csv.Error),
        ("dominion-json-malformed.json", json.JSONDecodeError),
        ("dominion-json-non-utf8.json", UnicodeDecodeError),
    ],
)
def test_library_errors_are_translated_with_their_cause(name: str, cause: type) -> None:
    with pytest.raises(InputError) as info:
        load_bad(name)
    assert isinstance(info.value.__cause__, cause)


@pytest.mark.parametrize(
    "load",
    [
        lambda: load_dominion_csv("missing.csv"),
        lambda: load_dominion_json("missing.json"),
        lambda: load_dominion_json("dominion/CvrExport_7.json", contest_manifest="missing.json"),
        lambda: load_ess_csv("missing.csv", ESS_BALLOTS),
        lambda: load_ess_csv("ess/cvr.csv", ["missing.csv"]),
    ],
)
def test_an_unreadable_file_is_an_input_error(load: Callable[[], object]) -> None:
    with pytest.raises(InputError, match=r"^missing\.(csv|json): cannot read file") as info:
        load()
    assert isinstance(info.value.__cause__, OSError)


def test_csv_is_decoded_as_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n\n1,2\n3,\xff\n")
    rows = csv_rows(path, "x.csv")
    assert next(rows) == (1, ["a", "b"])  # BOM dropped; the bad line 4 is not read yet
    assert next(rows) == (3, ["1", "2"])  # the blank line 2 is skipped
    with pytest.raises(InputError, match=r"^x\.csv:4: byte 0xff is not UTF-8"):
        next(rows)


# --- the model's own checks --------------------------------------------------------------------


def test_records_and_files_refuse_inconsistent_data() -> None:
    mayor = ContestInfo("Mayor", 1, ("A", "B"))
    a = card("1", "1", 1, 1, "1-1-1", {"Mayor": {"A"}})
    with pytest.raises(InputError, match="field 'tabulator'"):
        card("", "1", 1, 1, "x", {})
    with pytest.raises(IntegrityError, match="overvoted contest must be one of the card's"):
        card("1", "1", 1, 1, "x", {}, {"Mayor"})
    with pytest.raises(IntegrityError, match="lists a choice twice"):
        ContestInfo("Mayor", 1, ("A", "A"))
    with pytest.raises(IntegrityError, match="which the file does not list"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {}, (a,))
    with pytest.raises(IntegrityError, match=r"marks \['C'\] in contest 'Mayor'"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Mayor": mayor},
                (card("1", "1", 1, 1, "x", {"Mayor": {"C"}}),))  # fmt: skip
    with pytest.raises(IntegrityError, match="is not counted as an overvote"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Mayor": mayor},
                (card("1", "1", 1, 1, "x", {"Mayor": {"A", "B"}}),))  # fmt: skip
    with pytest.raises(IntegrityError, match="no more choices than allowed"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Mayor": mayor},
                (card("1", "1", 1, 1, "x", {"Mayor": {"A"}}, {"Mayor"}),))  # fmt: skip
    with pytest.raises(IntegrityError, match="record 1 is listed twice"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Mayor": mayor}, (a, a))
    with pytest.raises(IntegrityError, match="do not number the records"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Mayor": mayor},
                (card("1", "1", 5, 2, "x", {"Mayor": {"A"}}),))  # fmt: skip
    with pytest.raises(IntegrityError, match="is filed under"):
        CvrFile("f", CvrFormat.DOMINION_CSV, {"Sheriff": mayor}, ())


def test_records_built_by_hand_are_frozen() -> None:
    r = CvrRecord("1", "1", 1, 1, "x", {"Mayor": {"A"}}, {"Mayor"})  # type: ignore[dict-item,arg-type]
    assert r.votes == {"Mayor": frozenset({"A"})} and r.overvotes == frozenset({"Mayor"})
    assert isinstance(r.votes["Mayor"], frozenset) and isinstance(r.overvotes, frozenset)


def test_records_are_hashable_by_identity_and_compare_by_votes() -> None:
    a = card("1", "1", 1, 1, "x", {"Mayor": {"A"}})
    b = card("1", "1", 1, 1, "x", {"Mayor": {"B"}})
    assert hash(a) == hash(b) and a != b
    with pytest.raises(TypeError):
        a.votes["Mayor"] = frozenset()  # type: ignore[index]


@pytest.mark.parametrize("module", [cvr_module, dominion_module, ess_module])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


# --- round trips through each format -----------------------------------------------------------

NAME = st.text(alphabet="ABCDEFGHIJ abcdefghij,'\"-", min_size=1, max_size=10).map(str.strip)
Contest = tuple[str, int, tuple[str, ...]]
Card = tuple[int, int, int, dict[str, frozenset[str]]]


@st.composite
def ballot_sets(draw: st.DrawFn, *, max_allowed: int) -> tuple[list[Contest], list[Card]]:
    """Contests (name, votes allowed, choices) and cards (tabulator, batch, record, votes)."""
    names = draw(st.lists(NAME.filter(bool), min_size=1, max_size=3, unique=True))
    contests: list[Contest] = []
    for name in names:
        choices = draw(st.lists(NAME.filter(bool), min_size=1, max_size=4, unique=True))
        contests.append((name, draw(st.integers(1, max_allowed)), tuple(choices)))
    where = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 40))
    places = draw(st.lists(where, min_size=1, max_size=25, unique=True))
    cards: list[Card] = []
    for tabulator, batch, record in places:
        votes: dict[str, frozenset[str]] = {}
        for name, _, choices in contests:
            if draw(st.booleans()):  # the contest is on this card
                votes[name] = frozenset(draw(st.sets(st.sampled_from(choices))))
        cards.append((tabulator, batch, record, votes))
    return contests, cards


def positions(cards: list[Card]) -> list[int]:
    """The oracle for positions: rank of the record id among its batch's."""
    return [
        sorted(r for t2, b2, r, _ in cards if (t2, b2) == (t, b)).index(rec) + 1
        for t, b, rec, _ in cards
    ]


def expected_records(
    contests: list[Contest], cards: list[Card], *, numbered: bool, ess: bool = False
) -> tuple[CvrRecord, ...]:
    allowed = {name: a for name, a, _ in contests}
    out = []
    for i, ((t, b, r, votes), p) in enumerate(zip(cards, positions(cards), strict=True)):
        over = frozenset(c for c, v in votes.items() if len(v) > allowed[c])
        shown = {c: (frozenset() if ess and c in over else v) for c, v in votes.items()}
        imprinted = f"{t:04d}{r:06d}" if ess else f"{t}-{b}-{r}"
        out.append(
            CvrRecord(str(t), str(b), r, p, imprinted, shown, over, i + 1 if numbered else None)
        )
    return tuple(out)


def plain_count(contests: list[Contest], cards: list[Card]) -> dict[str, dict[str, object]]:
    """The oracle for tallies: count the generated votes directly."""
    result: dict[str, dict[str, object]] = {}
    for name, allowed, _ in contests:
        on = [v[name] for *_, v in cards if name in v]
        valid = [s for s in on if len(s) <= allowed]
        votes = Counter(c for s in valid for c in s)
        result[name] = {
            "cards": len(on),
            "votes": dict(votes),
            "overvoted_cards": len(on) - len(valid),
            "blank_cards": sum(1 for s in valid if not s),
            "undervotes": sum(allowed - len(s) for s in valid),
        }
    return result


def check_tally(cvrs: CvrFile, contests: list[Contest], cards: list[Card]) -> None:
    got = totals(cvrs)
    for name, want in plain_count(contests, cards).items():
        t = got[name]
        assert isinstance(t, dict)
        assert {k: v for k, v in t["votes"].items() if v} == want.pop("votes")
        assert {k: t[k] for k in want} == want


def write_dominion_csv(
    contests: list[Contest], cards: list[Card], path: Path, *, excel: bool
) -> None:
    fixed = ["CvrNumber", "TabulatorNum", "BatchId", "RecordId", "ImprintedId", "CountingGroup"]
    columns = [(name, a, c) for name, a, choices in contests for c in choices]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Round trip", "5.10.50.85"] + [""] * (len(fixed) + len(columns) - 2))
    w.writerow([""] * len(fixed) + [f"{n} (Vote For={a})" for n, a, _ in columns])
    w.writerow([""] * len(fixed) + [c for *_, c in columns])
    w.writerow(fixed + ["NP"] * len(columns))
    for i, (t, b, r, votes) in enumerate(cards, start=1):
        ids = [str(t), str(b), str(r), f"{t}-{b}-{r}"]
        if excel:
            ids = [f'="{v}"' for v in ids]
        marks = ["" if n not in votes else "1" if c in votes[n] else "0" for n, _, c in columns]
        w.writerow([str(i), *ids, "Mail", *marks])
    path.write_text(out.getvalue(), encoding="utf-8")


def write_dominion_json(
    contests: list[Contest], cards: list[Card], folder: Path, *, modified: list[bool]
) -> None:
    cids = {name: i for i, (name, *_) in enumerate(contests, start=1)}
    cands = {(name, c): 100 * cids[name] + j for name, _, cs in contests for j, c in enumerate(cs)}
    contest_list = [
        {"Description": n, "Id": cids[n], "VoteFor": a, "NumOfRanks": 0} for n, a, _ in contests
    ]
    candidate_list = [
        {"Description": c, "Id": i, "ContestId": cids[n], "Type": "Regular"}
        for (n, c), i in cands.items()
    ]

    def snapshot(votes: dict[str, frozenset[str]], current: bool, *, noise: bool) -> object:
        found = [
            {
                "Id": cids[n],
                "Marks": [
                    {"CandidateId": cands[(n, c)], "Rank": 1, "IsAmbiguous": False,
                     "IsVote": c in votes[n]}
                    for c in choices
                    if c in votes[n] or noise
                ],
            }
            for n, _, choices in contests
            if n in votes
        ]  # fmt: skip
        return {"IsCurrent": current, "Cards": [{"Id": 1, "Contests": found}]}

    sessions = []
    for (t, b, r, votes), adjudicated in zip(cards, modified, strict=True):
        session: dict[str, object] = {"TabulatorId": t, "BatchId": b, "RecordId": r}
        if adjudicated:  # the original read nothing; the current Modified has the votes
            session["Original"] = snapshot({n: frozenset() for n in votes}, False, noise=True)
            session["Modified"] = snapshot(votes, True, noise=False)
        else:
            session["Original"] = snapshot(votes, True, noise=True)
        sessions.append(session)
    for name, doc in [
        ("CvrExport_1.json", {"Version": "5.10.50.85", "ElectionId": "RT", "Sessions": sessions}),
        ("ContestManifest.json", {"List": contest_list}),
        ("CandidateManifest.json", {"List": candidate_list}),
    ]:
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")


def write_ess(
    contests: list[Contest], cards: list[Card], folder: Path, *, split: int, titles: bool
) -> list[Path]:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Cast Vote Record", "Precinct", "Ballot Style", *(n for n, *_ in contests)])
    for i, (*_, votes) in enumerate(cards, start=1):
        cells = []
        for name, _, _ in contests:
            chosen = votes.get(name)
            cells.append(
                ""
                if chosen is None
                else "undervote"
                if not chosen
                else "overvote"
                if len(chosen) > 1
                else next(iter(chosen))
            )
        w.writerow([str(i), "P-1", "BS-1", *cells])
    (folder / "cvr.csv").write_text(out.getvalue(), encoding="utf-8")
    paths = []
    numbered = list(enumerate(cards, start=1))
    for k, part in enumerate([numbered[:split], numbered[split:]]):
        if not part:
            continue
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        if titles:
            w.writerows([["Ballots", "", "", ""], ["GEN", "", "", ""], ["", "", "", ""]])
        w.writerow(["Cast Vote Record", "Batch", "Tabulator CVR", "Machine"])
        for i, (t, b, r, _) in reversed(part):  # ES&S does not promise any order
            w.writerow([str(i), str(b), f"{t:04d}{r:06d}", str(t)])
        w.writerow([f"Total : {len(part)}", "", "", ""])
        paths.append(folder / f"ballots_{k}.csv")
        paths[-1].write_text(out.getvalue(), encoding="utf-8")
    return paths


@settings(max_examples=60, deadline=None)
@given(data=ballot_sets(max_allowed=3), excel=st.booleans())
def test_round_trip_dominion_csv(data: tuple[list[Contest], list[Card]], excel: bool) -> None:
    contests, cards = data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cvr.csv"
        write_dominion_csv(contests, cards, path, excel=excel)
        cvrs = load_dominion_csv(path)
    assert cvrs.contests == {n: ContestInfo(n, a, c) for n, a, c in contests}
    assert cvrs.records == expected_records(contests, cards, numbered=True)
    check_tally(cvrs, contests, cards)
    # the CVRs map one to one onto the ballots of the manifest that counts each batch's cards
    counts = Counter((r.tabulator, r.batch) for r in cvrs.records)
    assert {to_ballot(r, "J") for r in cvrs.records} == {
        Batch("J", t, b, n).ballot(p) for (t, b), n in counts.items() for p in range(1, n + 1)
    }


@settings(max_examples=60, deadline=None)
@given(data=ballot_sets(max_allowed=3), adjudicated=st.lists(st.booleans(), min_size=25))
def test_round_trip_dominion_json(
    data: tuple[list[Contest], list[Card]], adjudicated: list[bool]
) -> None:
    contests, cards = data
    modified = adjudicated[: len(cards)]
    with tempfile.TemporaryDirectory() as folder:
        f = Path(folder)
        write_dominion_json(contests, cards, f, modified=modified)
        cvrs = load_dominion_json(
            f / "CvrExport_1.json",
            contest_manifest=f / "ContestManifest.json",
            candidate_manifest=f / "CandidateManifest.json",
        )
    assert cvrs.contests == {n: ContestInfo(n, a, c) for n, a, c in contests}
    assert cvrs.records == expected_records(contests, cards, numbered=False)
    check_tally(cvrs, contests, cards)


@settings(max_examples=60, deadline=None)
@given(data=ballot_sets(max_allowed=1), split=st.integers(0, 25), titles=st.booleans())
def test_round_trip_ess(data: tuple[list[Contest], list[Card]], split: int, titles: bool) -> None:
    contests, cards = data
    with tempfile.TemporaryDirectory() as folder:
        f = Path(folder)
        ballots = write_ess(contests, cards, f, split=split, titles=titles)
        cvrs = load_ess_csv(f / "cvr.csv", ballots)
    # ES&S lists only the choices that received a vote, and loses an overvote's marks
    voted = {n: sorted({c for *_, v in cards for c in v.get(n, ()) if len(v[n]) == 1})
             for n, *_ in contests}  # fmt: skip
    assert cvrs.contests == {n: ContestInfo(n, 1, tuple(voted[n])) for n, *_ in contests}
    assert cvrs.records == expected_records(contests, cards, numbered=True, ess=True)
    check_tally(cvrs, contests, cards)
