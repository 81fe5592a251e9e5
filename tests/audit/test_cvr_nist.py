"""NIST SP 1500-103 cast vote records (JSON): NIST's examples, a fixture, and malformed input.

Files under ``tests/data/cvrs/nist`` (see its ``PROVENANCE.md``):

* ``example_1.xml``, ``example_2.xml`` and ``NIST_V0_cast_vote_records.json``: NIST's two
  published CVR examples (XML only) and its JSON schema, unchanged;
* ``example_1.json``, ``example_2.json``: those examples in the JSON form, translated element by
  element as the JSON schema lays them out (:func:`xml_to_json`; a test checks the translation);
* ``cvr.json``: written for these tests, two devices and three batches, with every case the
  loader reads (tickets, a ballot measure, a party contest, an adjudicated snapshot, overvotes
  flagged and counted, a machine-generated vote, an unadjudicated write-in, a contest left out).

Every example either loads or is refused with its reason: the XML files because the loader reads
JSON, their JSON translations because they give no ``BatchId`` (optional in the standard, but an
audit cannot find a ballot without it). With a batch added, the examples load, and their counts
are checked against a plain walk of the JSON (:func:`oracle`) and a table read off the XML.
"""

from __future__ import annotations

import copy
import doctest
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ballotproof.io.cvr_nist as nist_module
from ballotproof.errors import BallotproofError, InputError, IntegrityError
from ballotproof.io.cvr import ContestInfo, CvrFile, tally
from ballotproof.io.cvr_nist import FORMAT, load_nist_cvr

NIST = Path(__file__).resolve().parents[1] / "data" / "cvrs" / "nist"
SCHEMA = json.loads((NIST / "NIST_V0_cast_vote_records.json").read_text(encoding="utf-8"))
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
EXAMPLES = ["example_1", "example_2"]

Json = dict[str, Any]


def read(name: str) -> Json:
    value = json.loads((NIST / name).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


# --- XML → JSON, as the JSON schema lays the standard out ---------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _definition(schema: Json, element: ET.Element) -> str | None:
    """The schema definition an element is an instance of; ``None`` for a plain value."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
    elif "oneOf" in schema:
        declared = element.get(XSI_TYPE)
        name = "CVR." + (declared.rsplit(":", 1)[-1] if declared else _local(element.tag))
        assert name in [str(s["$ref"]).rsplit("/", 1)[-1] for s in schema["oneOf"]], name
    else:
        return None
    return name if "properties" in SCHEMA["definitions"][name] else None


def _scalar(schema: Json, text: str) -> object:
    if "$ref" in schema:
        schema = SCHEMA["definitions"][str(schema["$ref"]).rsplit("/", 1)[-1]]
    if schema.get("type") == "integer":
        return int(text.strip())
    if schema.get("type") == "boolean":
        return {"true": True, "false": False}[text.strip()]
    return text


def _object(element: ET.Element, name: str) -> Json:
    properties = SCHEMA["definitions"][name]["properties"]
    out: Json = {"@type": name}
    for attribute, text in element.attrib.items():
        if attribute != XSI_TYPE:
            key = "@id" if attribute == "ObjectId" else attribute
            assert key in properties, (name, key)
            out[key] = text
    for child in element:
        key = _local(child.tag)
        assert key in properties, (name, key)
        many = properties[key].get("type") == "array"
        schema = properties[key]["items"] if many else properties[key]
        sub = _definition(schema, child)
        value = _object(child, sub) if sub else _scalar(schema, child.text or "")
        if many:
            out.setdefault(key, []).append(value)
        else:
            assert key not in out, (name, key)
            out[key] = value
    return out


def xml_to_json(path: Path) -> Json:
    """An SP 1500-103 XML file in the JSON form: each element a member named as the element, an
    object's class in ``@type``, ``ObjectId`` as ``@id``, ``xsi:type`` choosing the class, and
    arrays, integers and booleans where the JSON schema has them. Text is kept as written."""
    root = ET.parse(path).getroot()
    assert _local(root.tag) == "CastVoteRecordReport"
    return _object(root, "CVR.CastVoteRecordReport")


def follows_schema(
    value: object, where: str = "", missing_ok: frozenset[str] = frozenset()
) -> None:
    """Every object's members are those its ``@type``'s definition allows, required ones present
    (but those in ``missing_ok``, written ``Definition.member``)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            follows_schema(item, f"{where}/{i}", missing_ok)
    if not isinstance(value, dict):
        return
    definition = SCHEMA["definitions"][value["@type"]]
    assert set(value) <= set(definition["properties"]), (where, set(value))
    for key in definition.get("required", []):
        assert key in value or f"{value['@type']}.{key}" in missing_ok, (where, key)
    for key, item in value.items():
        follows_schema(item, f"{where}/{key}", missing_ok)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_json_examples_translate_nists_xml(example: str) -> None:
    translated = xml_to_json(NIST / f"{example}.xml")
    assert read(f"{example}.json") == translated
    # NIST's examples name image files but embed no image Data, which the schema requires.
    follows_schema(translated, missing_ok=frozenset({"CVR.Image.Data"}))


def test_the_fixture_follows_the_schema() -> None:
    follows_schema(read("cvr.json"))


# --- the oracle --------------------------------------------------------------------------------


def _named(text: object, fallback: str) -> str:
    return " ".join(text.split()) if isinstance(text, str) and text.strip() else fallback


def oracle(report: Json) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Votes per contest per choice, and overvoted cards per contest, by a plain walk of the
    JSON: a vote is a position with ``IsAllocable`` ``yes``; a contest with ``Overvotes``, the
    ``overvoted`` status or more votes than ``VotesAllowed`` counts for nobody."""
    (election,) = report["Election"]
    people = {c["@id"]: _named(c.get("Name"), c["@id"]) for c in election.get("Candidate", [])}
    parties = {p["@id"]: _named(p.get("Name"), p["@id"]) for p in report.get("Party", [])}
    names: dict[str, str] = {}
    allowed: dict[str, int | None] = {}
    choices: dict[str, dict[str, str]] = {}
    for contest in election["Contest"]:
        cid = contest["@id"]
        names[cid] = _named(contest.get("Name"), cid)
        allowed[cid] = contest.get("VotesAllowed")
        if contest["@type"] == "CVR.BallotMeasureContest":
            allowed[cid] = 1
        choices[cid] = {}
        for s in contest["ContestSelection"]:
            if "CandidateIds" in s:
                choices[cid][s["@id"]] = " / ".join(people[c] for c in s["CandidateIds"])
            elif "PartyIds" in s:
                choices[cid][s["@id"]] = " / ".join(parties[p] for p in s["PartyIds"])
            else:
                choices[cid][s["@id"]] = _named(s.get("Selection"), s["@id"])
    votes = {names[c]: {n: 0 for n in choices[c].values() if n} for c in names}
    overvoted = {names[c]: 0 for c in names}
    for cvr in report["CVR"]:
        (snapshot,) = [s for s in cvr["CVRSnapshot"] if s["@id"] == cvr["CurrentSnapshotId"]]
        for contest in snapshot.get("CVRContest", []):
            cid = contest["ContestId"]
            picked = []
            for s in contest.get("CVRContestSelection", []):
                for p in s["SelectionPosition"]:
                    if p.get("IsAllocable") == "yes":
                        picked += [s["ContestSelectionId"]] * p["NumberVotes"]
            limit = allowed[cid]
            if (
                contest.get("Overvotes", 0) > 0
                or "overvoted" in contest.get("Status", [])
                or (limit is not None and len(picked) > limit)
            ):
                overvoted[names[cid]] += 1
                continue
            for sid in picked:
                votes[names[cid]][choices[cid][sid]] += 1
    return votes, overvoted


def counted(cvrs: CvrFile) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    t = tally(cvrs).contests
    return {c: dict(t[c].votes) for c in t}, {c: t[c].overvoted_cards for c in t}


# --- NIST's examples ---------------------------------------------------------------------------

XML_REFUSED = (
    "{name}:1: this is XML; ballotproof reads the JSON form of NIST SP 1500-103 (export the "
    "cast vote records as JSON)"
)
NO_BATCH = (
    "{name}: field '/CVR/0/BatchId': expected the ballot's batch (the manifest's Batch Name) "
    "(the key is missing)"
)

EXAMPLE_2_CONTESTS = [
    "For Governor and Lieutenant Governor",
    "For Attorney General",
    "For Auditor of State",
    "For Secretary of State",
    "For Treasurer of State",
    "For Representative to Congress(11th District)",
    "For State Representative(34th District)",
    "For Member of County Council at Large",
    "For Member of State Board of Education(7th District)",
    "For Justice of the Supreme Court Full Term Commencing 1/1/2015",
    "For Justice of the Supreme Court Full Term Commencing 1/2/2015",
    "For Judge of the Court of Appeals(9th District) Full Term Commencing 2/9/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 1/2/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 1/3/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 1/5/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 1/6/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 2/9/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 5/1/2015",
    "For Judge of the Court of Common Pleas Full Term Commencing 1/4/2015",
    "For Judge of the Court of Common Pleas(Juvenile Division) Full Term Commencing 1/1/2015",
    "For Judge of the Court of Common Pleas(Domestic Relations Division) Full Term Commencing "
    "1/4/2015",
    "For Judge of the Court of Common Pleas(Probate Division) Full Term Commencing 1/4/2015",
    "12 Proposed Sales and Use Tax County of Summit",
    "13 Proposed Charter Amendment County of Summit",
    "14 Proposed Charter Amendment County of Summit",
]

#: Read off the XML by hand. Example 1 (one contest, nothing named): CVRs 1, 3 (its second
#: position has no indication) and 57 vote for the first candidate, CVR 2 for the second, CVR 4
#: is overvoted, and the write-in on CVR 61 awaits adjudication (IsAllocable unknown). Example 2:
#: the first CVR's only allocable-looking marks are an overvote (Treasurer) and an unadjudicated
#: write-in; the second CVR's current snapshot is the original, whose mark is still unknown.
EXPECTED: dict[str, tuple[dict[str, dict[str, int]], dict[str, int]]] = {
    "example_1": ({"_C1": {"_C1CN1": 3, "_C1CN2": 1, "_C1CN3": 0}}, {"_C1": 1}),
    "example_2": (
        {},  # every choice 0: filled in below from the contests
        {c: int(c == "For Treasurer of State") for c in EXAMPLE_2_CONTESTS},
    ),
}


def with_batch(example: str, tmp_path: Path) -> Path:
    report = read(f"{example}.json")
    for cvr in report["CVR"]:
        cvr["BatchId"] = "1"
    path = tmp_path / f"{example}.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


@pytest.mark.parametrize("example", EXAMPLES)
def test_nists_xml_examples_are_refused_as_xml(example: str) -> None:
    name = f"{example}.xml"
    with pytest.raises(InputError) as info:
        load_nist_cvr(NIST / name, display=name)
    assert str(info.value) == XML_REFUSED.format(name=name)


@pytest.mark.parametrize("example", EXAMPLES)
def test_nists_json_examples_are_refused_for_want_of_a_batch(example: str) -> None:
    name = f"{example}.json"
    with pytest.raises(InputError) as info:
        load_nist_cvr(NIST / name, display=name)
    assert str(info.value) == NO_BATCH.format(name=name)


@pytest.mark.parametrize("example", EXAMPLES)
def test_nists_examples_with_a_batch_count_as_the_oracle_does(example: str, tmp_path: Path) -> None:
    cvrs = load_nist_cvr(with_batch(example, tmp_path))
    votes, overvoted = counted(cvrs)
    assert (votes, overvoted) == oracle(read(f"{example}.json"))
    expected_votes, expected_over = EXPECTED[example]
    if example == "example_2":
        expected_votes = {c: dict.fromkeys(cvrs.contests[c].choices, 0) for c in cvrs.contests}
    assert (votes, overvoted) == (expected_votes, expected_over)


def test_example_1_reads_records_names_and_identity(tmp_path: Path) -> None:
    cvrs = load_nist_cvr(with_batch("example_1", tmp_path), display="example_1.json")
    assert cvrs.election == "_EL7"
    assert dict(cvrs.contests) == {"_C1": ContestInfo("_C1", None, ("_C1CN1", "_C1CN2", "_C1CN3"))}
    rows = [
        (r.tabulator, r.batch, r.record_id, r.position, r.imprinted_id, dict(r.votes), r.overvotes)
        for r in cvrs.records
    ]
    one = frozenset({"_C1CN1"})
    assert rows == [
        ("_RD1", "1", 1, 1, "1", {"_C1": one}, frozenset()),
        ("_RD1", "1", 2, 2, "2", {"_C1": frozenset({"_C1CN2"})}, frozenset()),
        ("_RD1", "1", 3, 3, "3", {"_C1": one}, frozenset()),
        # Overvoted by Status; both marks are on one selection, so the marks are not known.
        ("_RD1", "1", 4, 4, "4", {"_C1": frozenset()}, frozenset({"_C1"})),
        ("_RD1", "1", 5, 5, "61", {"_C1": frozenset()}, frozenset()),
        ("_RD1", "1", 6, 6, "57", {"_C1": one}, frozenset()),
    ]


def test_example_2_keeps_the_overvotes_marks_and_names_contests(tmp_path: Path) -> None:
    cvrs = load_nist_cvr(with_batch("example_2", tmp_path))
    assert list(cvrs.contests) == EXAMPLE_2_CONTESTS
    assert cvrs.contests["For Governor and Lieutenant Governor"].choices == (
        "Edward FitzGerald and Sharen Swartz Neuhardt",
        "John Kasich and Mary Taylor",
        "Anita Rios and Bob Fitrakis",
    )
    assert cvrs.contests["For Member of County Council at Large"].votes_allowed == 3
    first, second = cvrs.records
    assert (first.tabulator, first.batch, first.imprinted_id) == ("rd", "1", "rd-1-1")
    assert first.votes["For Treasurer of State"] == {"Connie Pillich", "Josh Mandel"}
    assert first.overvotes == {"For Treasurer of State"}
    assert first.votes["For Governor and Lieutenant Governor"] == frozenset()  # write-in: unknown
    assert len(first.votes) == 25
    # The current snapshot is css-01 (the original), not the adjudicated css-03.
    assert dict(second.votes) == {"For Representative to Congress(11th District)": frozenset()}
    assert cvrs.election == "_AK2014General"  # its Name is empty


# --- the fixture -------------------------------------------------------------------------------

MAYOR, GOVERNOR, COUNCIL = "Mayor", "Governor and Lieutenant Governor", "City Council"
MEASURE, PARTY = "Measure A", "Straight Party"


def test_fixture_records() -> None:
    cvrs = load_nist_cvr(NIST / "cvr.json", display="cvr.json")
    assert (cvrs.source, cvrs.format, cvrs.election) == ("cvr.json", FORMAT, "County General 2024")
    assert dict(cvrs.contests) == {
        MAYOR: ContestInfo(MAYOR, 1, ("Ann Archer", "Bo Baker")),  # the write-in line: no name
        GOVERNOR: ContestInfo(GOVERNOR, 1, ("Cy Cole / Di Dunn", "Ed Estes")),
        COUNCIL: ContestInfo(COUNCIL, 2, ("Fay Fox", "Gus Gray", "Hal Hill")),
        MEASURE: ContestInfo(MEASURE, 1, ("Yes", "No")),
        PARTY: ContestInfo(PARTY, None, ("Democratic", "Republican")),
    }
    rows = [
        (
            r.tabulator,
            r.batch,
            r.record_id,
            r.position,
            r.imprinted_id,
            {c: sorted(v) for c, v in r.votes.items()},
            sorted(r.overvotes),
        )
        for r in cvrs.records
    ]
    assert rows == [
        (
            "TAB-1",
            "1",
            2,
            2,
            "1-1-2",
            {MAYOR: ["Ann Archer"], COUNCIL: ["Fay Fox", "Gus Gray"], MEASURE: ["Yes"]},
            [],
        ),
        # The current snapshot is the modified one: an overvote, marks kept.
        (
            "TAB-1",
            "1",
            1,
            1,
            "1-1-1",
            {MAYOR: ["Ann Archer", "Bo Baker"], GOVERNOR: ["Cy Cole / Di Dunn"]},
            [MAYOR],
        ),
        # No BatchSequenceId: numbered in file order; UniqueId is the imprint; the write-in
        # awaits adjudication, so no vote.
        ("TAB-1", "2", 1, 1, "17", {MAYOR: [], COUNCIL: ["Hal Hill"], PARTY: ["Republican"]}, []),
        # Three allocated in a vote-for-2 contest: an overvote by count. A generated vote counts.
        (
            "TAB-2",
            "1",
            1,
            1,
            "TAB-2-1-1",
            {COUNCIL: ["Fay Fox", "Gus Gray", "Hal Hill"], MAYOR: ["Bo Baker"]},
            [COUNCIL],
        ),
        ("TAB-2", "1", 2, 2, "TAB-2-1-2", {MAYOR: [], MEASURE: ["No"]}, []),
        ("TAB-2", "2", 5, 1, "900", {MAYOR: ["Ann Archer"]}, []),
    ]


def test_fixture_counts_as_the_oracle_does() -> None:
    votes, overvoted = counted(load_nist_cvr(NIST / "cvr.json"))
    assert (votes, overvoted) == oracle(read("cvr.json"))
    assert votes == {
        MAYOR: {"Ann Archer": 2, "Bo Baker": 1},
        GOVERNOR: {"Cy Cole / Di Dunn": 1, "Ed Estes": 0},
        COUNCIL: {"Fay Fox": 1, "Gus Gray": 1, "Hal Hill": 1},
        MEASURE: {"Yes": 1, "No": 1},
        PARTY: {"Democratic": 0, "Republican": 1},
    }
    assert overvoted == {MAYOR: 1, GOVERNOR: 0, COUNCIL: 1, MEASURE: 0, PARTY: 0}


def test_a_single_device_report_names_the_tabulator(tmp_path: Path) -> None:
    report = read("cvr.json")
    report["ReportType"] = ["originating-device-export"]
    report["ReportGeneratingDeviceIds"] = ["TAB-9"]
    for cvr in report["CVR"]:
        del cvr["CreatingDeviceId"]
        cvr.pop("BatchSequenceId", None)
        cvr.pop("UniqueId", None)
    path = tmp_path / "cvr.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    records = load_nist_cvr(path).records
    assert [(r.tabulator, r.batch, r.position, r.imprinted_id) for r in records] == [
        ("TAB-9", "1", 1, "1-1-2"),
        ("TAB-9", "1", 2, "1-1-1"),
        ("TAB-9", "2", 1, "TAB-9-2-1"),
        ("TAB-9", "1", 3, "TAB-9-1-3"),
        ("TAB-9", "1", 4, "TAB-9-1-4"),
        ("TAB-9", "2", 2, "TAB-9-2-2"),
    ]


def test_doctests() -> None:
    result = doctest.testmod(nist_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed


# --- malformed input ---------------------------------------------------------------------------

Edit = Callable[[Json], object]


def _cvr(r: Json, i: int) -> Json:
    cvr: Json = r["CVR"][i]
    return cvr


def _contest(r: Json, i: int, k: int = 0) -> Json:
    """CVR ``i``'s ``k``-th contest in its current snapshot (the first, but for CVR 1)."""
    snapshot = _cvr(r, i)["CVRSnapshot"][1 if i == 1 else 0]
    contest: Json = snapshot["CVRContest"][k]
    return contest


def _position(r: Json, i: int, k: int = 0, s: int = 0) -> Json:
    position: Json = _contest(r, i, k)["CVRContestSelection"][s]["SelectionPosition"][0]
    return position


def _defined(r: Json, cid: str) -> Json:
    found: list[Json] = [c for c in r["Election"][0]["Contest"] if c["@id"] == cid]
    (contest,) = found
    return contest


def _second_election(r: Json) -> None:
    r["Election"].append(
        {"@type": "CVR.Election", "@id": "e2", "Contest": [], "ElectionScopeId": "x"}
    )
    _cvr(r, 3)["ElectionId"] = "e2"


C0 = "/CVR/0/CVRSnapshot/0/CVRContest/0"
P0 = f"{C0}/CVRContestSelection/0/SelectionPosition/0"
M = "/Election/0/Contest/0"

#: (case, edit of ``cvr.json``, error type, the exact message for the file ``bad.json``)
MALFORMED: list[tuple[str, Edit, type[BallotproofError], str]] = [
    (
        "report-type",
        lambda r: r.update({"@type": "ElectionReport"}),
        InputError,
        "bad.json: field '/@type': expected 'CVR.CastVoteRecordReport', got 'ElectionReport'",
    ),
    (
        "no-election",
        lambda r: r.pop("Election"),
        InputError,
        "bad.json: field '/Election': expected an array (the key is missing)",
    ),
    (
        "no-cvrs",
        lambda r: r.update({"CVR": []}),
        InputError,
        "bad.json: field '/CVR': the file lists no cast vote records",
    ),
    (
        "cvr-not-object",
        lambda r: r["CVR"].append(3),
        InputError,
        "bad.json: field '/CVR/6': expected an object, got 3",
    ),
    (
        "unknown-election",
        lambda r: _cvr(r, 0).update({"ElectionId": "e1999"}),
        IntegrityError,
        "bad.json: field '/CVR/0/ElectionId': election 'e1999' is not defined in /Election",
    ),
    (
        "two-elections",
        _second_election,
        IntegrityError,
        "bad.json: field '/CVR/3/ElectionId': this CVR belongs to election 'e2', /CVR/0 to "
        "'e2024'; load one election at a time",
    ),
    (
        "duplicate-election",
        lambda r: r["Election"].append(copy.deepcopy(r["Election"][0])),
        IntegrityError,
        "bad.json: field '/Election/1/@id': election 'e2024' is already defined at /Election/0",
    ),
    (
        "no-current-snapshot",
        lambda r: _cvr(r, 0).update({"CurrentSnapshotId": "s-9"}),
        IntegrityError,
        "bad.json: field '/CVR/0/CurrentSnapshotId': no CVRSnapshot of this CVR has @id 's-9'",
    ),
    (
        "duplicate-snapshot",
        lambda r: _cvr(r, 1)["CVRSnapshot"][0].update({"@id": "m-2"}),
        IntegrityError,
        "bad.json: field '/CVR/1/CVRSnapshot/1/@id': snapshot 'm-2' is already defined at "
        "/CVR/1/CVRSnapshot/0",
    ),
    (
        "unknown-contest",
        lambda r: _contest(r, 0).update({"ContestId": "sheriff"}),
        IntegrityError,
        f"bad.json: field '{C0}/ContestId': contest 'sheriff' is not defined in /Election/0",
    ),
    (
        "contest-twice",
        lambda r: _contest(r, 0, 1).update({"ContestId": "mayor"}),
        IntegrityError,
        "bad.json: field '/CVR/0/CVRSnapshot/0/CVRContest/1/ContestId': contest 'mayor' is also "
        f"listed at {C0}",
    ),
    (
        "selection-of-other-contest",
        lambda r: _contest(r, 0)["CVRContestSelection"][0].update({"ContestSelectionId": "s-fay"}),
        IntegrityError,
        f"bad.json: field '{C0}/CVRContestSelection/0/ContestSelectionId': selection 's-fay' is "
        f"not one of contest 'mayor' at {M}",
    ),
    (
        "selection-twice",
        lambda r: _contest(r, 0, 1)["CVRContestSelection"][1].update(
            {"ContestSelectionId": "s-fay"}
        ),
        IntegrityError,
        "bad.json: field '/CVR/0/CVRSnapshot/0/CVRContest/1/CVRContestSelection/1/"
        "ContestSelectionId': selection 's-fay' is also listed at "
        "/CVR/0/CVRSnapshot/0/CVRContest/1/CVRContestSelection/0",
    ),
    (
        "indication-text",
        lambda r: _position(r, 0).update({"HasIndication": "maybe"}),
        InputError,
        f"bad.json: field '{P0}/HasIndication': expected 'yes' or 'no' or 'unknown', got 'maybe'",
    ),
    (
        "allocable-boolean",
        lambda r: _position(r, 0).update({"IsAllocable": True}),
        InputError,
        f"bad.json: field '{P0}/IsAllocable': expected 'yes' or 'no' or 'unknown', got true",
    ),
    (
        "allocable-missing",
        lambda r: _position(r, 0).pop("IsAllocable"),
        InputError,
        f"bad.json: field '{P0}/IsAllocable': expected 'yes', 'no' or 'unknown' (the position "
        "has a mark (HasIndication 'yes') but does not say whether it counts)",
    ),
    (
        "number-votes-missing",
        lambda r: _position(r, 0).pop("NumberVotes"),
        InputError,
        f"bad.json: field '{P0}/NumberVotes': expected an integer ≥ 0 (the key is missing)",
    ),
    (
        "no-positions",
        lambda r: _contest(r, 0)["CVRContestSelection"][0].update({"SelectionPosition": []}),
        InputError,
        f"bad.json: field '{C0}/CVRContestSelection/0/SelectionPosition': a CVRContestSelection "
        "needs at least one SelectionPosition",
    ),
    (
        "cumulative-number",
        lambda r: _position(r, 0).update({"NumberVotes": 2}),
        InputError,
        f"bad.json: field '{P0}/NumberVotes': expected 1 on an allocable position, got 2 (a vote "
        "worth more than one (cumulative voting) is not supported)",
    ),
    (
        "allocable-without-vote",
        lambda r: _position(r, 0).update({"NumberVotes": 0}),
        InputError,
        f"bad.json: field '{P0}/NumberVotes': expected 1 on an allocable position, got 0 (an "
        "allocable position without a vote contradicts itself)",
    ),
    (
        "cumulative-positions",
        lambda r: _contest(r, 0)["CVRContestSelection"][0]["SelectionPosition"].append(
            dict(_position(r, 0))
        ),
        InputError,
        f"bad.json: field '{C0}/CVRContestSelection/0/SelectionPosition/1/IsAllocable': a second "
        "allocable position in one selection (a vote worth more than one) is not supported",
    ),
    (
        "rank-on-selection",
        lambda r: _contest(r, 0)["CVRContestSelection"][0].update({"Rank": 1}),
        InputError,
        f"bad.json: field '{C0}/CVRContestSelection/0/Rank': ranked-choice votes are not supported",
    ),
    (
        "rank-on-position",
        lambda r: _position(r, 0).update({"Rank": 2}),
        InputError,
        f"bad.json: field '{P0}/Rank': ranked-choice votes are not supported",
    ),
    (
        "fractional-position",
        lambda r: _position(r, 0).update({"FractionalVotes": "1/2"}),
        InputError,
        f"bad.json: field '{P0}/FractionalVotes': fractional votes are not supported: a vote "
        "counts 1 or nothing",
    ),
    (
        "fractional-total",
        lambda r: _contest(r, 0)["CVRContestSelection"][0].update({"TotalFractionalVotes": ".5"}),
        InputError,
        f"bad.json: field '{C0}/CVRContestSelection/0/TotalFractionalVotes': fractional votes are "
        "not supported: a vote counts 1 or nothing",
    ),
    (
        "ranked-contest",
        lambda r: _defined(r, "mayor").update({"VoteVariation": "rcv"}),
        InputError,
        f"bad.json: field '{M}/VoteVariation': ranked-choice contests are not supported: a "
        "ballot's votes must be a set of choices",
    ),
    (
        "cumulative-contest",
        lambda r: _defined(r, "council").update({"VoteVariation": "cumulative"}),
        InputError,
        "bad.json: field '/Election/0/Contest/2/VoteVariation': cumulative contests are not "
        "supported: a ballot's votes must be a set of choices",
    ),
    (
        "write-in-without-selection",
        lambda r: _cvr(r, 5)["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
            "SelectionPosition"
        ][0].update({"IsAllocable": "yes"}),
        InputError,
        "bad.json: field '/CVR/5/CVRSnapshot/0/CVRContest/0/CVRContestSelection/0': a vote for a "
        "write-in without a ContestSelectionId has no choice to count for; resolve write-ins to "
        "candidates before exporting",
    ),
    (
        "write-in-line-without-candidate",
        lambda r: _position(r, 2).update({"IsAllocable": "yes"}),
        InputError,
        "bad.json: field '/CVR/2/CVRSnapshot/0/CVRContest/0/CVRContestSelection/0': a vote for a "
        "write-in without a candidate (selection 's-wi' has no CandidateIds) has no choice to "
        "count for; resolve write-ins to candidates before exporting",
    ),
    (
        "overvote-that-allocates",
        lambda r: _contest(r, 0).update({"Overvotes": 1}),
        IntegrityError,
        f"bad.json: field '{C0}': the contest is marked overvoted (Overvotes or Status) but "
        "allocates 1 vote(s), no more than the 1 allowed",
    ),
    (
        "overvotes-negative",
        lambda r: _contest(r, 0).update({"Overvotes": -1}),
        InputError,
        f"bad.json: field '{C0}/Overvotes': expected an integer ≥ 0, got -1",
    ),
    (
        "no-batch",
        lambda r: _cvr(r, 2).pop("BatchId"),
        InputError,
        "bad.json: field '/CVR/2/BatchId': expected the ballot's batch (the manifest's Batch "
        "Name) (the key is missing)",
    ),
    (
        "batch-number",
        lambda r: _cvr(r, 2).update({"BatchId": 2}),
        InputError,
        "bad.json: field '/CVR/2/BatchId': expected a non-empty string, got 2",
    ),
    (
        "no-device-in-aggregated-report",
        lambda r: _cvr(r, 4).pop("CreatingDeviceId"),
        InputError,
        "bad.json: field '/CVR/4/CreatingDeviceId': expected the device that scanned the ballot "
        "(the key is missing, and the report does not name the one device that made every CVR "
        "(ReportGeneratingDeviceIds))",
    ),
    (
        "sequence-in-part-of-a-batch",
        lambda r: _cvr(r, 4).update({"BatchSequenceId": 9}),
        InputError,
        "bad.json: field '/CVR/4/BatchSequenceId': this CVR has a BatchSequenceId but /CVR/3, in "
        "the same batch, has none",
    ),
    (
        "sequence-twice",
        lambda r: _cvr(r, 1).update({"BatchSequenceId": 2}),
        IntegrityError,
        "bad.json: field '/CVR/1/BatchSequenceId': tabulator 'TAB-1', batch '1', record 2 is "
        "already listed at /CVR/0",
    ),
    (
        "sequence-negative",
        lambda r: _cvr(r, 0).update({"BatchSequenceId": -1}),
        InputError,
        "bad.json: field '/CVR/0/BatchSequenceId': expected an integer ≥ 0, got -1",
    ),
    (
        "audit-id-twice",
        lambda r: _cvr(r, 1).update({"BallotAuditId": "1-1-2"}),
        IntegrityError,
        "bad.json: field '/CVR/1/BallotAuditId': BallotAuditId '1-1-2' is already used at /CVR/0",
    ),
    (
        "unique-id-twice-on-a-device",
        lambda r: _cvr(r, 4).update({"UniqueId": "900"}),
        IntegrityError,
        "bad.json: field '/CVR/5/UniqueId': UniqueId '900' of device 'TAB-2' is already used at "
        "/CVR/4",
    ),
    (
        "contest-name-twice",
        lambda r: _defined(r, "gov").update({"Name": " Mayor"}),
        IntegrityError,
        "bad.json: field '/Election/0/Contest/1/Name': contest name 'Mayor' is already defined "
        f"at {M}",
    ),
    (
        "choice-name-twice",
        lambda r: _defined(r, "mayor")["ContestSelection"][1].update({"CandidateIds": ["ann"]}),
        IntegrityError,
        f"bad.json: field '{M}/ContestSelection/1/@id': choice 'Ann Archer' of contest 'Mayor' is "
        f"already defined at {M}/ContestSelection/0",
    ),
    (
        "unknown-candidate",
        lambda r: _defined(r, "gov")["ContestSelection"][0].update({"CandidateIds": ["cy", "zz"]}),
        IntegrityError,
        "bad.json: field '/Election/0/Contest/1/ContestSelection/0/CandidateIds/1': candidate "
        "'zz' is not defined in /Election/0/Candidate",
    ),
    (
        "unknown-party",
        lambda r: _defined(r, "straight")["ContestSelection"][0].update({"PartyIds": ["grn"]}),
        IntegrityError,
        "bad.json: field '/Election/0/Contest/4/ContestSelection/0/PartyIds/0': party 'grn' is "
        "not defined in /Party",
    ),
    (
        "contest-type",
        lambda r: _defined(r, "mayor").update({"@type": "CVR.CVRContest"}),
        InputError,
        f"bad.json: field '{M}/@type': expected 'CVR.BallotMeasureContest' or "
        "'CVR.CandidateContest' or 'CVR.Contest' or 'CVR.PartyContest' or "
        "'CVR.RetentionContest', got 'CVR.CVRContest'",
    ),
    (
        "votes-allowed-zero",
        lambda r: _defined(r, "mayor").update({"VotesAllowed": 0}),
        InputError,
        f"bad.json: field '{M}/VotesAllowed': expected an integer ≥ 1, got 0",
    ),
    (
        "contest-without-selections",
        lambda r: _defined(r, "mayor").update({"ContestSelection": []}),
        InputError,
        f"bad.json: field '{M}/ContestSelection': a contest needs at least one ContestSelection",
    ),
    (
        "name-not-text",
        lambda r: _defined(r, "mayor").update({"Name": ["Mayor"]}),
        InputError,
        f"bad.json: field '{M}/Name': expected a string, got an array",
    ),
]


def test_the_malformed_cases_have_distinct_names() -> None:
    names = [case[0] for case in MALFORMED]
    assert len(names) == len(set(names)) >= 40


@pytest.mark.parametrize(
    ("edit", "kind", "expected"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_input_gives_its_one_line_message(
    edit: Edit, kind: type[BallotproofError], expected: str, tmp_path: Path
) -> None:
    report = read("cvr.json")
    edit(report)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(BallotproofError) as info:
        load_nist_cvr(path, display="bad.json")
    assert type(info.value) is kind
    assert str(info.value) == expected
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{\n  "CVR": [,]\n}', "bad.json:2: malformed JSON: Expecting value (column 11)"),
        (b"[]", "bad.json: field '/': expected an object, got an array"),
        (
            b'{"@type": "CVR.Cast\xe9"}',
            "bad.json:1: byte 0xe9 is not UTF-8; save the file as UTF-8",
        ),
        (b"  <CastVoteRecordReport/>", XML_REFUSED.format(name="bad.json")),
        (
            b"{}",
            "bad.json: field '/@type': expected 'CVR.CastVoteRecordReport' (the key is missing)",
        ),
    ],
    ids=["malformed", "array", "non-utf8", "xml", "empty-object"],
)
def test_unreadable_bytes_give_their_one_line_message(
    content: bytes, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_nist_cvr(path, display="bad.json")
    assert str(info.value) == expected


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^nothing\.json: cannot read file: "):
        load_nist_cvr(tmp_path / "nothing.json", display="nothing.json")
