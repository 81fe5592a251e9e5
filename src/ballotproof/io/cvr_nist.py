"""NIST SP 1500-103 cast vote records (the Cast Vote Records Common Data Format), JSON form.

Reference: NIST Special Publication 1500-103, *Cast Vote Records Common Data Format
Specification*, version 1.0, its JSON schema ``NIST_V0_cast_vote_records.json`` and XML schema
``NIST_V0_cast_vote_records.xsd`` (usnistgov/CastVoteRecords), and the two example files NIST
published with it (``example_1.xml``, ``example_2.xml``; they exist in XML only). The meaning of
``IsAllocable`` follows the examples' commentary (HiltonRoscoe/CDFPrototype, ``CVR/EXAMPLES.md``):
it alone decides whether a position's votes go to the contest option's counter.

The report (:func:`load_nist_cvr`)
----------------------------------
``{"@type": "CVR.CastVoteRecordReport", "CVR": [cvr, …], "Election": [election, …],
"ReportGeneratingDeviceIds": [id, …], "ReportType": [type, …], "Party": [party, …], …}``::

    cvr       = {"ElectionId", "CurrentSnapshotId", "CVRSnapshot": [snapshot, …],
                 "CreatingDeviceId", "BatchId", "BatchSequenceId", "BallotAuditId",
                 "UniqueId", …}
    snapshot  = {"@id", "Type", "CVRContest": [{"ContestId", "Overvotes", "Status": […],
                 "CVRContestSelection": [{"ContestSelectionId", "SelectionPosition": [
                 {"HasIndication", "IsAllocable", "NumberVotes", …}, …]}, …]}, …]}
    election  = {"@id", "Name", "Contest": [contest, …], "Candidate": [{"@id", "Name"}, …]}
    contest   = {"@type", "@id", "Name", "VotesAllowed", "VoteVariation",
                 "ContestSelection": [{"@type", "@id", "CandidateIds" | "Selection" |
                 "PartyIds"}, …]}

Members not named here (ballot images, mark metrics, annotations, codes, statuses other than
``overvoted``, ``Undervotes``, ``TotalNumberVotes``, ``OptionPosition``, write-in text) are not
read. ``TotalNumberVotes`` in particular is ignored: NIST's example 1 gives 1 for a selection
whose only position is not allocable.

* **Which snapshot counts.** The ``CVRSnapshot`` whose ``@id`` is the CVR's
  ``CurrentSnapshotId``, whatever its ``Type``; there must be exactly one.
* **Votes.** A selection gets a vote when one of its ``SelectionPosition`` entries has
  ``IsAllocable`` ``yes`` (the spec's rule for the option's counter). ``no`` and ``unknown``
  (awaiting adjudication) give no vote; a position with ``HasIndication`` ``yes`` and no
  ``IsAllocable`` is refused, since whether the mark counts is not stated. An allocable
  position must have ``NumberVotes`` 1, and a selection at most one allocable position.
* **Overvotes.** A contest is overvoted on a card when its ``CVRContest`` has ``Overvotes``
  > 0, or ``Status`` lists ``overvoted``, or more selections are allocated than the contest's
  ``VotesAllowed``. The card's marks in it are then the selections allocated or indicated
  (``HasIndication`` ``yes``), kept so that a hand count can be compared with them; when these
  are not more than ``VotesAllowed`` (or it is unknown), the marks are not known and the card
  holds the empty set, as for ES&S. A contest flagged as overvoted that still allocates no more
  votes than allowed contradicts itself and is refused.
* **Contests on a card.** Those the snapshot lists. The standard lets a producer leave out
  contests with no indication, so ``cards`` in a tally counts the cards that list the contest;
  the audit reads a contest missing from a card as blank.
* **Names.** Contests and choices are named, not numbered: a contest by its ``Name``; a
  ``CandidateSelection`` by its candidates' ``Name`` (several, a ticket, joined with
  `` / ``); a ``BallotMeasureSelection`` by its ``Selection``; a ``PartySelection`` by its
  parties' ``Name``. Runs of white space (line breaks included) become one space. A contest,
  candidate, party or selection without a non-empty name is named by its ``@id`` (NIST's
  example 1 names nothing). Two contests, or two choices of one contest, with the same name
  are refused.
* **Votes allowed.** ``VotesAllowed`` of a ``CandidateContest`` (unknown without it); 1 for a
  ``BallotMeasureContest`` and a ``RetentionContest`` (one answer to a question); unknown for
  a ``PartyContest`` and a plain ``Contest``.
* **Identity.** The tabulator is ``CreatingDeviceId`` as written (without it: the report's only
  ``ReportGeneratingDeviceIds`` entry, unless ``ReportType`` says ``aggregated``). The batch is
  ``BatchId``, required: a ballot-comparison audit finds a ballot by tabulator, batch and
  position, and without a batch nothing matches the manifest. The record is
  ``BatchSequenceId`` ("the sequence number of the corresponding paper ballot within a batch")
  when the CVRs of the batch give it, else the CVR's place among the batch's CVRs in file order,
  1, 2, … (a batch must not mix the two); positions then follow :mod:`ballotproof.io.cvr`. The
  imprinted id is ``BallotAuditId`` (the id "impressed on the corresponding audit record"),
  else ``UniqueId`` (the device's sequence number for the CVR), else
  ``Tabulator-Batch-Record`` as Dominion prints it. Ballot images are not read: they point to
  a scan, not to a number on the paper.

What cannot be represented is refused, naming the JSON path: ranked choice (``Rank``, or a
contest whose ``VoteVariation`` is ``rcv``, ``borda``, ``cumulative``, ``range`` or
``proportional``), fractional votes (``FractionalVotes``, ``TotalFractionalVotes``), a vote
worth more than one (``NumberVotes`` ≠ 1 on an allocable position, or two allocable positions
in one selection), and a vote for a write-in without a candidate (an allocable
``CVRContestSelection`` without ``ContestSelectionId``, or for a ``CandidateSelection`` with no
``CandidateIds``): such a vote has no choice to count for. Every CVR must belong to the same
``Election``. The XML form is not read.

The file is read whole with :func:`json.load`. An error names the file and the JSON path of
the bad value as its field, e.g. ``/CVR/3/CVRSnapshot/0/CVRContest/1/CVRContestSelection/0/
SelectionPosition/0/IsAllocable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.cvr import (
    ContestInfo,
    CvrFile,
    CvrFormat,
    Interner,
    RawCard,
    describe_card,
    number_cards,
)
from ballotproof.io.jsonread import JsonReader, read_json

__all__ = ["REPORT_TYPE", "load_nist_cvr"]

REPORT_TYPE = "CVR.CastVoteRecordReport"

#: ``CvrFormat`` lives in :mod:`ballotproof.io.cvr`; until it has ``NIST_JSON`` ("nist-json"),
#: the records carry the other JSON format's label.
FORMAT: CvrFormat = CvrFormat.NIST_JSON

_CONTEST_TYPES = {
    "CVR.CandidateContest",
    "CVR.BallotMeasureContest",
    "CVR.RetentionContest",
    "CVR.PartyContest",
    "CVR.Contest",
}
_SELECTION_TYPES = {
    "CVR.CandidateSelection",
    "CVR.BallotMeasureSelection",
    "CVR.PartySelection",
    "CVR.ContestSelection",
}
_NOT_A_SET = {
    "rcv": "ranked-choice",
    "borda": "Borda-count",
    "cumulative": "cumulative",
    "range": "range",
    "proportional": "proportional",
}
_INDICATION = ("yes", "no", "unknown")


def _name(text: str) -> str:
    """``text`` with runs of white space, line breaks included, made one space."""
    return " ".join(text.split())


class _Json(JsonReader):
    """:class:`~ballotproof.io.jsonread.JsonReader` with what SP 1500-103 needs besides:
    refusals and clashes at a path, optional members, arrays of objects or strings."""

    __slots__ = ()

    def refuse(self, where: str, why: str) -> InputError:
        return InputError(why, path=self.path, field=where)

    def clash(self, where: str, why: str) -> IntegrityError:
        return IntegrityError(why, path=self.path, field=where)

    def objects(self, parent: dict[str, object], key: str, where: str) -> list[dict[str, object]]:
        """The objects of an optional array (none when the key is absent)."""
        if key not in parent:
            return []
        value = parent[key]
        if not isinstance(value, list):
            raise self.fail(f"{where}/{key}", "an array", value)
        return [self.obj(item, f"{where}/{key}/{i}") for i, item in enumerate(value)]

    def texts(self, parent: dict[str, object], key: str, where: str) -> list[str]:
        """The strings of an optional array (none when the key is absent)."""
        if key not in parent:
            return []
        value = parent[key]
        if not isinstance(value, list):
            raise self.fail(f"{where}/{key}", "an array", value)
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{where}/{key}/{i}", "a string", item)
        return value

    def opt_text(self, parent: dict[str, object], key: str, where: str) -> str | None:
        return self.text(parent, key, where) if key in parent else None

    def opt_name(self, parent: dict[str, object], key: str, where: str) -> str | None:
        """A name, white space collapsed; ``None`` when absent or blank."""
        if key not in parent:
            return None
        value = parent[key]
        if not isinstance(value, str):
            raise self.fail(f"{where}/{key}", "a string", value)
        return _name(value) or None

    def opt_whole(
        self, parent: dict[str, object], key: str, where: str, minimum: int = 0
    ) -> int | None:
        return self.whole(parent, key, where, minimum) if key in parent else None

    def choice(
        self, parent: dict[str, object], key: str, where: str, allowed: tuple[str, ...]
    ) -> str:
        expected = " or ".join(repr(a) for a in allowed)
        value = self.member(parent, key, where, expected)
        if value not in allowed:
            raise self.fail(f"{where}/{key}", expected, value)
        assert isinstance(value, str)
        return value


_XML = (
    "this is XML; ballotproof reads the JSON form of NIST SP 1500-103 "
    "(export the cast vote records as JSON)"
)


# --- the election's definitions ----------------------------------------------------------------


@dataclass(slots=True)
class _Contest:
    """A contest as the ``Election`` defines it: selection ``@id`` → choice name (``None``:
    a write-in line with no candidate)."""

    name: str
    votes_allowed: int | None
    where: str
    selections: dict[str, str | None] = field(default_factory=dict)

    def info(self) -> ContestInfo:
        choices = tuple(c for c in self.selections.values() if c is not None)
        return ContestInfo(self.name, self.votes_allowed, choices)


def _unique(j: _Json, seen: dict[str, str], key: str, where: str, what: str, member: str) -> None:
    first = seen.setdefault(key, where)
    if first != where:
        raise j.clash(f"{where}/{member}", f"{what} is already defined at {first}")


def _parties(j: _Json, top: dict[str, object]) -> dict[str, str]:
    """Party ``@id`` → name (its ``@id`` when it has none)."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for i, party in enumerate(j.objects(top, "Party", "")):
        where = f"/Party/{i}"
        ident = j.text(party, "@id", where)
        _unique(j, seen, ident, where, f"party {ident!r}", "@id")
        names[ident] = j.opt_name(party, "Name", where) or ident
    return names


def _joined(
    j: _Json, ids: list[str], names: dict[str, str], where: str, what: str, home: str
) -> str | None:
    """The names of ``ids`` joined with `` / ``; ``None`` for no ids."""
    found: list[str] = []
    for k, ident in enumerate(ids):
        name = names.get(ident)
        if name is None:
            raise j.clash(f"{where}/{k}", f"{what} {ident!r} is not defined in {home}")
        found.append(name)
    return " / ".join(found) or None


def _contest(
    j: _Json,
    value: dict[str, object],
    where: str,
    candidates: dict[str, str],
    parties: dict[str, str],
    election_where: str,
) -> tuple[str, _Contest]:
    kind = j.member(value, "@type", where, "a contest type")
    if kind not in _CONTEST_TYPES:
        raise j.fail(f"{where}/@type", " or ".join(sorted(map(repr, _CONTEST_TYPES))), kind)
    ident = j.text(value, "@id", where)
    variation = j.opt_text(value, "VoteVariation", where)
    if variation in _NOT_A_SET:
        raise j.refuse(
            f"{where}/VoteVariation",
            f"{_NOT_A_SET[variation]} contests are not supported: a ballot's votes must be a set "
            "of choices",
        )
    if kind == "CVR.CandidateContest":
        allowed = j.opt_whole(value, "VotesAllowed", where, minimum=1)
    elif kind in ("CVR.BallotMeasureContest", "CVR.RetentionContest"):
        allowed = 1
    else:
        allowed = None
    contest = _Contest(j.opt_name(value, "Name", where) or ident, allowed, where)
    selections = j.objects(value, "ContestSelection", where)
    if not selections:
        raise InputError(
            "a contest needs at least one ContestSelection",
            path=j.path,
            field=f"{where}/ContestSelection",
        )
    seen_ids: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for k, selection in enumerate(selections):
        sw = f"{where}/ContestSelection/{k}"
        stype = j.member(selection, "@type", sw, "a contest selection type")
        if stype not in _SELECTION_TYPES:
            raise j.fail(f"{sw}/@type", " or ".join(sorted(map(repr, _SELECTION_TYPES))), stype)
        sid = j.text(selection, "@id", sw)
        _unique(j, seen_ids, sid, sw, f"selection {sid!r}", "@id")
        choice: str | None
        if stype == "CVR.CandidateSelection":
            ids = j.texts(selection, "CandidateIds", sw)
            home = f"{election_where}/Candidate"
            choice = _joined(j, ids, candidates, f"{sw}/CandidateIds", "candidate", home)
        elif stype == "CVR.PartySelection":
            ids = j.texts(selection, "PartyIds", sw)
            choice = _joined(j, ids, parties, f"{sw}/PartyIds", "party", "/Party") or sid
        elif stype == "CVR.BallotMeasureSelection":
            choice = j.opt_name(selection, "Selection", sw) or sid
        else:
            choice = sid
        if choice is not None:
            _unique(
                j, seen_names, choice, sw, f"choice {choice!r} of contest {contest.name!r}", "@id"
            )
        contest.selections[sid] = choice
    return ident, contest


def _election(
    j: _Json, election: dict[str, object], where: str, parties: dict[str, str]
) -> tuple[str, dict[str, _Contest]]:
    """The election's name and its contests by ``@id``, in file order."""
    candidates: dict[str, str] = {}
    seen: dict[str, str] = {}
    for i, candidate in enumerate(j.objects(election, "Candidate", where)):
        cw = f"{where}/Candidate/{i}"
        ident = j.text(candidate, "@id", cw)
        _unique(j, seen, ident, cw, f"candidate {ident!r}", "@id")
        candidates[ident] = j.opt_name(candidate, "Name", cw) or ident
    contests: dict[str, _Contest] = {}
    seen_ids: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    values = j.objects(election, "Contest", where)
    if not values:
        raise InputError(
            "an election needs at least one Contest", path=j.path, field=f"{where}/Contest"
        )
    for i, value in enumerate(values):
        cw = f"{where}/Contest/{i}"
        ident, contest = _contest(j, value, cw, candidates, parties, where)
        _unique(j, seen_ids, ident, cw, f"contest {ident!r}", "@id")
        _unique(j, seen_names, contest.name, cw, f"contest name {contest.name!r}", "Name")
        contests[ident] = contest
    name = j.opt_name(election, "Name", where) or j.text(election, "@id", where)
    return name, contests


# --- the cast vote records ---------------------------------------------------------------------


def _current_snapshot(
    j: _Json, cvr: dict[str, object], where: str
) -> tuple[dict[str, object], str]:
    current = j.text(cvr, "CurrentSnapshotId", where)
    if "CVRSnapshot" not in cvr:
        j.member(cvr, "CVRSnapshot", where, "an array")
    found: tuple[dict[str, object], str] | None = None
    seen: dict[str, str] = {}
    for k, snapshot in enumerate(j.objects(cvr, "CVRSnapshot", where)):
        sw = f"{where}/CVRSnapshot/{k}"
        ident = j.text(snapshot, "@id", sw)
        _unique(j, seen, ident, sw, f"snapshot {ident!r}", "@id")
        if ident == current:
            found = (snapshot, sw)
    if found is None:
        raise j.clash(
            f"{where}/CurrentSnapshotId", f"no CVRSnapshot of this CVR has @id {current!r}"
        )
    return found


def _refuse_fractions(j: _Json, value: dict[str, object], where: str, key: str) -> None:
    if key in value:
        raise j.refuse(
            f"{where}/{key}", "fractional votes are not supported: a vote counts 1 or nothing"
        )


def _selection_marks(j: _Json, selection: dict[str, object], where: str) -> tuple[bool, bool]:
    """``(allocated, indicated)`` for one ``CVRContestSelection``."""
    if "Rank" in selection:
        raise j.refuse(f"{where}/Rank", "ranked-choice votes are not supported")
    _refuse_fractions(j, selection, where, "TotalFractionalVotes")
    positions = j.objects(selection, "SelectionPosition", where)
    if not positions:
        j.member(selection, "SelectionPosition", where, "an array")
        raise InputError(
            "a CVRContestSelection needs at least one SelectionPosition",
            path=j.path,
            field=f"{where}/SelectionPosition",
        )
    allocated = indicated = False
    for m, position in enumerate(positions):
        pw = f"{where}/SelectionPosition/{m}"
        if "Rank" in position:
            raise j.refuse(f"{pw}/Rank", "ranked-choice votes are not supported")
        _refuse_fractions(j, position, pw, "FractionalVotes")
        has = j.choice(position, "HasIndication", pw, _INDICATION)
        number = j.whole(position, "NumberVotes", pw)
        if "IsAllocable" not in position:
            if has == "yes":
                raise InputError(
                    "the position has a mark (HasIndication 'yes') but does not say whether it "
                    "counts",
                    path=j.path,
                    field=f"{pw}/IsAllocable",
                    expected="'yes', 'no' or 'unknown'",
                )
            continue
        allocable = j.choice(position, "IsAllocable", pw, _INDICATION)
        indicated = indicated or has == "yes"
        if allocable != "yes":
            continue
        if number != 1:
            raise j.fail(
                f"{pw}/NumberVotes",
                "1 on an allocable position",
                number,
                "a vote worth more than one (cumulative voting) is not supported"
                if number > 1
                else "an allocable position without a vote contradicts itself",
            )
        if allocated:
            raise j.refuse(
                f"{pw}/IsAllocable",
                "a second allocable position in one selection (a vote worth more than one) is "
                "not supported",
            )
        allocated = True
    return allocated, indicated


def _card_votes(
    j: _Json,
    snapshot: dict[str, object],
    where: str,
    contests: dict[str, _Contest],
    election_where: str,
    intern: Interner,
) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    votes: dict[str, frozenset[str]] = {}
    overvotes: list[str] = []
    seen: dict[str, str] = {}
    for k, entry in enumerate(j.objects(snapshot, "CVRContest", where)):
        cw = f"{where}/CVRContest/{k}"
        cid = j.text(entry, "ContestId", cw)
        contest = contests.get(cid)
        if contest is None:
            raise j.clash(f"{cw}/ContestId", f"contest {cid!r} is not defined in {election_where}")
        first = seen.setdefault(cid, cw)
        if first != cw:
            raise j.clash(f"{cw}/ContestId", f"contest {cid!r} is also listed at {first}")
        flagged = bool(j.opt_whole(entry, "Overvotes", cw)) or "overvoted" in j.texts(
            entry, "Status", cw
        )
        allocated: list[str] = []
        indicated: list[str] = []
        chosen: dict[str, str] = {}
        for s, selection in enumerate(j.objects(entry, "CVRContestSelection", cw)):
            sw = f"{cw}/CVRContestSelection/{s}"
            sid = j.opt_text(selection, "ContestSelectionId", sw)
            if sid is not None and sid not in contest.selections:
                raise j.clash(
                    f"{sw}/ContestSelectionId",
                    f"selection {sid!r} is not one of contest {cid!r} at {contest.where}",
                )
            if sid is not None:
                earlier = chosen.setdefault(sid, sw)
                if earlier != sw:
                    raise j.clash(
                        f"{sw}/ContestSelectionId", f"selection {sid!r} is also listed at {earlier}"
                    )
            is_vote, is_mark = _selection_marks(j, selection, sw)
            choice = None if sid is None else contest.selections[sid]
            if choice is None:
                if is_vote:
                    missing = (
                        "ContestSelectionId"
                        if sid is None
                        else f"candidate (selection {sid!r} has no CandidateIds)"
                    )
                    raise j.refuse(
                        sw,
                        f"a vote for a write-in without a {missing} has no choice to count for; "
                        "resolve write-ins to candidates before exporting",
                    )
                continue
            if is_vote:
                allocated.append(choice)
            if is_mark:
                indicated.append(choice)

        allowed = contest.votes_allowed
        too_many = allowed is not None and len(allocated) > allowed
        if flagged and allocated and not too_many:
            raise j.clash(
                cw,
                f"the contest is marked overvoted (Overvotes or Status) but allocates "
                f"{len(allocated)} vote(s), "
                + (
                    "and its votes allowed are unknown"
                    if allowed is None
                    else f"no more than the {allowed} allowed"
                ),
            )
        if flagged or too_many:
            marks = dict.fromkeys(allocated + indicated)
            kept = marks if allowed is not None and len(marks) > allowed else {}
            votes[contest.name] = intern(kept)
            overvotes.append(contest.name)
        else:
            votes[contest.name] = intern(allocated)
    return votes, frozenset(overvotes)


@dataclass(slots=True)
class _Read:
    """A CVR as read, before its record number is known."""

    where: str
    tabulator: str
    batch: str
    sequence: int | None
    audit_id: str | None
    unique_id: str | None
    votes: dict[str, frozenset[str]]
    overvotes: frozenset[str]


def _default_device(j: _Json, top: dict[str, object]) -> str | None:
    """The report's device when it must be the one that made every CVR, else ``None``."""
    devices = j.texts(top, "ReportGeneratingDeviceIds", "")
    if len(devices) != 1 or "aggregated" in j.texts(top, "ReportType", ""):
        return None
    return devices[0].strip() or None


def _numbered(j: _Json, reads: list[_Read]) -> list[RawCard]:
    """Each CVR's record (``BatchSequenceId`` or its place in its batch) and imprinted id."""
    batches: dict[tuple[str, str], list[_Read]] = {}
    for r in reads:
        batches.setdefault((r.tabulator, r.batch), []).append(r)
    record: dict[int, int] = {}
    for batch in batches.values():
        numbered = batch[0].sequence is not None
        for place, r in enumerate(batch, start=1):
            if (r.sequence is not None) != numbered:
                first = batch[0].where
                raise InputError(
                    f"this CVR {'has no' if numbered else 'has a'} BatchSequenceId but {first}, "
                    f"in the same batch, {'has one' if numbered else 'has none'}",
                    path=j.path,
                    field=f"{r.where}/BatchSequenceId",
                )
            record[id(r)] = place if r.sequence is None else r.sequence

    cards: list[RawCard] = []
    by_card: dict[tuple[str, str, int], str] = {}
    by_audit: dict[str, str] = {}
    by_unique: dict[tuple[str, str], str] = {}
    for r in reads:
        rid = record[id(r)]
        first = by_card.setdefault((r.tabulator, r.batch, rid), r.where)
        if first != r.where:
            raise j.clash(
                f"{r.where}/BatchSequenceId",
                f"{describe_card(r.tabulator, r.batch, rid)} is already listed at {first}",
            )
        if r.audit_id is not None:
            imprinted = r.audit_id
            first = by_audit.setdefault(r.audit_id, r.where)
            if first != r.where:
                raise j.clash(
                    f"{r.where}/BallotAuditId",
                    f"BallotAuditId {r.audit_id!r} is already used at {first}",
                )
        elif r.unique_id is not None:
            imprinted = r.unique_id
            first = by_unique.setdefault((r.tabulator, r.unique_id), r.where)
            if first != r.where:
                raise j.clash(
                    f"{r.where}/UniqueId",
                    f"UniqueId {r.unique_id!r} of device {r.tabulator!r} is already used at "
                    f"{first}",
                )
        else:
            imprinted = f"{r.tabulator}-{r.batch}-{rid}"
        cards.append(
            RawCard(r.tabulator, r.batch, rid, imprinted, r.votes, r.overvotes, None, r.where)
        )
    return cards


def load_nist_cvr(path: str | Path, *, display: str | None = None) -> CvrFile:
    """Read a NIST SP 1500-103 ``CastVoteRecordReport`` in JSON (see the module docstring).

    Parameters
    ----------
    path : str or Path
    display : str, keyword-only
        The name to use in errors and as the result's ``source`` (default: the path as given).

    Returns
    -------
    CvrFile
        One record per ``CVR``, in file order, each with its position in its batch. Contests:
        every contest of the CVRs' ``Election``, in its order, with the choices that have a
        name (a write-in line without a candidate has none). ``election`` is the election's
        ``Name``, or its ``@id``.

    Raises
    ------
    InputError
        Unreadable, non-UTF-8, XML or malformed JSON (with its line); a report whose ``@type`` is
        not ``CVR.CastVoteRecordReport``; a missing or mistyped value (with its JSON path); no
        CVRs; a CVR without a batch or tabulator; ``BatchSequenceId`` given for some CVRs of a
        batch only; an indicated position without ``IsAllocable``; and what cannot be
        represented: ranked choice, fractional or multiple votes, a vote for a write-in without a
        candidate.
    IntegrityError
        A reference that names nothing (election, snapshot, contest, selection, candidate,
        party); an ``@id``, contest name or choice name defined twice; a contest or selection
        listed twice on one CVR; CVRs of two elections; a contest flagged as overvoted that
        allocates no more votes than allowed; a ballot ``(tabulator, batch, record)``, a
        ``BallotAuditId``, or a device's ``UniqueId`` used twice.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cvr.json"
    >>> position = {"@type": "CVR.SelectionPosition", "HasIndication": "yes",
    ...             "IsAllocable": "yes", "NumberVotes": 1}
    >>> _ = path.write_text(json.dumps({
    ...     "@type": "CVR.CastVoteRecordReport",
    ...     "ReportGeneratingDeviceIds": ["scanner-1"],
    ...     "Election": [{"@type": "CVR.Election", "@id": "e", "ElectionScopeId": "gp",
    ...         "Candidate": [{"@type": "CVR.Candidate", "@id": "c1", "Name": "Ann"}],
    ...         "Contest": [{"@type": "CVR.CandidateContest", "@id": "m", "Name": "Mayor",
    ...             "VotesAllowed": 1, "ContestSelection": [{"@type": "CVR.CandidateSelection",
    ...             "@id": "s1", "CandidateIds": ["c1"]}]}]}],
    ...     "CVR": [{"@type": "CVR.CVR", "ElectionId": "e", "CurrentSnapshotId": "v",
    ...         "BatchId": "7", "BallotAuditId": "7-12",
    ...         "CVRSnapshot": [{"@type": "CVR.CVRSnapshot", "@id": "v", "Type": "original",
    ...             "CVRContest": [{"@type": "CVR.CVRContest", "ContestId": "m",
    ...                 "CVRContestSelection": [{"@type": "CVR.CVRContestSelection",
    ...                     "ContestSelectionId": "s1", "SelectionPosition": [position]}]}]}]}],
    ... }))
    >>> r = load_nist_cvr(path).records[0]
    >>> (r.tabulator, r.batch, r.record_id, r.position, r.imprinted_id, dict(r.votes))
    ('scanner-1', '7', 1, 1, '7-12', {'Mayor': frozenset({'Ann'})})
    """
    name = display or str(path)
    j = _Json(name)
    top = j.obj(read_json(path, name, not_xml=_XML), "")
    kind = j.member(top, "@type", "", repr(REPORT_TYPE))
    if kind != REPORT_TYPE:
        raise j.fail("/@type", repr(REPORT_TYPE), kind)
    elections: dict[str, tuple[int, dict[str, object]]] = {}
    seen: dict[str, str] = {}
    if "Election" not in top:
        j.member(top, "Election", "", "an array")
    for i, election in enumerate(j.objects(top, "Election", "")):
        ident = j.text(election, "@id", f"/Election/{i}")
        _unique(j, seen, ident, f"/Election/{i}", f"election {ident!r}", "@id")
        elections[ident] = (i, election)
    cvrs = j.objects(top, "CVR", "")
    if not cvrs:
        raise InputError("the file lists no cast vote records", path=name, field="/CVR")
    parties = _parties(j, top)
    device = _default_device(j, top)

    election_id = j.text(cvrs[0], "ElectionId", "/CVR/0")
    if election_id not in elections:
        raise j.clash("/CVR/0/ElectionId", f"election {election_id!r} is not defined in /Election")
    index, election = elections[election_id]
    election_where = f"/Election/{index}"
    election_name, contests = _election(j, election, election_where, parties)

    intern = Interner()
    reads: list[_Read] = []
    for i, cvr in enumerate(cvrs):
        where = f"/CVR/{i}"
        if i:
            other = j.text(cvr, "ElectionId", where)
            if other != election_id:
                raise j.clash(
                    f"{where}/ElectionId",
                    f"this CVR belongs to election {other!r}, /CVR/0 to {election_id!r}; "
                    "load one election at a time",
                )
        tabulator = j.opt_text(cvr, "CreatingDeviceId", where) or device
        if tabulator is None:
            raise InputError(
                "the key is missing, and the report does not name the one device that made "
                "every CVR (ReportGeneratingDeviceIds)",
                path=name,
                field=f"{where}/CreatingDeviceId",
                expected="the device that scanned the ballot",
            )
        batch = j.member(cvr, "BatchId", where, "the ballot's batch (the manifest's Batch Name)")
        if not isinstance(batch, str) or not batch.strip():
            raise j.fail(f"{where}/BatchId", "a non-empty string", batch)
        snapshot, snap_where = _current_snapshot(j, cvr, where)
        votes, overvotes = _card_votes(j, snapshot, snap_where, contests, election_where, intern)
        reads.append(
            _Read(
                where,
                tabulator,
                batch.strip(),
                j.opt_whole(cvr, "BatchSequenceId", where),
                j.opt_text(cvr, "BallotAuditId", where),
                j.opt_text(cvr, "UniqueId", where),
                votes,
                overvotes,
            )
        )
    cards = _numbered(j, reads)
    return CvrFile(
        name,
        FORMAT,
        {c.name: c.info() for c in contests.values()},
        number_cards(cards),
        election_name,
        tuple(c.origin for c in cards),
    )
