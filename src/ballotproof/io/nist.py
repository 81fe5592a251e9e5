"""NIST SP 1500-100 v2 (Election Results Common Data Format) JSON import and export.

Reference: NIST Special Publication 1500-100r2, *Election Results Common Data Format
Specification*, version 2 (2020), and its JSON schema (``NIST_V2_election_results_reporting.json``).

Mapping (ballotproof → NIST):

* :class:`~ballotproof.model.Election` → ``ElectionReport`` with one ``Election``
  (``Name``, ``StartDate``/``EndDate``, ``Type`` = ``general``); ``source`` → report ``Notes``;
* :class:`~ballotproof.model.Unit` → ``GpUnit`` of ``@type`` ``ReportingUnit`` with ``Type``
  (ReportingUnitType) and ``ComposingGpUnitIds`` listing its children; electors, which the
  standard has no field for, go in an ``ExternalIdentifier`` of ``Type`` ``other`` and
  ``OtherType`` ``ballotproof-electors`` — the standard's own extension point;
* :class:`~ballotproof.model.Contest` → ``CandidateContest`` (``VotesAllowed`` = seats,
  ``ElectionDistrictId`` = the root unit);
* candidate choices → ``Candidate`` + ``CandidateSelection`` (``IsWriteIn``), parties →
  ``Party``; vote counts → ``VoteCounts`` (``GpUnitId``, ``Type`` = CountItemType, ``Count``);
* the non-candidate lines ``overvotes``, ``undervotes`` and ``scattering`` (unnamed write-in and
  scattering votes) → ``OtherCounts`` (``Overvotes``, ``Undervotes``, ``WriteIns``) per unit,
  total count type only. Other non-candidate lines (``void``) have no place in the format.

Import reads exactly what export writes, plus what other producers commonly emit, and checks it
like every loader: an error names the file and the JSON path of the bad field.
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

ELECTORS = "ballotproof-electors"
_OTHER_LINES = {
    "overvotes": ("Overvotes", "Overvotes"),
    "undervotes": ("Undervotes", "Undervotes (blank)"),
    "scattering": ("WriteIns", "Other, write-in and scattering (no candidate named)"),
}


def _text(value: str) -> dict[str, Any]:
    return {
        "@type": "InternationalizedText",
        "Text": [{"@type": "LanguageString", "Language": "en", "Content": value}],
    }


def _party_id(name: str) -> str:
    return "party-" + "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def to_nist(election: Election) -> dict[str, Any]:
    """The NIST SP 1500-100 v2 ``ElectionReport`` of ``election``, as JSON-ready data."""
    children: dict[str | None, list[str]] = {}
    for u in election.units:
        children.setdefault(u.parent, []).append(u.id)
    gp_units = []
    for u in election.units:
        item: dict[str, Any] = {
            "@type": "ReportingUnit",
            "@id": u.id,
            "Name": _text(u.name),
            "Type": u.type.value,
        }
        if children.get(u.id):
            item["ComposingGpUnitIds"] = children[u.id]
        if u.electors:
            item["ExternalIdentifiers"] = {
                "@type": "ExternalIdentifiers",
                "ExternalIdentifier": [
                    {
                        "@type": "ExternalIdentifier",
                        "Type": "other",
                        "OtherType": ELECTORS,
                        "Value": str(u.electors),
                    }
                ],
            }
        gp_units.append(item)
    parties: dict[str, str] = {}
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    roots = [u.id for u in election.units if u.parent is None]
    for contest in election.contests:
        selections = []
        other: dict[str, dict[str, Any]] = {}
        by_choice: dict[str, list[VoteCount]] = {}
        for count in contest.counts:
            by_choice.setdefault(count.choice, []).append(count)
        for choice in contest.choices:
            counts = by_choice.get(choice.id, [])
            if not choice.is_candidate:
                if choice.id not in _OTHER_LINES:
                    raise IntegrityError(
                        f"choice {choice.id}: NIST has no place for this non-candidate line",
                        field="choice",
                    )
                key = _OTHER_LINES[choice.id][0]
                for c in counts:
                    if c.count_type is not CountType.TOTAL:
                        raise IntegrityError(
                            f"choice {choice.id}: NIST OtherCounts hold totals only",
                            field="count_type",
                            got=c.count_type.value,
                        )
                    other.setdefault(c.unit, {"@type": "OtherCounts", "GpUnitId": c.unit})[key] = (
                        c.votes
                    )
                continue
            cand_id = f"cand-{contest.id}-{choice.id}"
            cand: dict[str, Any] = {
                "@type": "Candidate",
                "@id": cand_id,
                "BallotName": _text(choice.name),
            }
            if choice.party:
                pid = _party_id(choice.party)
                parties[pid] = choice.party
                cand["PartyId"] = pid
            candidates.append(cand)
            selections.append(
                {
                    "@type": "CandidateSelection",
                    "@id": f"{contest.id}--{choice.id}",
                    "CandidateIds": [cand_id],
                    "IsWriteIn": choice.is_write_in,
                    "VoteCounts": [
                        {
                            "@type": "VoteCounts",
                            "GpUnitId": c.unit,
                            "Type": c.count_type.value,
                            "Count": c.votes,
                        }
                        for c in counts
                    ],
                }
            )
        item = {
            "@type": "CandidateContest",
            "@id": contest.id,
            "Name": contest.name,
            "VotesAllowed": contest.seats,
            "ContestSelection": selections,
        }
        if len(roots) == 1:
            item["ElectionDistrictId"] = roots[0]
        if other:
            item["OtherCounts"] = list(other.values())
        contests.append(item)
    election_item: dict[str, Any] = {
        "@type": "Election",
        "Name": _text(election.name),
        "Type": "general",
        "ElectionScopeId": roots[0] if len(roots) == 1 else election.units[0].id,
        "Contest": contests,
        "Candidate": candidates,
    }
    if election.date is not None:
        election_item["StartDate"] = election.date.isoformat()
        election_item["EndDate"] = election.date.isoformat()
    return {
        "@type": "ElectionReport",
        "Format": "summary-contest",
        "GeneratedDate": (election.date.isoformat() if election.date else "1970-01-01")
        + "T00:00:00Z",
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
            {"@type": "Party", "@id": pid, "Name": _text(name)} for pid, name in parties.items()
        ],
    }


def nist_text(election: Election) -> str:
    """The NIST JSON of ``election`` as text (UTF-8, indented)."""
    return json.dumps(to_nist(election), indent=1, ensure_ascii=False) + "\n"


def write_nist(election: Election, path: str | Path) -> None:
    """Write the NIST JSON of ``election`` to ``path``."""
    Path(path).write_text(nist_text(election), encoding="utf-8")


class _Reader:
    """Typed access to JSON values that reports the JSON path of whatever is wrong."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, expected: str, got: object) -> InputError:
        shown = (
            got if isinstance(got, str | int | float | bool) or got is None else type(got).__name__
        )
        return InputError(path=self.path, field=where, expected=expected, got=shown)

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
        return self.string(first, "Content", f"{where}/{key}/Text/0")


def from_nist(data: object, *, path: str = "<json>") -> Election:
    """Build an election from a NIST SP 1500-100 v2 ``ElectionReport`` (parsed JSON).

    Raises
    ------
    InputError
        A missing or mistyped field; ``field`` is its JSON path (``/Election/0/Contest/2/…``).
    IntegrityError
        Duplicates or references to unknown units.
    """
    r = _Reader(path)
    report = r.obj(data, "/")
    if report.get("@type") != "ElectionReport":
        raise r.fail("/@type", "ElectionReport", report.get("@type"))
    elections = r.arr(report, "Election", "", required=True)
    if len(elections) != 1:
        raise r.fail("/Election", "exactly one Election", len(elections))
    el = r.obj(elections[0], "/Election/0")
    parties = {}
    for i, p in enumerate(r.arr(report, "Party", "")):
        po = r.obj(p, f"/Party/{i}")
        parties[r.string(po, "@id", f"/Party/{i}")] = r.text(po, "Name", f"/Party/{i}")
    units: list[Unit] = []
    parent_of: dict[str, str] = {}
    raw_units = []
    for i, g in enumerate(r.arr(report, "GpUnit", "", required=True)):
        where = f"/GpUnit/{i}"
        go = r.obj(g, where)
        uid = r.string(go, "@id", where)
        raw_units.append((uid, go, where))
        for j, child in enumerate(r.arr(go, "ComposingGpUnitIds", where)):
            if not isinstance(child, str):
                raise r.fail(f"{where}/ComposingGpUnitIds/{j}", "a unit id", child)
            if child in parent_of:
                raise IntegrityError(
                    f"unit {child} has two parents",
                    path=path,
                    field=f"{where}/ComposingGpUnitIds/{j}",
                )
            parent_of[child] = uid
    ids = {uid for uid, _, _ in raw_units}
    for child in parent_of:
        if child not in ids:
            raise IntegrityError(path=path, field="/GpUnit", expected="a known unit", got=child)
    for uid, go, where in raw_units:
        type_text = go.get("Type", "other")
        try:
            utype = UnitType(type_text)
        except ValueError:
            utype = UnitType.OTHER
        electors = 0
        ext = go.get("ExternalIdentifiers")
        if ext is not None:
            for k, e in enumerate(
                r.arr(
                    r.obj(ext, f"{where}/ExternalIdentifiers"),
                    "ExternalIdentifier",
                    f"{where}/ExternalIdentifiers",
                )
            ):
                eo = r.obj(e, f"{where}/ExternalIdentifiers/ExternalIdentifier/{k}")
                if eo.get("OtherType") == ELECTORS:
                    value = eo.get("Value")
                    if not isinstance(value, str) or not value.isdigit():
                        raise r.fail(
                            f"{where}/ExternalIdentifiers/ExternalIdentifier/{k}/Value",
                            "a whole number of electors",
                            value,
                        )
                    electors = int(value)
        name = r.text(go, "Name", where) if "Name" in go else uid
        parent = parent_of.get(uid)
        units.append(Unit(UnitId(uid), name, utype, UnitId(parent) if parent else None, electors))
    candidates: dict[str, tuple[str, str]] = {}
    for i, c in enumerate(r.arr(el, "Candidate", "/Election/0")):
        where = f"/Election/0/Candidate/{i}"
        co = r.obj(c, where)
        party_id = co.get("PartyId")
        party = parties.get(party_id, "") if isinstance(party_id, str) else ""
        candidates[r.string(co, "@id", where)] = (r.text(co, "BallotName", where), party)
    contests = []
    for i, c in enumerate(r.arr(el, "Contest", "/Election/0", required=True)):
        contests.append(
            _contest(
                r,
                r.obj(c, f"/Election/0/Contest/{i}"),
                f"/Election/0/Contest/{i}",
                candidates,
                ids,
                path,
            )
        )
    when = None
    if isinstance(el.get("StartDate"), str):
        try:
            when = date.fromisoformat(el["StartDate"])
        except ValueError:
            raise r.fail("/Election/0/StartDate", "a date as YYYY-MM-DD", el["StartDate"]) from None
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


def _contest(
    r: _Reader,
    co: Mapping[str, Any],
    where: str,
    candidates: Mapping[str, tuple[str, str]],
    units: set[str],
    path: str,
) -> Contest:
    contest_id = r.string(co, "@id", where)
    choices: list[Choice] = []
    counts: list[VoteCount] = []
    for j, s in enumerate(r.arr(co, "ContestSelection", where, required=True)):
        sw = f"{where}/ContestSelection/{j}"
        so = r.obj(s, sw)
        sel_id = r.string(so, "@id", sw)
        cand_ids = r.arr(so, "CandidateIds", sw)
        name, party = sel_id, ""
        if cand_ids:
            if not isinstance(cand_ids[0], str) or cand_ids[0] not in candidates:
                raise IntegrityError(
                    path=path,
                    field=f"{sw}/CandidateIds/0",
                    expected="a Candidate @id",
                    got=str(cand_ids[0]),
                )
            name, party = candidates[cand_ids[0]]
        prefix = f"{contest_id}--"
        choice_id = ChoiceId(sel_id[len(prefix) :] if sel_id.startswith(prefix) else sel_id)
        choices.append(Choice(choice_id, name, party, is_write_in=so.get("IsWriteIn") is True))
        for k, v in enumerate(r.arr(so, "VoteCounts", sw)):
            vw = f"{sw}/VoteCounts/{k}"
            vo = r.obj(v, vw)
            unit = r.string(vo, "GpUnitId", vw)
            if unit not in units:
                raise IntegrityError(
                    path=path, field=f"{vw}/GpUnitId", expected="a known unit", got=unit
                )
            try:
                ctype = CountType(vo.get("Type", "total"))
            except ValueError:
                raise r.fail(f"{vw}/Type", "a CountItemType", vo.get("Type")) from None
            counts.append(VoteCount(UnitId(unit), choice_id, r.count(vo, "Count", vw), ctype))
    seen_lines: dict[str, Choice] = {}
    for k, o in enumerate(r.arr(co, "OtherCounts", where)):
        ow = f"{where}/OtherCounts/{k}"
        oo = r.obj(o, ow)
        unit = r.string(oo, "GpUnitId", ow)
        if unit not in units:
            raise IntegrityError(
                path=path, field=f"{ow}/GpUnitId", expected="a known unit", got=unit
            )
        for line_id, (key, label) in _OTHER_LINES.items():
            if key in oo:
                seen_lines.setdefault(line_id, Choice(ChoiceId(line_id), label, is_candidate=False))
                counts.append(VoteCount(UnitId(unit), ChoiceId(line_id), r.count(oo, key, ow)))
    choices += [seen_lines[k] for k in _OTHER_LINES if k in seen_lines]
    seats = co.get("VotesAllowed", 1)
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise r.fail(f"{where}/VotesAllowed", "a positive integer", seats)
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
