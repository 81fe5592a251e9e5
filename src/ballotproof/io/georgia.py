"""Georgia's 2020 presidential audit data: reported totals, settings, and the hand-count batches.

Files (packaged in ``data/us2020``, provenance in PROVENANCE.md there):

* ``ga_rla_2020_statewide_summary.csv`` — tabulated (machine) and audited (hand) votes;
* ``ga_rla_2020_audit_settings.csv`` — ballots cast, risk limit, method and the public seed;
* ``ga_rla_2020_batch_hand_tallies.csv`` — the hand count of every batch (41,881 batches);
* ``ga_rla_2020_county_hand_vs_reported.csv`` — reported Biden/Trump votes per county.

For the worked example the hand-count batches serve as a ballot manifest (``Jurisdiction`` =
county, ``Container`` = batch type, ``Batch Name``; the batch's ballots = the sum of its
hand-count lines) and the hand count as the truth: within a batch, positions 1…t are the Trump
ballots, then Biden, Jorgensen, and the rest (write-ins, blank, overvotes). The order within a
batch is a convention — the data gives only each batch's composition — but every ballot is a
real one of that batch, so a uniformly drawn ballot shows each choice with its true frequency.
Empty batches are left out, and 26 batch names that appear twice in a county (the source's
names differ only by trailing spaces) get a ``#2`` suffix on the second. Note that the batch
lines add up to 5,145,771, more than the 5,023,513 ballots cast (the source
does not explain the difference); the manifest follows the batches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.sampler import Batch
from ballotproof.errors import InputError
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.io.us2020 import data_dir

__all__ = ["CANDIDATES", "GaBatches", "load_ga_batches", "reported_contest", "settings"]

CANDIDATES = ("trump", "biden", "jorgensen")
OTHER_LINES = ("invalid_write_in", "valid_write_in", "blank_undervote", "overvote")
SUMMARY = "ga_rla_2020_statewide_summary.csv"
SETTINGS = "ga_rla_2020_audit_settings.csv"
BATCHES = "ga_rla_2020_batch_hand_tallies.csv"
COUNTIES = "ga_rla_2020_county_hand_vs_reported.csv"


def settings(folder: Path | None = None) -> dict[str, str]:
    path = (folder or data_dir()) / SETTINGS
    return {r.require("key"): r.require("value") for r in read_rows(path, ("key", "value"))}


@dataclass(frozen=True, slots=True)
class GaBatches:
    """The hand-count batches as a manifest, and each batch's hand count."""

    batches: tuple[Batch, ...]
    counts: dict[tuple[str, str], dict[str, int]]  # (county, batch) -> line -> votes

    def truth(self, county: str, batch: str, position: int) -> str:
        """The hand-count choice of a ballot under the module's ordering convention."""
        counts = self.counts[(county, batch)]
        upto = 0
        for line in CANDIDATES:
            upto += counts[line]
            if position <= upto:
                return line
        return "blank"

    def hand_tally(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for c in self.counts.values():
            for line, v in c.items():
                total[line] += v
        return dict(total)


def load_ga_batches(county: str | None = None, folder: Path | None = None) -> GaBatches:
    """The hand-count batches (all, or one county's), in file order."""
    path = (folder or data_dir()) / BATCHES
    columns = ("county", "batch_name", "batch_type", *CANDIDATES, *OTHER_LINES)
    batches = []
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in read_rows(path, columns, display=path.name):
        name = row.require("county").upper()
        if county is not None and name != county.upper():
            continue
        lines = {c: parse_int(row, c) for c in (*CANDIDATES, *OTHER_LINES)}
        ballots = sum(lines.values())
        if ballots == 0:  # an empty batch holds no ballot to draw
            continue
        key = (name, row.require("batch_name"))
        k = 2
        while key in counts:  # names that differ only by trailing spaces in the source
            key = (name, f"{row.require('batch_name')} #{k}")
            k += 1
        counts[key] = lines
        batches.append(Batch(name, None, key[1], ballots, row.require("batch_type")))
    if not batches:
        raise InputError("no batches for this county", path=path.name, field="county", got=county)
    return GaBatches(tuple(batches), counts)


def reported_contest(county: str | None = None, folder: Path | None = None) -> AuditContest:
    """The reported result: statewide, the machine tabulation in the audit report; for a
    county, the reported Biden and Trump votes (final certification, TONMCG) and the hand-count
    Jorgensen votes (no county machine count of Jorgensen is in the data)."""
    root = folder or data_dir()
    if county is None:
        tally = {
            r.require("choice"): parse_int(r, "tabulated_votes_in_report")
            for r in read_rows(
                root / SUMMARY,
                ("choice", "tabulated_votes_in_report"),
                optional=(
                    "choice_label_in_source",
                    "audited_votes_in_report",
                    "sum_of_batch_hand_tallies",
                    "audited_minus_tabulated",
                ),
            )
            if r.require("choice") in CANDIDATES
        }
        ballots = int(settings(root)["total_ballots_cast"])
        return AuditContest("GA President (statewide)", tally, ballots)
    hand = load_ga_batches(county, root)
    county_tally: dict[str, int] = {}
    for r in read_rows(
        root / COUNTIES,
        ("county", "candidate", "reported_votes_tonmcg"),
        optional=("county_fips", "rla_hand_count_votes", "hand_minus_reported"),
    ):
        if r.require("county").upper() == county.upper():
            county_tally[r.require("candidate")] = parse_int(r, "reported_votes_tonmcg")
    county_tally["jorgensen"] = hand.hand_tally()["jorgensen"]
    ballots = sum(b.ballots for b in hand.batches)
    return AuditContest(f"GA President ({county.upper()} county)", county_tally, ballots)
