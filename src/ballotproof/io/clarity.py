"""Scytl/Clarity election-night results ("ENR detail XML", ``detail.xml``) as feed rows.

States and counties that publish results through Clarity post a ``detail.xml`` snapshot that
they replace as the count goes on: ``ElectionResult`` with a ``Timestamp`` (local time and
zone, e.g. ``11/13/2014 2:58:41 PM CST``) and ``Contest`` elements, each with ``Choice``
elements (``text``, ``party``), each with ``VoteType`` elements (``Election Day``, ``Early
Vote``, ``Absentee by Mail`` …) that hold the votes per ``County`` (a state's file) or per
``Precinct`` (a county's file, whose ``Region`` is the county). The layout is the one the
``clarify`` library (OpenElections) parses; its test files were read to learn it. This reader
is written on the standard library: ``clarify`` 0.7 requires build and upload tools (twine,
build, wheel) at run time, which an election-night machine should not need.

One snapshot becomes one row of the generic feed (docs/formats.md) per county and vote mode,
all at the snapshot's time: ``unit`` (the county's id in the election's results data, matched
by name), ``mode`` (from the vote type's name), ``votes_<candidate>`` (choices matched to the
contest's candidates by surname, else by party; an unmatched choice counts in ``total`` only)
and ``precincts_pct`` where the file gives it. Errors name the snapshot and the element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from ballotproof.calls.feed import VoteMode
from ballotproof.errors import InputError
from ballotproof.model import Election, UnitType

__all__ = ["ClarityRow", "is_clarity", "read_clarity"]

# U.S. zone abbreviations a Clarity timestamp ends with, as UTC offsets in hours.
_ZONES = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "UTC": 0, "GMT": 0,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClarityRow:
    """One county's count in one vote mode at the snapshot's time."""

    time: datetime
    unit: str
    mode: VoteMode
    votes: Mapping[str, int]
    total: int
    precincts_pct: float | None


def is_clarity(text: str) -> bool:
    """Whether a snapshot is Clarity XML (the generic feed is CSV)."""
    head = text.lstrip()[:400]
    return head.startswith("<") and "<ElectionResult" in head


def _mode(name: str, where: str) -> VoteMode:
    low = name.lower()
    if "provisional" in low:
        return VoteMode.PROVISIONAL
    if "mail" in low or "absentee" in low:
        return VoteMode.MAIL
    if "early" in low or "advance" in low:
        return VoteMode.EARLY
    if "election" in low or low in {"in person", "polls"}:
        return VoteMode.ELECTION_DAY
    raise InputError(
        path=where,
        field="VoteType/@name",
        expected="a vote type naming election day, early/advance, absentee/mail or provisional",
        got=name,
    )


def _time(text: str, where: str) -> datetime:
    m = re.fullmatch(r"\s*(\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M) ([A-Z]{2,4})\s*", text)
    if not m or m.group(2) not in _ZONES:
        raise InputError(
            path=where,
            field="Timestamp",
            expected="a time such as 11/4/2020 2:58:41 PM EST",
            got=text.strip(),
        )
    local = datetime.strptime(m.group(1), "%m/%d/%Y %I:%M:%S %p")
    zone = timezone(timedelta(hours=_ZONES[m.group(2)]))
    return local.replace(tzinfo=zone).astimezone(UTC)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def _candidate(choice: ET.Element, candidates: Sequence[tuple[str, str, str]]) -> str | None:
    """The contest candidate a Clarity choice is (by surname, else by party), or ``None``."""
    words = _words(choice.get("text", ""))
    by_name = [
        cid for cid, name, _ in candidates if name.split() and name.split()[-1].lower() in words
    ]
    if len(by_name) == 1:
        return by_name[0]
    party = choice.get("party", "").strip().upper()
    by_party = [cid for cid, _, p in candidates if party and p.upper().startswith(party[:3])]
    return by_party[0] if len(by_party) == 1 else None


def _county_key(name: str) -> str:
    return re.sub(r"\b(county|parish|borough|census area)\b", "", name.lower()).strip()


def read_clarity(
    text: str,
    *,
    source: str,
    election: Election,
    state: str,
    contest: str | None = None,
) -> list[ClarityRow]:
    """The rows of one Clarity snapshot for ``state`` (module docstring).

    ``contest`` picks the contest whose text contains it (case-insensitive); by default the
    one whose text contains "President".

    Raises
    ------
    InputError
        Not Clarity XML, no such contest, a county or vote type that cannot be placed (the
        error names the snapshot and the element), fewer than two candidates matched.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML ({exc})", path=source) from None
    if root.tag != "ElectionResult":
        raise InputError(path=source, field="/", expected="<ElectionResult>", got=f"<{root.tag}>")
    when = _time(root.findtext("Timestamp", ""), source)
    wanted = (contest or "President").lower()
    found = [c for c in root.iter("Contest") if wanted in c.get("text", "").lower()]
    if len(found) != 1:
        names = ", ".join(repr(c.get("text", "")) for c in root.iter("Contest"))
        raise InputError(
            path=source,
            field="Contest/@text",
            expected=f"exactly one contest containing {wanted!r}",
            got=f"{len(found)} among {names or 'no contests'}",
        )
    (element,) = found
    choices = election.contest().choices
    candidates = [(str(c.id), c.name, c.party) for c in choices if c.is_candidate]
    counties = {
        _county_key(u.name): str(u.id)
        for u in election.units
        if u.parent == state and u.type is UnitType.COUNTY
    }
    region = root.findtext("Region", "").strip()
    precincts: dict[str, float] = {}  # county id → percent of its precincts reporting
    for c in element.iter("County"):
        pct = c.get("precinctsReportingPercent")
        unit = counties.get(_county_key(c.get("name", "")))
        if pct is not None and c.get("votes") is None and unit is not None:
            precincts[unit] = float(pct)
    votes: dict[tuple[str, VoteMode], dict[str, int]] = {}
    totals: dict[tuple[str, VoteMode], int] = {}
    matched: set[str] = set()
    for choice in element.findall("Choice"):
        cid = _candidate(choice, candidates)
        if cid is not None:
            matched.add(cid)
        for vt in choice.findall("VoteType"):
            mode = _mode(vt.get("name", ""), f"{source}: Choice {choice.get('text')!r}")
            places = [(c.get("name", ""), c.get("votes", "0")) for c in vt.findall("County")]
            if not places:  # a county's own file: its precincts, summed to the county
                places = [(region, p.get("votes", "0")) for p in vt.findall("Precinct")]
            for name, count in places:
                unit = counties.get(_county_key(name))
                if unit is None:
                    raise InputError(
                        f"county {name!r} is not a county of {state} in the results data",
                        path=source,
                        field=f"Choice[@text={choice.get('text')!r}]/VoteType/County/@name",
                    )
                if not count.isdigit():
                    raise InputError(
                        path=source,
                        field=f"County[@name={name!r}]/@votes",
                        expected="a whole number",
                        got=count,
                    )
                key = (unit, mode)
                totals[key] = totals.get(key, 0) + int(count)
                if cid is not None:
                    votes.setdefault(key, {})
                    votes[key][cid] = votes[key].get(cid, 0) + int(count)
    if len(matched) < 2:
        raise InputError(
            "fewer than two of the contest's choices match the election's candidates",
            path=source,
            field="Choice/@text",
            expected=", ".join(name for _, name, _ in candidates),
        )
    return [
        ClarityRow(
            when,
            unit,
            mode,
            {cid: votes.get((unit, mode), {}).get(cid, 0) for cid in sorted(matched)},
            total,
            precincts.get(unit),
        )
        for (unit, mode), total in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]
