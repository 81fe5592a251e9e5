"""The inputs of the synthetic-election generator, from the packaged 2020 files.

* **Baseline by county** — the shipped county results (``county_president_results_2020.csv``,
  via :func:`~ballotproof.io.us2020.load_us2020`): every unit of type COUNTY whose parent is a
  state, with Biden's votes as party ``dem``, Trump's as ``rep``, and all its votes;
* **Mode profiles** — Georgia's 2020 hand-count batches (``ga_rla_2020_batch_hand_tallies.csv``,
  via :func:`~ballotproof.io.georgia.load_ga_batches`), whose ``batch_type`` gives the vote
  method: per county, the share of its Biden + Trump votes cast by mail ("Absentee By Mail")
  and the mail lean, Biden's two-party share by mail minus his share of all other methods
  (advance in person, election day, provisional, other). Counties with no mail or no
  in-person votes are left out.
"""

from __future__ import annotations

from ballotproof.calls.synthetic import CountyBase, ModeProfile
from ballotproof.io.georgia import load_ga_batches
from ballotproof.io.us2020 import load_us2020
from ballotproof.model.election import UnitType

__all__ = ["county_baseline", "georgia_mode_profiles"]

MAIL_TYPE = "Absentee By Mail"


def county_baseline() -> dict[str, tuple[CountyBase, ...]]:
    """Per state (postal code), its counties' 2020 results."""
    election = load_us2020(include_counties=True)
    totals = election.contest().totals
    out: dict[str, list[CountyBase]] = {}
    for u in election.units:
        if u.type is not UnitType.COUNTY or u.parent is None:
            continue
        votes = totals.get(u.id, {})
        dem = int(votes.get("biden", 0))  # type: ignore[call-overload]
        rep = int(votes.get("trump", 0))  # type: ignore[call-overload]
        out.setdefault(str(u.parent), []).append(
            CountyBase(str(u.id), dem, rep, int(sum(votes.values())))
        )
    return {st: tuple(cs) for st, cs in sorted(out.items())}


def georgia_mode_profiles() -> tuple[ModeProfile, ...]:
    """Per Georgia county, its mail share and mail lean in 2020 (hand count)."""
    ga = load_ga_batches()
    sums: dict[str, list[int]] = {}  # county -> [mail biden, mail trump, other biden, trump]
    for b in ga.batches:
        county = str(b.jurisdiction)
        c = ga.counts[(county, b.name)]
        row = sums.setdefault(county, [0, 0, 0, 0])
        k = 0 if b.container == MAIL_TYPE else 2
        row[k] += c["biden"]
        row[k + 1] += c["trump"]
    out = []
    for county in sorted(sums):
        mb, mt, ob, ot = sums[county]
        if mb + mt == 0 or ob + ot == 0:
            continue
        share = (mb + mt) / (mb + mt + ob + ot)
        out.append(ModeProfile(share, mb / (mb + mt) - ob / (ob + ot)))
    return tuple(out)
