"""NIST SP 1500-100 v2 (Election Results Common Data Format) JSON import and export.

Reference: NIST Special Publication 1500-100r2, *Election Results Common Data Format
Specification*, version 2 (2020), and its JSON schema (``NIST_V2_election_results_reporting.json``,
copied with its provenance in ``tests/data/nist/``). Every document :func:`to_nist` writes
validates against that schema (``tests/unit/test_nist_schema.py``).

Mapping (ballotproof → NIST; every ``@type`` is ``ElectionResults.<class>``):

* :class:`~ballotproof.model.Election` → ``ElectionReport`` with one ``Election``
  (``Name``, ``StartDate`` = ``EndDate`` = the election date, ``Type`` = ``general``);
  ``source`` → report ``Notes``;
* :class:`~ballotproof.model.Unit` → ``GpUnit`` of class ``ReportingUnit`` with ``Type``
  (ReportingUnitType) and ``ComposingGpUnitIds`` listing its children;
* :class:`~ballotproof.model.Contest` → ``CandidateContest`` (``NumberElected`` and
  ``VotesAllowed`` = seats, ``ElectionDistrictId`` = the root unit);
* candidate choices → ``Candidate`` + ``CandidateSelection`` (``IsWriteIn``), parties →
  ``Party``; vote counts → ``VoteCounts`` (``GpUnitId``, ``Type`` = CountItemType, ``Count``);
* the non-candidate lines ``overvotes``, ``undervotes`` and ``scattering`` with total counts
  only → ``OtherCounts`` (``Overvotes``, ``Undervotes``, ``WriteIns``) per unit, as the standard
  has them; any other non-candidate line → a ``CandidateSelection`` naming no candidate.

What the standard has no field for travels in ``ExternalIdentifier`` entries of ``Type``
``other`` (the standard's own extension point), which other readers may ignore:

* ``ballotproof-electors`` on a unit: electors awarded to its plurality winner;
* ``ballotproof-line`` on a contest (``Label`` = choice id, ``Value`` = name): a non-candidate
  line, so that its name survives;
* ``ballotproof-choice-order`` on a contest (``Value`` = JSON list of choice ids): the order of
  the choices, when it differs from the order they would be read back in;
* ``ballotproof-date`` = ``unknown`` on the election: the schema requires a date, ballotproof
  did not know it; the ``StartDate``/``EndDate`` written then (``1970-01-01``) carry no meaning.

Import reads any schema-valid file for the concepts ballotproof models (one election; candidate,
party, ballot-measure and retention contests; reporting units and devices; vote counts by
count type; other counts), with or without these extensions, and says by JSON path what it
cannot represent (ranked-choice rounds, suppressed counts, count types it has no equivalent
for). Ballotproof's earlier files (``@type`` without the ``ElectionResults.`` prefix, an
``ExternalIdentifiers`` wrapper) are read too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ballotproof.errors import InputError, IntegrityError
from ballotproof.model import (
    Choice,
    ChoiceId,
    Contest,
    ContestId,
    CountType,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)

__all__ = ["from_nist", "load_nist", "nist_text", "to_nist", "write_nist"]

NS = "ElectionResults."
ELECTORS = "ballotproof-electors"
LINE = "ballotproof-line"
ORDER = "ballotproof-choice-order"
DATE = "ballotproof-date"
NO_DATE = "1970-01-01"
_OTHER_LINES = {
    "overvotes": ("Overvotes", "Overvotes"),
    "undervotes": ("Undervotes", "Undervotes (blank)"),
    "scattering": ("WriteIns", "Other, write-in and scattering (no candidate named)"),
}
_UNIT_TYPES = {t.value: t for t in UnitType}
_COUNT_TYPES = {t.value: t for t in CountType}


def _text(value: str) -> dict[str, Any]:
    return {
        "@type": NS + "InternationalizedText",
        "Text": [{"@type": NS + "LanguageString", "Language": "en", "Content": value}],
    }


def _ext(other_type: str, value: str, label: str | None = None) -> dict[str, Any]:
    item = {"@type": NS + "ExternalIdentifier", "Type": "other", "OtherType": other_type}
    if label is not None:
        item["Label"] = label
    item["Value"] = value
    return item


def _in_other_counts(choice: Choice, counts: list[VoteCount]) -> bool:
    """Whether a choice is one of the standard's OtherCounts lines, exactly."""
    return (
        not choice.is_candidate
        and choice.id in _OTHER_LINES
        and not choice.is_write_in
        and not choice.party
        and bool(counts)
        and all(c.count_type is CountType.TOTAL for c in counts)
    )


def to_nist(election: Election) -> dict[str, Any]:
    """The NIST SP 1500-100 v2 ``ElectionReport`` of ``election``, as JSON-ready data."""
    children: dict[str | None, list[str]] = {}
    for u in election.units:
        children.setdefault(u.parent, []).append(u.id)
    gp_units = []
    for u in election.units:
        item: dict[str, Any] = {
            "@type": NS + "ReportingUnit",
            "@id": u.id,
            "Name": _text(u.name),
            "Type": u.type.value,
        }
        if children.get(u.id):
            item["ComposingGpUnitIds"] = children[u.id]
        if u.electors:
            item["ExternalIdentifier"] = [_ext(ELECTORS, str(u.electors))]
        gp_units.append(item)
    parties: dict[str, str] = {}  # name → @id
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    roots = [u.id for u in election.units if u.parent is None]
    scope = roots[0] if roots else (election.units[0].id if election.units else "")
    ids = _Ids(election)
    for contest in election.contests:
        contests.append(_contest_doc(contest, scope, parties, candidates, ids))
    election_item: dict[str, Any] = {
        "@type": NS + "Election",
        "Name": _text(election.name),
        "Type": "general",
        "ElectionScopeId": scope,
        "StartDate": election.date.isoformat() if election.date else NO_DATE,
        "EndDate": election.date.isoformat() if election.date else NO_DATE,
        "Contest": contests,
        "Candidate": candidates,
    }
    if election.date is None:
        election_item["ExternalIdentifier"] = [_ext(DATE, "unknown")]
    return {
        "@type": NS + "ElectionReport",
        "Format": "summary-contest",
        "GeneratedDate": (election.date.isoformat() if election.date else NO_DATE) + "T00:00:00Z",
        "Issuer": "ballotproof",
        "IssuerAbbreviation": "ballotproof",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": "unofficial-complete",
        "VendorApplicationId": "ballotproof 0.1.0",
        "Notes": election.source,
        "Election": [election_item],
        "GpUnit": gp_units,
        "Party": [
            {"@type": NS + "Party", "@id": pid, "Name": _text(name)}
            for name, pid in parties.items()
        ],
    }


class _Ids:
    """The document's ``@id``s, unique across the file as NIST requires (XML checks it).

    Units keep their ids, contests theirs, selections ``<contest>--<choice>``; an election in
    which two of these coincide is refused (rename one). Candidates and parties get
    ``cand-N`` / ``party-N``, skipping any id already taken.
    """

    def __init__(self, election: Election) -> None:
        self.used: set[str] = set()
        for u in election.units:
            self.used.add(u.id)
        for contest in election.contests:
            self._claim(contest.id, f"contest {contest.id}")
            for choice in contest.choices:
                self._claim(
                    f"{contest.id}--{choice.id}", f"contest {contest.id}, choice {choice.id}"
                )

    def _claim(self, value: str, what: str) -> None:
        if value in self.used:
            raise IntegrityError(
                f"{what}: its NIST id {value!r} is already the id of a unit, contest or "
                "selection (ids are unique across a NIST file): rename one",
                field="id",
            )
        self.used.add(value)

    def new(self, prefix: str) -> str:
        n = 1
        while f"{prefix}-{n}" in self.used:
            n += 1
        self.used.add(f"{prefix}-{n}")
        return f"{prefix}-{n}"


def _contest_doc(
    contest: Contest,
    scope: str,
    parties: dict[str, str],
    candidates: list[dict[str, Any]],
    ids: _Ids,
) -> dict[str, Any]:
    selections = []
    other: dict[str, dict[str, Any]] = {}
    extensions = []
    by_choice: dict[str, list[VoteCount]] = {}
    for count in contest.counts:
        by_choice.setdefault(count.choice, []).append(count)
    in_selections: list[str] = []
    in_other: list[str] = []
    for choice in contest.choices:
        counts = by_choice.get(choice.id, [])
        if not choice.is_candidate:
            extensions.append(_ext(LINE, choice.name, label=choice.id))
        if _in_other_counts(choice, counts):
            key = _OTHER_LINES[choice.id][0]
            in_other.append(choice.id)
            for c in counts:
                other.setdefault(c.unit, {"@type": NS + "OtherCounts", "GpUnitId": c.unit})[key] = (
                    c.votes
                )
            continue
        in_selections.append(choice.id)
        sel: dict[str, Any] = {
            "@type": NS + "CandidateSelection",
            "@id": f"{contest.id}--{choice.id}",
        }
        party_ids = []
        if choice.party:
            if choice.party not in parties:
                parties[choice.party] = ids.new("party")
            party_ids.append(parties[choice.party])
        if choice.is_candidate:
            cand_id = ids.new("cand")
            cand: dict[str, Any] = {
                "@type": NS + "Candidate",
                "@id": cand_id,
                "BallotName": _text(choice.name),
            }
            if party_ids:
                cand["PartyId"] = party_ids[0]
            candidates.append(cand)
            sel["CandidateIds"] = [cand_id]
        elif party_ids:
            sel["EndorsementPartyIds"] = party_ids
        sel["IsWriteIn"] = choice.is_write_in
        sel["VoteCounts"] = [
            {
                "@type": NS + "VoteCounts",
                "GpUnitId": c.unit,
                "Type": c.count_type.value,
                "Count": c.votes,
            }
            for c in counts
        ]
        selections.append(sel)
    order = [c.id for c in contest.choices]
    read_back = in_selections + [k for k in _OTHER_LINES if k in in_other]
    if order != read_back:
        extensions.append(_ext(ORDER, json.dumps(order, ensure_ascii=False)))
    item: dict[str, Any] = {
        "@type": NS + "CandidateContest",
        "@id": contest.id,
        "Name": contest.name,
        "ElectionDistrictId": scope,
        "NumberElected": contest.seats,
        "VotesAllowed": contest.seats,
        "ContestSelection": selections,
    }
    if other:
        item["OtherCounts"] = list(other.values())
    if extensions:
        item["ExternalIdentifier"] = extensions
    return item


def nist_text(election: Election) -> str:
    """The NIST JSON of ``election`` as text (UTF-8, indented)."""
    return json.dumps(to_nist(election), indent=1, ensure_ascii=False) + "\n"


def write_nist(election: Election, path: str | Path) -> None:
    """Write the NIST JSON of ``election`` to ``path``."""
    try:
        text = nist_text(election)
    except IntegrityError as exc:
        raise IntegrityError(str(exc), path=str(path)) from exc
    Path(path).write_text(text, encoding="utf-8")


class _Reader:
    """Typed access to JSON values that reports the JSON path of whatever is wrong."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, expected: str, got: object) -> InputError:
        shown = (
            got if isinstance(got, str | int | float | bool) or got is None else type(got).__name__
        )
        return InputError(path=self.path, field=where, expected=expected, got=shown)

    def cannot(self, where: str, what: str) -> InputError:
        """An error for something valid in NIST that ballotproof cannot represent."""
        return InputError(f"ballotproof cannot represent {what}", path=self.path, field=where)

    def obj(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "an object", value)
        return value

    def arr(
        self, parent: Mapping[str, Any], key: str, where: str, required: bool = False
    ) -> list[Any]:
        if key not in parent:
            if required:
                raise self.fail(f"{where}/{key}", "a list", None)
            return []
        value = parent[key]
        if not isinstance(value, list):
            raise self.fail(f"{where}/{key}", "a list", value)
        return value

    def string(self, parent: Mapping[str, Any], key: str, where: str) -> str:
        value = parent.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where}/{key}", "a non-empty string", value)
        return value

    def count(self, parent: Mapping[str, Any], key: str, where: str) -> int:
        value = parent.get(key)
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{where}/{key}", "a non-negative integer", value)
        return value

    def text(self, parent: Mapping[str, Any], key: str, where: str) -> str:
        value = parent.get(key)
        if isinstance(value, str):
            return value
        node = self.obj(value, f"{where}/{key}")
        texts = self.arr(node, "Text", f"{where}/{key}", required=True)
        if not texts:
            raise self.fail(f"{where}/{key}/Text", "at least one LanguageString", "[]")
        first = self.obj(texts[0], f"{where}/{key}/Text/0")
        content = first.get("Content")
        if not isinstance(content, str):
            raise self.fail(f"{where}/{key}/Text/0/Content", "a string", content)
        return content

    def extensions(
        self, parent: Mapping[str, Any], where: str
    ) -> list[tuple[Mapping[str, Any], str]]:
        """``ExternalIdentifier`` entries (and the older ``ExternalIdentifiers`` wrapper)."""
        found = []
        for k, e in enumerate(self.arr(parent, "ExternalIdentifier", where)):
            ew = f"{where}/ExternalIdentifier/{k}"
            found.append((self.obj(e, ew), ew))
        if "ExternalIdentifiers" in parent:
            ww = f"{where}/ExternalIdentifiers"
            wrapper = self.obj(parent["ExternalIdentifiers"], ww)
            for k, e in enumerate(self.arr(wrapper, "ExternalIdentifier", ww)):
                ew = f"{ww}/ExternalIdentifier/{k}"
                found.append((self.obj(e, ew), ew))
        return found


def _kind(node: Mapping[str, Any]) -> str:
    """The NIST class of a node: ``ElectionResults.Party`` → ``Party`` (bare names accepted)."""
    value = node.get("@type")
    if not isinstance(value, str):
        return ""
    return value.removeprefix(NS)


def from_nist(data: object, *, path: str = "<json>") -> Election:
    """Build an election from a NIST SP 1500-100 v2 ``ElectionReport`` (parsed JSON).

    Raises
    ------
    InputError
        A missing or mistyped field, or one ballotproof cannot represent; ``field`` is its
        JSON path (``/Election/0/Contest/2/…``).
    IntegrityError
        Duplicates or references to unknown units.
    """
    r = _Reader(path)
    report = r.obj(data, "")
    if _kind(report) != "ElectionReport":
        raise r.fail("/@type", "ElectionResults.ElectionReport", report.get("@type"))
    elections = r.arr(report, "Election", "", required=True)
    if len(elections) != 1:
        raise r.fail(
            "/Election", "exactly one Election (ballotproof reads one per file)", len(elections)
        )
    el = r.obj(elections[0], "/Election/0")
    parties = {}
    for i, p in enumerate(r.arr(report, "Party", "")):
        po = r.obj(p, f"/Party/{i}")
        pid = r.string(po, "@id", f"/Party/{i}")
        parties[pid] = r.text(po, "Name", f"/Party/{i}") if "Name" in po else pid
    units, ids = _units(r, report, path)
    candidates: dict[str, tuple[str, str]] = {}
    for i, c in enumerate(r.arr(el, "Candidate", "/Election/0")):
        where = f"/Election/0/Candidate/{i}"
        co = r.obj(c, where)
        party_id = co.get("PartyId")
        party = parties.get(party_id, "") if isinstance(party_id, str) else ""
        candidates[r.string(co, "@id", where)] = (r.text(co, "BallotName", where), party)
    contests = []
    for i, c in enumerate(r.arr(el, "Contest", "/Election/0", required=True)):
        where = f"/Election/0/Contest/{i}"
        contests.append(_contest(r, r.obj(c, where), where, candidates, parties, ids, path))
    when = None
    unknown = any(
        e.get("OtherType") == DATE and e.get("Value") == "unknown"
        for e, _ in r.extensions(el, "/Election/0")
    )
    for key in ("EndDate", "StartDate"):
        if not unknown and isinstance(el.get(key), str):
            try:
                when = date.fromisoformat(el[key])
            except ValueError:
                raise r.fail(f"/Election/0/{key}", "a date as YYYY-MM-DD", el[key]) from None
            break
    notes = report.get("Notes")
    try:
        return Election(
            r.text(el, "Name", "/Election/0"),
            when,
            tuple(units),
            tuple(contests),
            notes if isinstance(notes, str) else f"NIST SP 1500-100 file {path}",
        )
    except IntegrityError as exc:
        raise IntegrityError(str(exc), path=path) from exc


def _units(r: _Reader, report: Mapping[str, Any], path: str) -> tuple[list[Unit], set[str]]:
    parent_of: dict[str, str] = {}
    raw_units = []
    for i, g in enumerate(r.arr(report, "GpUnit", "")):
        where = f"/GpUnit/{i}"
        go = r.obj(g, where)
        uid = r.string(go, "@id", where)
        raw_units.append((uid, go, where))
        for j, child in enumerate(r.arr(go, "ComposingGpUnitIds", where)):
            if not isinstance(child, str):
                raise r.fail(f"{where}/ComposingGpUnitIds/{j}", "a unit id", child)
            if child in parent_of:
                raise IntegrityError(
                    f"unit {child} has two parents (ballotproof keeps a tree of units)",
                    path=path,
                    field=f"{where}/ComposingGpUnitIds/{j}",
                )
            parent_of[child] = uid
    ids = {uid for uid, _, _ in raw_units}
    for child in parent_of:
        if child not in ids:
            raise IntegrityError(path=path, field="/GpUnit", expected="a known unit", got=child)
    units = []
    for uid, go, where in raw_units:
        utype = UnitType.OTHER
        if _kind(go) != "ReportingDevice":
            utype = _UNIT_TYPES.get(str(go.get("Type", "other")), UnitType.OTHER)
        electors = 0
        for eo, ew in r.extensions(go, where):
            if eo.get("OtherType") == ELECTORS:
                value = eo.get("Value")
                if not isinstance(value, str) or not value.isdigit():
                    raise r.fail(f"{ew}/Value", "a whole number of electors", value)
                electors = int(value)
        name = r.text(go, "Name", where) if "Name" in go else uid
        parent = parent_of.get(uid)
        units.append(Unit(UnitId(uid), name, utype, UnitId(parent) if parent else None, electors))
    return units, ids


def _selection_name(
    r: _Reader,
    so: Mapping[str, Any],
    sw: str,
    candidates: Mapping[str, tuple[str, str]],
    parties: Mapping[str, str],
    path: str,
) -> tuple[str | None, str]:
    """A selection's name (``None``: it names nobody) and party."""
    kind = _kind(so)
    if kind == "BallotMeasureSelection":
        return r.text(so, "Selection", sw), ""
    if kind == "PartySelection":
        names = [parties.get(p, str(p)) for p in r.arr(so, "PartyIds", sw)]
        return " / ".join(names), " / ".join(names)
    cand_ids = r.arr(so, "CandidateIds", sw)
    party = ""
    endorsed = [p for p in r.arr(so, "EndorsementPartyIds", sw) if isinstance(p, str)]
    if endorsed:
        party = parties.get(endorsed[0], endorsed[0])
    if not cand_ids:
        return None, party
    names = []
    for k, cid in enumerate(cand_ids):
        if not isinstance(cid, str) or cid not in candidates:
            raise IntegrityError(
                path=path, field=f"{sw}/CandidateIds/{k}", expected="a Candidate @id", got=str(cid)
            )
        names.append(candidates[cid][0])
    # A ticket (president and running mate) reads as one choice, named after its head.
    return names[0], candidates[cand_ids[0]][1] or party


def _contest(
    r: _Reader,
    co: Mapping[str, Any],
    where: str,
    candidates: Mapping[str, tuple[str, str]],
    parties: Mapping[str, str],
    units: set[str],
    path: str,
) -> Contest:
    contest_id = r.string(co, "@id", where)
    lines: dict[str, str] = {}
    order: list[str] | None = None
    for eo, ew in r.extensions(co, where):
        if eo.get("OtherType") == LINE:
            label, value = eo.get("Label"), eo.get("Value")
            if not isinstance(label, str) or not isinstance(value, str):
                raise r.fail(ew, "a Label (choice id) and a Value (its name)", None)
            lines[label] = value
        elif eo.get("OtherType") == ORDER:
            try:
                order = json.loads(str(eo.get("Value")))
            except json.JSONDecodeError:
                raise r.fail(f"{ew}/Value", "a JSON list of choice ids", eo.get("Value")) from None
    choices: list[Choice] = []
    counts: list[VoteCount] = []
    for j, s in enumerate(r.arr(co, "ContestSelection", where)):
        sw = f"{where}/ContestSelection/{j}"
        so = r.obj(s, sw)
        sel_id = r.string(so, "@id", sw)
        prefix = f"{contest_id}--"
        choice_id = ChoiceId(sel_id[len(prefix) :] if sel_id.startswith(prefix) else sel_id)
        name, party = _selection_name(r, so, sw, candidates, parties, path)
        write_in = so.get("IsWriteIn") is True
        if name is None and choice_id in lines:
            choices.append(Choice(choice_id, lines[choice_id], party, False, write_in))
        else:
            choices.append(
                Choice(choice_id, sel_id if name is None else name, party, is_write_in=write_in)
            )
        for k, v in enumerate(r.arr(so, "VoteCounts", sw)):
            counts.append(
                _vote_count(
                    r,
                    r.obj(v, f"{sw}/VoteCounts/{k}"),
                    f"{sw}/VoteCounts/{k}",
                    choice_id,
                    units,
                    path,
                )
            )
    other: dict[tuple[str, str], int] = {}
    for k, o in enumerate(r.arr(co, "OtherCounts", where)):
        ow = f"{where}/OtherCounts/{k}"
        oo = r.obj(o, ow)
        unit = r.string(oo, "GpUnitId", ow)
        if unit not in units:
            raise IntegrityError(
                path=path, field=f"{ow}/GpUnitId", expected="a known unit", got=unit
            )
        for line_id, (key, _) in _OTHER_LINES.items():
            if key in oo:
                # Counts by device class add up to the unit's count.
                other[unit, line_id] = other.get((unit, line_id), 0) + r.count(oo, key, ow)
    for line_id, (_, label) in _OTHER_LINES.items():
        if any(lid == line_id for _, lid in other):
            choices.append(Choice(ChoiceId(line_id), lines.get(line_id, label), is_candidate=False))
    counts += [VoteCount(UnitId(u), ChoiceId(lid), v) for (u, lid), v in other.items()]
    if order is not None:
        by_id = {c.id: c for c in choices}
        if isinstance(order, list) and sorted(map(str, order)) == sorted(by_id):
            choices = [by_id[ChoiceId(str(cid))] for cid in order]
    seats = co.get("NumberElected", co.get("VotesAllowed", 1))
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        key = "NumberElected" if "NumberElected" in co else "VotesAllowed"
        raise r.fail(f"{where}/{key}", "a positive integer", seats)
    name = co.get("Name", contest_id)
    try:
        return Contest(
            ContestId(contest_id),
            name if isinstance(name, str) else contest_id,
            tuple(choices),
            tuple(counts),
            seats,
        )
    except IntegrityError as exc:
        raise IntegrityError(str(exc), path=path, field=where) from exc


def _vote_count(
    r: _Reader, vo: Mapping[str, Any], vw: str, choice: ChoiceId, units: set[str], path: str
) -> VoteCount:
    unit = r.string(vo, "GpUnitId", vw)
    if unit not in units:
        raise IntegrityError(path=path, field=f"{vw}/GpUnitId", expected="a known unit", got=unit)
    if "Round" in vo:
        raise r.cannot(f"{vw}/Round", "ranked-choice rounds (one count per unit and type)")
    if vo.get("IsSuppressedForPrivacy") is True:
        raise r.cannot(f"{vw}/IsSuppressedForPrivacy", "a count suppressed for privacy")
    if "DeviceClass" in vo:
        raise r.cannot(f"{vw}/DeviceClass", "counts by device class")
    type_text = vo.get("Type", "total")
    ctype = _COUNT_TYPES.get(str(type_text))
    if ctype is None:
        raise r.cannot(
            f"{vw}/Type",
            f"count type {type_text!r} (it keeps " + ", ".join(_COUNT_TYPES) + ")",
        )
    return VoteCount(UnitId(unit), choice, r.count(vo, "Count", vw), ctype)


def load_nist(path: str | Path) -> Election:
    """Read a NIST SP 1500-100 v2 JSON file.

    Raises
    ------
    InputError
        Unreadable, non-UTF-8 or malformed JSON (with its line), or a bad field (its JSON path).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            path=str(path),
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc
    return from_nist(data, path=str(path))
