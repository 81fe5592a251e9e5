"""Claims checked against the packaged record 1976–2020 (``ballotproof check``)."""

from __future__ import annotations

from functools import cache

from ballotproof.claims import ClaimData, ClaimResult, check_claim
from ballotproof.io.medsl import MEDSL_FILE, load_history, medsl_row_lines

__all__ = ["check_record", "record_data"]


@cache
def record_data() -> ClaimData:
    """Every built-in year, with the lines of the MEDSL file each year and state comes from."""
    records = {r.year: r for r in load_history()}
    lines = medsl_row_lines()

    def rows(year: int, unit: str | None) -> str:
        span = lines.get((year, unit[:2] if unit else None))
        where = f"year {year}" + (f", {unit}" if unit else "")
        return f"lines {span[0]}–{span[1]} ({where})" if span else where

    return ClaimData(records, MEDSL_FILE, rows)


def check_record(claim: str) -> ClaimResult:
    """Check ``claim`` against every built-in presidential election."""
    return check_claim(claim, record_data())
