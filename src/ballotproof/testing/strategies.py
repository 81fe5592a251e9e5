"""Hypothesis strategies for the model types.

``elections()`` draws a small presidential-style election: a nation, 2–9 states (some with
districts that carry their own electors, as Maine and Nebraska do), 2–4 candidates, and total
vote counts per unit. Small enough that brute force can serve as an oracle.
"""

from __future__ import annotations

from hypothesis import strategies as st

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

__all__ = ["choices", "elections", "exchange_elections", "vote_counts"]


def choices(min_size: int = 2, max_size: int = 4) -> st.SearchStrategy[tuple[Choice, ...]]:
    """Distinct candidates ``c0``, ``c1``, …"""
    return st.integers(min_size, max_size).map(
        lambda n: tuple(Choice(ChoiceId(f"c{i}"), f"Candidate {i}", f"Party {i}") for i in range(n))
    )


def vote_counts(max_votes: int = 2_000) -> st.SearchStrategy[int]:
    return st.integers(0, max_votes)


@st.composite
def elections(
    draw: st.DrawFn,
    *,
    min_states: int = 2,
    max_states: int = 9,
    max_votes: int = 2_000,
    allow_ties: bool = True,
    with_methods: bool = False,
) -> Election:
    """A random election with electors (see module docstring).

    ``allow_ties=False`` keeps every unit's top two apart, so each unit has a winner.
    ``with_methods=True`` splits some counts into mail / election-day counts with a total.
    """
    cands = draw(choices())
    n_states = draw(st.integers(min_states, max_states))
    units = [Unit(UnitId("N"), "Nation", UnitType.NATION)]
    counts: list[VoteCount] = []
    for s in range(n_states):
        districts = draw(st.sampled_from([0, 0, 0, 2, 3]))
        electors = draw(st.integers(1, 12))
        sid = UnitId(f"S{s}")
        units.append(
            Unit(sid, f"State {s}", UnitType.STATE, UnitId("N"), 2 if districts else electors)
        )
        per_unit: list[UnitId] = [sid]
        for d in range(districts):
            did = UnitId(f"S{s}-{d + 1}")
            units.append(Unit(did, f"State {s} district {d + 1}", UnitType.DISTRICT, sid, 1))
            per_unit.append(did)
        for uid in per_unit:
            votes = draw(
                st.lists(
                    vote_counts(max_votes),
                    min_size=len(cands),
                    max_size=len(cands),
                    unique=not allow_ties,
                )
            )
            for cand, v in zip(cands, votes, strict=True):
                if with_methods and draw(st.booleans()):
                    mail = draw(st.integers(0, v))
                    counts += [
                        VoteCount(uid, cand.id, mail, CountType.MAIL),
                        VoteCount(uid, cand.id, v - mail, CountType.ELECTION_DAY),
                        VoteCount(uid, cand.id, v, CountType.TOTAL),
                    ]
                else:
                    counts.append(VoteCount(uid, cand.id, v))
    contest = Contest(ContestId("p"), "President", cands, tuple(counts))
    return Election("Random election", None, tuple(units), (contest,), "hypothesis")


_LINES = (
    ("overvotes", "Overvotes"),
    ("undervotes", "Undervotes (blank)"),
    ("scattering", "Other, write-in and scattering (no candidate named)"),
    ("void", "Void ballots"),
)
_any_names = st.text(st.characters(codec="utf-8"), max_size=12)
# What XML 1.0 carries unchanged: no control characters (a CR would come back as LF).
_xml_names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cn"]), max_size=12
)


@st.composite
def exchange_elections(draw: st.DrawFn, *, xml_safe: bool = False) -> Election:
    """A random election exercising everything an exchange format must carry.

    Free-text names and parties (empty ones too), write-ins, non-candidate lines (the standard
    ones and others, anywhere in the choice order, some split by vote method), several
    contests with seats, a date or none, nested units of every type. ``xml_safe``: names
    without the control characters XML 1.0 cannot carry.
    """
    _names = _xml_names if xml_safe else _any_names
    unit_ids = draw(
        st.lists(
            st.from_regex(r"[A-Za-jl-z][A-Za-z0-9\-]{0,5}", fullmatch=True),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    units = []
    for i, uid in enumerate(unit_ids):
        parent = None if i == 0 else UnitId(unit_ids[draw(st.integers(0, i - 1))])
        units.append(
            Unit(
                UnitId(uid),
                draw(_names),
                draw(st.sampled_from(list(UnitType))),
                parent,
                draw(st.integers(0, 60)),
            )
        )
    contests = []
    for k in range(draw(st.integers(1, 3))):
        chosen: list[Choice] = []
        for i in range(draw(st.integers(1, 4))):
            chosen.append(
                Choice(ChoiceId(f"c{i}"), draw(_names), draw(_names), True, draw(st.booleans()))
            )
        for cid, label in draw(st.lists(st.sampled_from(_LINES), max_size=4, unique=True)):
            line = Choice(
                ChoiceId(cid), draw(st.sampled_from([label, "x"]) | _names), "", is_candidate=False
            )
            chosen.insert(draw(st.integers(0, len(chosen))), line)
        counts: list[VoteCount] = []
        for unit in units:
            for choice in chosen:
                if not draw(st.booleans()):
                    continue
                v = draw(vote_counts())
                if draw(st.integers(0, 3)) == 0:
                    mail = draw(st.integers(0, v))
                    counts += [
                        VoteCount(unit.id, choice.id, mail, CountType.MAIL),
                        VoteCount(unit.id, choice.id, v - mail, CountType.ELECTION_DAY),
                    ]
                else:
                    counts.append(VoteCount(unit.id, choice.id, v))
        contests.append(
            Contest(
                ContestId(f"k{k}"),
                draw(_names),
                tuple(chosen),
                tuple(counts),
                draw(st.integers(1, 3)),
            )
        )
    when = draw(st.none() | st.dates())
    return Election(draw(_names), when, tuple(units), tuple(contests), draw(_names))
