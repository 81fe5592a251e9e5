"""The built-in 2020 U.S. presidential election, from the packaged public files.

Files (in ``ballotproof/data/us2020/``, provenance in ``PROVENANCE.md`` there):

* ``state_president_results_2020.csv`` — MEDSL certified state results (51 jurisdictions);
* ``electoral_votes_2020.csv`` — electors per state and how they are allocated;
* ``me_ne_district_results_2020.csv`` — Maine and Nebraska congressional-district results;
* ``county_president_results_2020.csv`` — county results (optional: ``include_counties``).

Units: ``US`` → states by postal code → districts ``ME-1`` … ``NE-3`` (1 elector each; the
state unit keeps the 2 statewide electors) and, for Maine, ``ME-UOCAVA`` (overseas ballots the
source reports only statewide; no electors) → counties by FIPS code.

Candidates are identified across files by surname (``biden``, ``trump``, ``jorgensen`` …); the
district and county files, which spell names differently, are matched through their party codes
or names. Blank and under-votes become the non-candidate line ``undervotes``, overvotes
``overvotes``; the county file's "Other" column becomes ``other-combined``.

Every file is fully parsed and checked before the election is built: an error anywhere means
no election at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_bool, parse_int, read_rows
from ballotproof.model import (
    Choice,
    ChoiceId,
    Contest,
    ContestId,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)

__all__ = ["PRESIDENT", "data_dir", "load_us2020"]

PRESIDENT = ContestId("president")
STATE_FILE = "state_president_results_2020.csv"
EV_FILE = "electoral_votes_2020.csv"
DISTRICT_FILE = "me_ne_district_results_2020.csv"
COUNTY_FILE = "county_president_results_2020.csv"

# The district and county files name candidates differently from MEDSL; they agree on party.
_PARTY_TO_CHOICE = {
    "DEM": "biden",
    "REP": "trump",
    "LIB": "jorgensen",
    "GRN": "hawkins",
    "ALLIANCE": "de-la-fuente",
}
_NON_CANDIDATE = {"BLANK VOTES": "undervotes", "UNDERVOTES": "undervotes", "OVERVOTES": "overvotes"}


def data_dir() -> Path:
    """The folder of the packaged 2020 files."""
    return Path(str(resources.files("ballotproof") / "data" / "us2020"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _display(name: str) -> str:
    """'BIDEN, JOSEPH R. JR' → 'Joseph R. Jr Biden' is wrong; keep surname first, title-cased."""
    return name.title() if name else name


def _read_electoral(path: Path) -> tuple[list[Unit], dict[str, tuple[int, str]]]:
    units: list[Unit] = [Unit(UnitId("US"), "United States", UnitType.NATION)]
    info: dict[str, tuple[int, str]] = {}
    required = ("state", "state_po", "state_fips", "electoral_votes", "allocation_method")
    optional = ("house_seats_2010_apportionment", "ev_awarded_biden", "ev_awarded_trump")
    for row in read_rows(path, required, optional=optional, display=path.name):
        po = row.require("state_po")
        if not re.fullmatch(r"[A-Z]{2}", po):
            raise row.error("state_po", "a two-letter postal code", po)
        if po in info:
            raise IntegrityError(
                "duplicate state", path=path.name, line=row.line, field="state_po", got=po
            )
        ev = parse_int(row, "electoral_votes", minimum=3)
        method = row.require("allocation_method")
        if method not in {"winner_take_all", "district_plus_statewide"}:
            raise row.error(
                "allocation_method", "winner_take_all or district_plus_statewide", method
            )
        info[po] = (ev, method)
        statewide = ev if method == "winner_take_all" else 2
        units.append(
            Unit(UnitId(po), row.require("state"), UnitType.STATE, UnitId("US"), statewide)
        )
    return units, info


class _Choices:
    """Candidate identities across files, first spelling kept."""

    def __init__(self) -> None:
        self.by_id: dict[ChoiceId, Choice] = {}

    def add(self, choice: Choice) -> ChoiceId:
        self.by_id.setdefault(choice.id, choice)
        return choice.id


def _medsl_choice(row: Row, choices: _Choices) -> ChoiceId:
    name = row.get("candidate")
    if not parse_bool(row, "is_candidate_vote", default=True):
        if name not in _NON_CANDIDATE:
            raise row.error("candidate", "BLANK VOTES, UNDERVOTES or OVERVOTES", name)
        cid = ChoiceId(_NON_CANDIDATE[name])
        label = "Undervotes (blank)" if cid == "undervotes" else "Overvotes"
        return choices.add(Choice(cid, label, "", is_candidate=False))
    write_in = parse_bool(row, "writein", default=False)
    if not name:
        return choices.add(
            Choice(ChoiceId("unnamed-other"), "Other (not named in source)", "", is_write_in=True)
        )
    surname = name.split(",")[0]
    cid = ChoiceId(_slug(surname))
    existing = choices.by_id.get(cid)
    if existing is not None and existing.name != _display(name):
        cid = ChoiceId(_slug(name))
    party = row.get("party_simplified") if row.get("party_simplified") != "OTHER" else ""
    party = party or row.get("party_detailed")
    return choices.add(Choice(cid, _display(name), party.title(), is_write_in=write_in))


def _read_states(
    path: Path, states: dict[str, tuple[int, str]], choices: _Choices
) -> list[VoteCount]:
    counts: list[VoteCount] = []
    seen: dict[tuple[str, ChoiceId], int] = {}
    declared: dict[str, tuple[int, int]] = {}  # state -> (totalvotes, first line)
    summed: dict[str, int] = {}
    required = ("state", "state_po", "candidate", "votes", "totalvotes", "is_candidate_vote")
    optional = ("state_fips", "party_detailed", "party_simplified", "writein", "medsl_version")
    for row in read_rows(path, required, optional=optional, display=path.name):
        po = row.require("state_po")
        if po not in states:
            raise row.error("state_po", f"a state listed in {EV_FILE}", po)
        cid = _medsl_choice(row, choices)
        key = (po, cid)
        if key in seen:
            raise IntegrityError(
                f"duplicate row for {po} / {cid} (first at line {seen[key]})",
                path=path.name,
                line=row.line,
                field="candidate",
            )
        seen[key] = row.line
        votes = parse_int(row, "votes")
        total = parse_int(row, "totalvotes")
        if po in declared and declared[po][0] != total:
            raise row.error("totalvotes", f"{declared[po][0]} as on line {declared[po][1]}", total)
        declared.setdefault(po, (total, row.line))
        summed[po] = summed.get(po, 0) + votes
        counts.append(VoteCount(UnitId(po), cid, votes))
    for po, (total, line) in declared.items():
        if summed[po] != total:
            raise IntegrityError(
                f"votes for {po} add up to {summed[po]}",
                path=path.name,
                line=line,
                field="totalvotes",
                expected=str(summed[po]),
                got=total,
            )
    missing = sorted(set(states) - set(declared))
    if missing:
        raise IntegrityError(
            f"no results for {', '.join(missing)}", path=path.name, field="state_po"
        )
    return counts


def _district_id(row: Row) -> UnitId:
    raw = row.require("district")
    m = re.fullmatch(r"([A-Z]{2})-(?:0*(\d+)|(UOCAVA))", raw)
    if not m:
        raise row.error("district", "a district such as ME-01 or ME-UOCAVA", raw)
    return UnitId(f"{m.group(1)}-{m.group(2) or m.group(3)}")


def _read_districts(
    path: Path, states: dict[str, tuple[int, str]], choices: _Choices
) -> tuple[list[Unit], list[VoteCount]]:
    units: dict[UnitId, Unit] = {}
    counts: list[VoteCount] = []
    seen: set[tuple[UnitId, ChoiceId]] = set()
    required = ("state_po", "district", "candidate", "party", "votes")
    for row in read_rows(path, required, optional=("derivation",), display=path.name):
        po = row.require("state_po")
        if po not in states or states[po][1] != "district_plus_statewide":
            raise row.error("state_po", "a state that allocates electors by district", po)
        unit_id = _district_id(row)
        if not unit_id.startswith(po + "-"):
            raise row.error("district", f"a district of {po}", unit_id)
        party = row.require("party")
        if party not in _PARTY_TO_CHOICE:
            raise row.error("party", "one of " + ", ".join(sorted(_PARTY_TO_CHOICE)), party)
        cid = ChoiceId(_PARTY_TO_CHOICE[party])
        if cid not in choices.by_id:
            raise row.error("candidate", f"a candidate also in {STATE_FILE}", row.get("candidate"))
        if (unit_id, cid) in seen:
            raise IntegrityError(
                f"duplicate row for {unit_id} / {cid}",
                path=path.name,
                line=row.line,
                field="candidate",
            )
        seen.add((unit_id, cid))
        if unit_id not in units:
            is_cd = unit_id.split("-")[1].isdigit()
            units[unit_id] = Unit(
                unit_id,
                f"{po} congressional district {unit_id.split('-')[1]}"
                if is_cd
                else f"{po} overseas and military ballots (not assigned to a district)",
                UnitType.DISTRICT if is_cd else UnitType.OTHER,
                UnitId(po),
                1 if is_cd else 0,
            )
        counts.append(VoteCount(unit_id, cid, parse_int(row, "votes")))
    for po, (ev, method) in states.items():
        if method != "district_plus_statewide":
            continue
        n = sum(1 for u in units.values() if u.parent == po and u.electors)
        if n != ev - 2:
            raise IntegrityError(
                f"{po} has {ev} electors, so {ev - 2} districts are needed, found {n}",
                path=path.name,
                field="district",
            )
    return list(units.values()), counts


def _read_counties(
    path: Path, states: dict[str, tuple[int, str]], choices: _Choices
) -> tuple[list[Unit], list[VoteCount]]:
    units: dict[UnitId, Unit] = {}
    counts: list[VoteCount] = []
    totals: dict[UnitId, tuple[int, int]] = {}
    summed: dict[UnitId, int] = {}
    seen: set[tuple[UnitId, ChoiceId]] = set()
    by_name = {"Joseph R. Biden Jr.": "biden", "Donald J. Trump": "trump"}
    other = Choice(ChoiceId("other-combined"), "Other candidates (combined)", "")
    required = ("state_po", "county_fips", "county_name", "candidate", "votes", "total_votes")
    for row in read_rows(path, required, optional=("state", "party"), display=path.name):
        po = row.require("state_po")
        if po not in states:
            raise row.error("state_po", f"a state listed in {EV_FILE}", po)
        fips = row.require("county_fips")
        if not re.fullmatch(r"\d{5}", fips):
            raise row.error("county_fips", "a five-digit FIPS code", fips)
        unit_id = UnitId(fips)
        name = row.require("candidate")
        if name in by_name:
            cid = ChoiceId(by_name[name])
        elif name.startswith("Other"):
            cid = choices.add(other)
        else:
            raise row.error("candidate", "Joseph R. Biden Jr., Donald J. Trump or Other…", name)
        if (unit_id, cid) in seen:
            raise IntegrityError(
                f"duplicate row for county {fips} / {cid}",
                path=path.name,
                line=row.line,
                field="candidate",
            )
        seen.add((unit_id, cid))
        if unit_id not in units:
            units[unit_id] = Unit(unit_id, row.require("county_name"), UnitType.COUNTY, UnitId(po))
        elif units[unit_id].parent != po:
            raise row.error("state_po", f"{units[unit_id].parent} as on earlier rows", po)
        votes = parse_int(row, "votes")
        total = parse_int(row, "total_votes")
        if unit_id in totals and totals[unit_id][0] != total:
            raise row.error(
                "total_votes", f"{totals[unit_id][0]} as on line {totals[unit_id][1]}", total
            )
        totals.setdefault(unit_id, (total, row.line))
        summed[unit_id] = summed.get(unit_id, 0) + votes
        counts.append(VoteCount(unit_id, cid, votes))
    for unit_id, (total, line) in totals.items():
        if summed[unit_id] != total:
            raise IntegrityError(
                f"county {unit_id}: votes add up to {summed[unit_id]}",
                path=path.name,
                line=line,
                field="total_votes",
                expected=str(summed[unit_id]),
                got=total,
            )
    return list(units.values()), counts


def load_us2020(directory: str | Path | None = None, *, include_counties: bool = False) -> Election:
    """Load the 2020 presidential election.

    Parameters
    ----------
    directory : folder holding the files named above (default: the packaged copy)
    include_counties : also load the county file (3,152 units; slower)

    Raises
    ------
    InputError, IntegrityError
        Naming the file, line and field of the first problem found; nothing is returned.
    """
    folder = Path(directory) if directory is not None else data_dir()
    for name in (STATE_FILE, EV_FILE, DISTRICT_FILE) + ((COUNTY_FILE,) if include_counties else ()):
        if not (folder / name).is_file():
            raise InputError("file not found", path=str(folder / name))
    units, states = _read_electoral(folder / EV_FILE)
    choices = _Choices()
    counts = _read_states(folder / STATE_FILE, states, choices)
    d_units, d_counts = _read_districts(folder / DISTRICT_FILE, states, choices)
    units += d_units
    counts += d_counts
    sources = [STATE_FILE, EV_FILE, DISTRICT_FILE]
    if include_counties:
        c_units, c_counts = _read_counties(folder / COUNTY_FILE, states, choices)
        units += c_units
        counts += c_counts
        sources.append(COUNTY_FILE)
    contest = Contest(
        PRESIDENT,
        "President of the United States",
        _order_choices(choices.by_id.values()),
        tuple(counts),
    )
    return Election(
        name="2020 United States presidential election",
        date=date(2020, 11, 3),
        units=tuple(units),
        contests=(contest,),
        source="ballotproof built-in 2020 data: "
        + ", ".join(sources)
        + " (MEDSL 1976-2020-president v20210113; OpenElections ME/NE precinct data; "
        "see data/us2020/PROVENANCE.md)",
    )


def _order_choices(choices: Iterable[Choice]) -> tuple[Choice, ...]:
    """Candidates first (in order of first appearance), then non-candidate lines by id."""
    items = list(choices)
    lines = sorted((c for c in items if not c.is_candidate), key=lambda c: c.id)
    return tuple([c for c in items if c.is_candidate] + lines)
