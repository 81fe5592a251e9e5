"""Claims checked against the packaged record 1976–2020 (``ballotproof check``).

The record is every built-in presidential election (MEDSL's state file, with the line numbers
each year and state come from) and, for mail ballots, Georgia's 2020 full hand count, whose
batches carry their type (``Absentee By Mail``, ``Advance``, ``Election Day`` …): the only
counts by vote method in the built-in data.
"""

from __future__ import annotations

from functools import cache

from ballotproof.claims import ClaimData, ClaimResult, HandCount, MailCount, check_claim
from ballotproof.io.georgia import BATCHES, CANDIDATES, load_ga_batches
from ballotproof.io.medsl import MEDSL_FILE, load_history, medsl_row_lines

__all__ = [
    "MAIL_BATCH_TYPE",
    "check_record",
    "georgia_hand_count",
    "georgia_mail",
    "record_data",
]

MAIL_BATCH_TYPE = "Absentee By Mail"


def georgia_hand_count() -> HandCount:
    """Georgia's November 2020 full hand count (the sum of its batch tallies), per candidate."""
    tally = load_ga_batches().hand_tally()
    return HandCount(
        {c: tally.get(c, 0) for c in CANDIDATES},
        BATCHES,
        "every row (sum of the batch hand tallies)",
        "Georgia's full hand count of November 2020 (its risk-limiting audit)",
    )


def georgia_mail() -> MailCount:
    """Votes for candidates in the hand count's mail batches, out of all its candidate votes."""
    ga = load_ga_batches()
    mail = total = 0
    for b in ga.batches:
        votes = sum(ga.counts[(b.jurisdiction or "", b.name)][c] for c in CANDIDATES)
        total += votes
        if b.container == MAIL_BATCH_TYPE:
            mail += votes
    return MailCount(
        mail,
        total,
        BATCHES,
        f"every row; batch_type = '{MAIL_BATCH_TYPE}' for the mail votes",
        f"Georgia's full hand count of November 2020, batches marked '{MAIL_BATCH_TYPE}'",
    )


@cache
def record_data() -> ClaimData:
    """Every built-in year, with the lines of the MEDSL file each year and state comes from."""
    records = {r.year: r for r in load_history()}
    lines = medsl_row_lines()

    def rows(year: int, unit: str | None) -> str:
        span = lines.get((year, unit[:2] if unit else None))
        where = f"year {year}" + (f", {unit}" if unit else "")
        return f"lines {span[0]}–{span[1]} ({where})" if span else where

    return ClaimData(
        records,
        MEDSL_FILE,
        rows,
        mail={(2020, "GA"): georgia_mail()},
        hand_counts={(2020, "GA"): georgia_hand_count()},
    )


def check_record(claim: str) -> ClaimResult:
    """Check ``claim`` against every built-in presidential election."""
    return check_claim(claim, record_data())
