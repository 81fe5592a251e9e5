"""Presidential elections 1976–2020 from MEDSL's state-level file, and the electors' record.

Files (packaged in ``ballotproof/data/history/``, provenance in ``PROVENANCE.md`` there):

* ``1976-2020-president.csv`` — MIT Election Data + Science Lab, "U.S. President 1976–2020"
  (doi:10.7910/DVN/42MVDX, version 20210113): one row per candidate line per state and year;
* ``electoral_vote_apportionment.csv`` — House seats per state by apportionment; a state has
  seats + 2 electors, the District of Columbia 3 (U.S. Const. amend. XXIII);
* ``faithless_electors.csv`` — electors who did not vote as pledged, each with a source;
* ``electoral_votes_cast.csv`` — the official totals of electoral votes cast, per year;
* ``district_results.csv`` — Maine's 2016 results by congressional district (derived from
  OpenElections town returns; 2020's come from ``data/us2020``);
* ``district_awards.csv`` — districts that split from their state in years whose district vote
  figures are not packaged (2008 NE-2).

Reading rules (``load_medsl``):

* a candidate's lines in one state are **summed** (fusion voting: New York lists a candidate
  once per party that nominated them); the candidate's ``party`` names every party, the one
  with the most votes nationally first, separated by ``"; "``;
* candidates are identified by surname (``gore``), or by full name when two candidates of the
  year share one;
* lines without a candidate name (``""``, ``OTHER``, ``SCATTERING`` …) are kept as the
  non-candidate line ``scattering``; blank and void ballots as ``undervotes`` / ``void``,
  overvotes as ``overvotes``: they count in the state's ballots, never in a race;
* within a state, ``totalvotes`` must be the same on every row and equal the sum of the lines.

Maine (district allocation since 1972) and Nebraska (since 1992) give electors by congressional
district. District vote figures are packaged for 2016 (Maine) and 2020 (both); in other years
the state's electors are allocated statewide, which matches the record in every year but 2008
(NE-2, figures not found): that load carries a warning, and the district's elector is recorded
as a :class:`~ballotproof.model.electors.DistrictAward`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_int, read_rows
from ballotproof.io.us2020 import DISTRICT_FILE, PRESIDENT, _Choices, _read_districts
from ballotproof.io.us2020 import data_dir as us2020_dir
from ballotproof.model import (
    Choice,
    ChoiceId,
    Contest,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)
from ballotproof.model.electors import CastTotal, DistrictAward, ElectionRecord, ElectorDeviation

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "history_dir",
    "load_electors_record",
    "load_history",
    "load_history_year",
    "load_medsl",
    "medsl_row_lines",
    "medsl_years",
]

MEDSL_FILE = "1976-2020-president.csv"
APPORTIONMENT_FILE = "electoral_vote_apportionment.csv"
APPORTIONMENT_CHANGES_FILE = "apportionment_changes.csv"
HOUSE_SEATS = 435
FAITHLESS_FILE = "faithless_electors.csv"
CAST_FILE = "electoral_votes_cast.csv"
AWARDS_FILE = "district_awards.csv"
DISTRICT_RESULTS_FILE = "district_results.csv"
FIRST_YEAR, LAST_YEAR = 1976, 2020
MEDSL_SOURCE = (
    "MIT Election Data and Science Lab, U.S. President 1976-2020, doi:10.7910/DVN/42MVDX "
    "(version 20210113)"
)
_DISTRICT_SINCE = {"ME": 1972, "NE": 1992}
_NON_CANDIDATE = {
    "BLANK VOTE": ("undervotes", "Undervotes (blank)"),
    "BLANK VOTES": ("undervotes", "Undervotes (blank)"),
    "UNDERVOTES": ("undervotes", "Undervotes (blank)"),
    "OVER VOTE": ("overvotes", "Overvotes"),
    "OVERVOTES": ("overvotes", "Overvotes"),
    "VOID VOTE": ("void", "Void ballots"),
}
_UNNAMED = {"", "OTHER", "OTHERS", "SCATTERING", "BLANK VOTE/SCATTERING"}
_UNNAMED_PREFIX = "BLANK VOTE/"
SCATTERING = ChoiceId("scattering")
_ELECTION_DAYS = {
    1976: date(1976, 11, 2),
    1980: date(1980, 11, 4),
    1984: date(1984, 11, 6),
    1988: date(1988, 11, 8),
    1992: date(1992, 11, 3),
    1996: date(1996, 11, 5),
    2000: date(2000, 11, 7),
    2004: date(2004, 11, 2),
    2008: date(2008, 11, 4),
    2012: date(2012, 11, 6),
    2016: date(2016, 11, 8),
    2020: date(2020, 11, 3),
}


def history_dir() -> Path:
    """The folder of the packaged 1976–2020 files."""
    return Path(str(resources.files("ballotproof") / "data" / "history"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _display(name: str) -> str:
    """``'GORE, AL'`` → ``'Al Gore'``; doubled quotes in nicknames become single ones."""
    name = name.replace('""', '"')
    surname, _, given = name.partition(",")
    parts = given.split()
    suffix = [p for p in parts if p.rstrip(".") in {"JR", "SR", "II", "III"}]
    given = " ".join(p for p in parts if p not in suffix).title()
    last = re.sub(r"\bMc([a-z])", lambda m: "Mc" + m.group(1).upper(), surname.strip().title())
    tail = " ".join(s.rstrip(".").title() + "." if s.startswith(("J", "S")) else s for s in suffix)
    return " ".join(p for p in (given, last, tail) if p)


@dataclass
class _Line:
    votes: int = 0
    parties: dict[str, int] = field(default_factory=dict)
    write_in: bool = True
    line: int = 0


_MEDSL_REQUIRED = ("year", "state", "state_po", "candidate", "candidatevotes", "totalvotes")
_MEDSL_OPTIONAL = (
    "party_detailed",
    "party_simplified",
    "writein",
    "version",
    "state_fips",
    "state_cen",
    "state_ic",
    "office",
    "notes",
)


def _year(row: Row) -> int:
    return parse_int(row, "year", minimum=1789)


def medsl_years(path: str | Path | None = None) -> tuple[int, ...]:
    """The election years present in a MEDSL presidential file."""
    p = Path(path) if path is not None else history_dir() / MEDSL_FILE
    header = p.read_text(encoding="utf-8").partition("\n")[0].replace('"', "").strip().split(",")
    rows = read_rows(p, ("year",), optional=tuple(header), display=_display_path(p, path))
    years = {_year(r) for r in rows}
    return tuple(sorted(years))


def medsl_row_lines() -> dict[tuple[int, str | None], tuple[int, int]]:
    """Where each year (``(year, None)``) and each state's year (``(year, "FL")``) sits in the
    packaged MEDSL file: the first and last line (1-based; line 1 is the header)."""
    p = history_dir() / MEDSL_FILE
    out: dict[tuple[int, str | None], tuple[int, int]] = {}
    rows = read_rows(p, _MEDSL_REQUIRED, optional=_MEDSL_OPTIONAL, display=MEDSL_FILE)
    for row in rows:
        year = _year(row)
        for key in ((year, None), (year, row.require("state_po"))):
            first, last = out.get(key, (row.line, row.line))
            out[key] = (min(first, row.line), max(last, row.line))
    return out


def _display_path(p: Path, given: str | Path | None) -> str:
    return p.name if given is None else str(given)


def _seats(path: Path, changes: Path) -> dict[int, dict[str, int]]:
    """House seats per state, by the first year each apportionment applied: the columns of
    ``path``, then each later apportionment of ``changes`` (``first_year, state,
    seats_change``: the states whose seats changed) applied to the one before it. Every
    apportionment must give the House its 435 seats."""
    header = path.read_text(encoding="utf-8").partition("\n")[0].strip().split(",")
    optional = tuple(c for c in header if c.isdigit())
    rows = list(read_rows(path, ("State",), optional=optional, display=path.name))
    if not rows:
        raise InputError("no rows", path=path.name)
    seats: dict[int, dict[str, int]] = {int(c): {} for c in optional}
    for row in rows:
        state = row.require("State")
        if state in {"Total", "DC"}:
            continue
        for column in optional:
            seats[int(column)][state] = parse_int(row, column, minimum=0)
    delta: dict[int, dict[str, tuple[int, int]]] = {}
    for row in read_rows(
        changes, ("first_year", "state", "seats_change"), optional=("census", "source_url")
    ):
        first = parse_int(row, "first_year", minimum=max(seats) + 1)
        state = row.require("state")
        if state not in seats[max(seats)]:
            raise row.error("state", f"a state of {path.name}", state)
        text = row.get("seats_change")
        if not re.fullmatch(r"[+-]?[0-9]+", text) or int(text) == 0:
            raise row.error("seats_change", "a non-zero whole number such as 2 or -1", text)
        if state in delta.get(first, {}):
            raise row.error("state", f"one row per state and year ({state} is repeated)", state)
        delta.setdefault(first, {})[state] = (int(text), row.line)
    for first in sorted(delta):
        now = dict(seats[max(seats)])
        for state, (change, line) in delta[first].items():
            now[state] += change
            if now[state] < 1:
                raise IntegrityError(
                    f"{state} would have {now[state]} House seats",
                    path=changes.name,
                    line=line,
                    field="seats_change",
                )
        seats[first] = now
    for first, by_state in seats.items():
        if first >= 1913 and sum(by_state.values()) != HOUSE_SEATS:
            raise IntegrityError(
                f"the apportionment first applied in {first} gives "
                f"{sum(by_state.values())} House seats, not {HOUSE_SEATS}",
                path=changes.name if first in delta else path.name,
                field="seats_change" if first in delta else str(first),
            )
    return seats


def _electors(path: Path, year: int, changes: Path | None = None) -> dict[str, int]:
    """Electors per state for ``year``: House seats of the apportionment in force, plus 2
    (DC: 3, Twenty-third Amendment). An apportionment first applies to the Congress elected
    the year before (the 2020 census: elections from 2022, so presidential ones from 2024)."""
    changes = changes or path.with_name(APPORTIONMENT_CHANGES_FILE)
    seats = _seats(path, changes)
    in_force = [first for first in seats if first <= year + 1]
    if not in_force or year + 1 >= max(seats) + 10:  # the next census's would be in force
        raise InputError(
            f"no apportionment in {path.name} or {changes.name} covers {year} (the last "
            f"packaged one is in force for elections from {max(seats) - 1} to {max(seats) + 8})",
            path=path.name,
            field="year",
        )
    electors = {"DC": 3}
    electors.update({state: n + 2 for state, n in seats[max(in_force)].items()})
    return electors


def _non_candidate(name: str) -> tuple[ChoiceId, str] | None:
    if name in _NON_CANDIDATE:
        cid, label = _NON_CANDIDATE[name]
        return ChoiceId(cid), label
    if name in _UNNAMED or name.startswith(_UNNAMED_PREFIX):
        return SCATTERING, "Other, write-in and scattering (no candidate named)"
    return None


def load_medsl(
    path: str | Path | None = None,
    *,
    year: int,
    with_districts: bool = True,
) -> Election:
    """One year of a MEDSL-format presidential file as an :class:`Election`.

    Parameters
    ----------
    path : the MEDSL file (default: the packaged 1976–2020 copy)
    year : the election year
    with_districts : for 2020, load the packaged Maine/Nebraska district results

    Raises
    ------
    InputError, IntegrityError
        Naming the file, line and field; nothing is returned.
    """
    p = Path(path) if path is not None else history_dir() / MEDSL_FILE
    display = _display_path(p, path)
    if not p.is_file():
        raise InputError("file not found", path=display)
    electors = _electors(history_dir() / APPORTIONMENT_FILE, year)
    required = _MEDSL_REQUIRED
    optional = _MEDSL_OPTIONAL
    lines: dict[str, dict[str, _Line]] = {}
    names: dict[str, str] = {}
    totals: dict[str, tuple[int, int]] = {}
    versions: set[str] = set()
    for row in read_rows(p, required, optional=optional, display=display):
        if _year(row) != year:
            continue
        po = row.require("state_po")
        if po not in electors:
            raise row.error("state_po", "a state postal code or DC", po)
        names.setdefault(po, row.require("state").title().replace(" Of ", " of "))
        total = parse_int(row, "totalvotes")
        if po in totals and totals[po][0] != total:
            raise row.error("totalvotes", f"{totals[po][0]} as on line {totals[po][1]}", total)
        totals.setdefault(po, (total, row.line))
        name = row.get("candidate")
        entry = lines.setdefault(po, {}).setdefault(name, _Line(line=row.line))
        votes = parse_int(row, "candidatevotes")
        entry.votes += votes
        party = row.get("party_detailed") or row.get("party_simplified")
        if party and party != "NA":
            entry.parties[party] = entry.parties.get(party, 0) + votes
        writein = row.get("writein").upper()
        if writein not in {"TRUE", "FALSE", "NA", ""}:
            raise row.error("writein", "TRUE, FALSE or NA", row.get("writein"))
        entry.write_in = entry.write_in and writein == "TRUE"
        if row.get("version"):
            versions.add(row.get("version"))
    if not lines:
        raise InputError(f"no rows for {year}", path=display, field="year")
    missing = sorted(set(electors) - set(lines))
    if missing:
        raise IntegrityError(f"{year}: no results for {', '.join(missing)}", path=display)
    for po, entries in lines.items():
        summed = sum(e.votes for e in entries.values())
        if summed != totals[po][0]:
            raise IntegrityError(
                f"{year} {po}: lines add up to {summed}",
                path=display,
                line=totals[po][1],
                field="totalvotes",
                expected=str(summed),
                got=totals[po][0],
            )
    choices = _Choices()
    ids: dict[str, ChoiceId] = {}
    surname_of: dict[ChoiceId, str] = {}
    counts: list[VoteCount] = []
    # Candidates in order of national votes, so that ids and order do not depend on row order.
    national: dict[str, int] = {}
    parties_of: dict[str, dict[str, int]] = {}
    for entries in lines.values():
        for name, e in entries.items():
            national[name] = national.get(name, 0) + e.votes
            for party, v in e.parties.items():
                parties_of.setdefault(name, {})[party] = parties_of.get(name, {}).get(party, 0) + v
    for name in sorted(national, key=lambda n: (-national[n], n)):
        special = _non_candidate(name)
        if special is not None:
            ids[name] = special[0]
            choices.add(Choice(special[0], special[1], "", is_candidate=False))
            continue
        cid = ChoiceId(_slug(name.split(",")[0]))
        if cid in surname_of and surname_of[cid] != name:
            cid = ChoiceId(_slug(name))
        surname_of.setdefault(cid, name)
        ids[name] = cid
    for po, entries in lines.items():
        merged: dict[ChoiceId, int] = {}
        for name, e in entries.items():
            cid = ids[name]
            if cid not in choices.by_id:
                party_votes = parties_of.get(name, {})
                parties = sorted(party_votes, key=lambda k: (-party_votes[k], k))
                choices.add(
                    Choice(
                        cid,
                        _display(name),
                        "; ".join(p.title() for p in parties),
                        is_write_in=e.write_in,
                    )
                )
            merged[cid] = merged.get(cid, 0) + e.votes
        counts.extend(VoteCount(UnitId(po), cid, v) for cid, v in merged.items())
    units = [Unit(UnitId("US"), "United States", UnitType.NATION)]
    district_units: list[Unit] = []
    states_info = {
        po: (electors[po], "district_plus_statewide" if po in _DISTRICT_SINCE else "x")
        for po in electors
    }
    by_district = with_districts and year == 2020 and path is None
    extra = _district_rows(year, lines, electors) if with_districts and path is None else {}
    for po in sorted(lines):
        split = (by_district and po in _DISTRICT_SINCE) or po in extra
        statewide = 2 if split else electors[po]
        units.append(Unit(UnitId(po), names[po], UnitType.STATE, UnitId("US"), statewide))
    sources = [MEDSL_SOURCE + (f"; file {display}" if path is not None else "")]
    if by_district:
        d_units, d_counts = _read_districts(
            us2020_dir() / DISTRICT_FILE,
            {po: v for po, v in states_info.items() if po in _DISTRICT_SINCE},
            choices,
        )
        district_units, counts = d_units, counts + d_counts
        sources.append(f"Maine/Nebraska districts: data/us2020/{DISTRICT_FILE}")
    for po, (d_units, d_counts) in extra.items():
        district_units += d_units
        counts += d_counts
        sources.append(f"{po} districts: data/history/{DISTRICT_RESULTS_FILE} (OpenElections)")
    ordered = [c for c in choices.by_id.values() if c.is_candidate]
    ordered += sorted((c for c in choices.by_id.values() if not c.is_candidate), key=lambda c: c.id)
    contest = Contest(PRESIDENT, "President of the United States", tuple(ordered), tuple(counts))
    return Election(
        name=f"{year} United States presidential election",
        date=_ELECTION_DAYS.get(year),
        units=tuple(units + district_units),
        contests=(contest,),
        source="; ".join(sources)
        + (f" (MEDSL version {', '.join(sorted(versions))})" if versions else ""),
    )


def _district_rows(
    year: int, lines: dict[str, dict[str, _Line]], electors: dict[str, int]
) -> dict[str, tuple[list[Unit], list[VoteCount]]]:
    """The packaged district results of ``year``, checked against the state's MEDSL lines.

    Each state's district rows (overseas ballots included) must add up, choice by choice, to
    the state's own returns; its electors minus 2 must equal its numbered districts.
    """
    path = history_dir() / DISTRICT_RESULTS_FILE
    found: dict[str, dict[UnitId, dict[ChoiceId, int]]] = {}
    first_line: dict[str, int] = {}
    for row in read_rows(
        path,
        ("year", "state_po", "district", "choice", "votes"),
        optional=("derivation",),
        display=DISTRICT_RESULTS_FILE,
    ):
        if _year(row) != year:
            continue
        po = row.require("state_po")
        if po not in _DISTRICT_SINCE or po not in lines:
            raise row.error("state_po", "ME or NE", po)
        unit = row.require("district")
        if not re.fullmatch(rf"{po}-(\d+|UOCAVA)", unit):
            raise row.error("district", f"{po}-1, {po}-2 … or {po}-UOCAVA", unit)
        choice = ChoiceId(row.require("choice"))
        by_choice = found.setdefault(po, {}).setdefault(UnitId(unit), {})
        if choice in by_choice:
            raise row.error("choice", f"one row per district and choice for {unit}", choice)
        by_choice[choice] = parse_int(row, "votes")
        first_line.setdefault(po, row.line)
    out: dict[str, tuple[list[Unit], list[VoteCount]]] = {}
    for po, units in found.items():
        state: dict[ChoiceId, int] = {}
        for name, e in lines[po].items():
            cid = _non_candidate(name)
            key = cid[0] if cid else ChoiceId(_slug(name.split(",")[0]))
            state[key] = state.get(key, 0) + e.votes
        summed: dict[ChoiceId, int] = {}
        for by_choice in units.values():
            for choice, votes in by_choice.items():
                summed[choice] = summed.get(choice, 0) + votes
        if summed != state:
            raise IntegrityError(
                f"{year} {po}: districts add up to {sorted(summed.items())}, the state's "
                f"returns to {sorted(state.items())}",
                path=DISTRICT_RESULTS_FILE,
                line=first_line[po],
                field="votes",
            )
        numbered = sorted(u for u in units if not u.endswith("UOCAVA"))
        if len(numbered) != electors[po] - 2:
            raise IntegrityError(
                f"{year} {po}: {electors[po]} electors need {electors[po] - 2} districts, "
                f"found {len(numbered)}",
                path=DISTRICT_RESULTS_FILE,
                line=first_line[po],
                field="district",
            )
        d_units = [
            Unit(
                u,
                f"{po} congressional district {u.split('-')[1]}"
                if u in numbered
                else f"{po} overseas and military ballots (not assigned to a district)",
                UnitType.DISTRICT if u in numbered else UnitType.OTHER,
                UnitId(po),
                1 if u in numbered else 0,
            )
            for u in sorted(units)
        ]
        d_counts = [
            VoteCount(u, c, v) for u, by_choice in units.items() for c, v in by_choice.items()
        ]
        out[po] = (d_units, d_counts)
    return out


def load_electors_record(
    year: int, folder: Path | None = None
) -> tuple[tuple[ElectorDeviation, ...], tuple[DistrictAward, ...], tuple[CastTotal, ...]]:
    """The packaged record of what the electors did in ``year``."""
    root = folder or history_dir()
    deviations = []
    for row in read_rows(
        root / FAITHLESS_FILE,
        ("year", "state_po", "pledged_to", "electors", "source_url"),
        optional=("voted_for", "note"),
        display=FAITHLESS_FILE,
    ):
        if _year(row) == year:
            deviations.append(
                ElectorDeviation(
                    year,
                    UnitId(row.require("state_po")),
                    ChoiceId(row.require("pledged_to")),
                    row.get("voted_for"),
                    parse_int(row, "electors", minimum=1),
                    row.get("note"),
                    row.require("source_url"),
                )
            )
    awards = []
    for row in read_rows(
        root / AWARDS_FILE,
        ("year", "district", "winner", "electors", "source_url"),
        optional=("note",),
        display=AWARDS_FILE,
    ):
        if _year(row) == year:
            awards.append(
                DistrictAward(
                    year,
                    UnitId(row.require("district")),
                    ChoiceId(row.require("winner")),
                    parse_int(row, "electors", minimum=1),
                    row.get("note"),
                    row.require("source_url"),
                )
            )
    cast = [
        CastTotal(
            year, row.require("candidate"), parse_int(row, "electoral_votes"), row.get("source_url")
        )
        for row in read_rows(
            root / CAST_FILE,
            ("year", "candidate", "electoral_votes"),
            optional=("source_url",),
            display=CAST_FILE,
        )
        if _year(row) == year
    ]
    return tuple(deviations), tuple(awards), tuple(cast)


def load_history_year(year: int) -> ElectionRecord:
    """One packaged year, 1976–2020 (every fourth year), with its electors' record.

    Raises
    ------
    InputError
        For a year that is not a packaged presidential election.
    """
    if year not in _ELECTION_DAYS:
        raise InputError(
            f"no built-in election {year}: the built-in presidential elections are "
            f"{FIRST_YEAR}–{LAST_YEAR}, every fourth year",
            field="--election",
            got=year,
        )
    election = load_medsl(year=year)
    deviations, awards, cast = load_electors_record(year)
    contest = election.contest()
    known = {c.id for c in contest.choices}
    for d in deviations:
        if d.pledged_to not in known or not election.has_unit(d.state):
            raise IntegrityError(
                f"{year}: {d.pledged_to} / {d.state} is not a candidate / state of that year",
                path=FAITHLESS_FILE,
                field="pledged_to",
            )
    warnings = []
    for a in awards:
        if a.winner not in known:
            raise IntegrityError(
                f"{year}: {a.winner} is not a candidate of that year", path=AWARDS_FILE
            )
        warnings.append(
            f"{year}: {a.district} vote figures are not packaged; the votes analyses allocate "
            f"{a.state} statewide, while the record gives {a.district}'s {a.electors} elector "
            f"to {a.winner} (pledged and cast counts include it; source {a.source})"
        )
    return ElectionRecord(year, election, deviations, awards, cast, tuple(warnings))


def load_history(years: tuple[int, ...] | None = None) -> tuple[ElectionRecord, ...]:
    """Every packaged year (or the given ones), oldest first."""
    chosen = years if years is not None else tuple(sorted(_ELECTION_DAYS))
    return tuple(load_history_year(y) for y in chosen)
