"""Claims checked against the packaged record 1976–2020 (``ballotproof check``).

The record is every built-in presidential election (MEDSL's state file, with the line numbers
each year and state come from) and, for mail ballots, Georgia's 2020 full hand count, whose
batches carry their type (``Absentee By Mail``, ``Advance``, ``Election Day`` …): the only
counts by vote method in the built-in data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar

from ballotproof.claims import ClaimData, ClaimResult, HandCount, MailCount, check_claim
from ballotproof.errors import AnalysisError
from ballotproof.io.medsl import (
    DISTRICT_RESULTS_FILE,
    MEDSL_FILE,
    load_history,
    medsl_row_lines,
)
from ballotproof.io.us2020 import DISTRICT_FILE
from ballotproof.model import Election
from ballotproof.model.electors import ElectionRecord
from ballotproof.report.html import RESPONSIVE_CSS
from ballotproof.report.reflow import reflow

__all__ = [
    "CLAIMS_2020",
    "MAIL_BATCH_TYPE",
    "check_election",
    "check_record",
    "claims_2020_doc",
    "georgia_hand_count",
    "georgia_mail",
    "record_data",
    "render_claims_page",
]

if TYPE_CHECKING:  # the Georgia batch reader pulls in numpy: only the Georgia claims read it
    from ballotproof.io.georgia import GaBatches

MAIL_BATCH_TYPE = "Absentee By Mail"


K = TypeVar("K")
V = TypeVar("V")


@cache
def _ga_batches() -> GaBatches:
    from ballotproof.io.georgia import load_ga_batches

    return load_ga_batches()


class _Lazy(Mapping[K, V]):
    """A mapping whose values are computed on first use (Georgia's batches take a second to
    read, and most claims do not need them)."""

    def __init__(self, makers: dict[K, Callable[[], V]]) -> None:
        self._makers = makers
        self._made: dict[K, V] = {}

    def __getitem__(self, key: K) -> V:
        if key not in self._made:
            self._made[key] = self._makers[key]()
        return self._made[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def georgia_hand_count() -> HandCount:
    """Georgia's November 2020 full hand count (the sum of its batch tallies), per candidate."""
    from ballotproof.io.georgia import BATCHES, CANDIDATES

    tally = _ga_batches().hand_tally()
    return HandCount(
        {c: tally.get(c, 0) for c in CANDIDATES},
        BATCHES,
        "every row (sum of the batch hand tallies)",
        "Georgia's full hand count of November 2020 (its risk-limiting audit)",
    )


def georgia_mail() -> MailCount:
    """Votes for candidates in the hand count's mail batches, out of all its candidate votes."""
    from ballotproof.io.georgia import BATCHES, CANDIDATES

    ga = _ga_batches()
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

    def rows(year: int, unit: str | None) -> tuple[str, str]:
        where = f"year {year}" + (f", {unit}" if unit else "")
        if unit is not None and "-" in unit:  # a Maine or Nebraska district
            district_file = DISTRICT_FILE if year == 2020 else DISTRICT_RESULTS_FILE
            return district_file, f"{where} (district figures)"
        span = lines.get((year, unit))
        return MEDSL_FILE, f"lines {span[0]}–{span[1]} ({where})" if span else where

    return ClaimData(
        records,
        MEDSL_FILE,
        rows,
        mail=_Lazy({(2020, "GA"): georgia_mail}),
        hand_counts=_Lazy({(2020, "GA"): georgia_hand_count}),
    )


def check_election(claim: str, election: Election, *, source: str) -> ClaimResult:
    """Check ``claim`` against one loaded election, as the year of its date.

    Raises
    ------
    AnalysisError
        If the election has no date (a claim names its election by year).
    """
    if election.date is None:
        raise AnalysisError(f"{election.name} has no date: a claim names its election by year")
    year = election.date.year
    return check_claim(claim, ClaimData({year: ElectionRecord(year, election)}, source))


def check_record(claim: str) -> ClaimResult:
    """Check ``claim`` against every built-in presidential election."""
    return check_claim(claim, record_data())


# The claims of November 2020, each read as claims of the language (the reading is stated).
CLAIMS_2020: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "“I won.”",
        "Read as: Donald Trump won the Electoral College, or the national popular vote.",
        ("winner(2020) = trump", "popular_winner(2020) = trump"),
    ),
    (
        "“It came down to a few thousand votes in a few states.”",
        "Read as: the fewest votes that would have changed the outcome (tied the states and "
        "left the winner short of a majority) were fewer than 10,000, in at most three states; "
        "and 2020 was the closest election since 1976 by that measure.",
        (
            "flip_votes(2020) < 10000",
            "states(flip(2020)) <= 3",
            "rank(2020, flip_votes) = 1",
        ),
    ),
    (
        "“Mail-in ballots decided it.”",
        "Read as: mail ballots were more than the margin in a decisive state. Any group of "
        "ballots larger than the margin ‘decided it’ in that sense, so even a true answer says "
        "nothing about whether those ballots were lawful; the built-in data counts ballots by "
        "vote method only in Georgia’s hand count.",
        (
            "mail_share(GA, 2020) > margin(GA, 2020)",
            "mail_share(PA, 2020) > margin(PA, 2020)",
        ),
    ),
    (
        "“Georgia’s hand count confirmed the result.”",
        "Read as: the candidate who led Georgia’s full hand count is the candidate who led its "
        "reported results.",
        ("hand_winner(GA, 2020) = leader(GA, 2020)",),
    ),
)

CANNOT_SETTLE = (
    "Whether fraud changed the result. Vote totals and a hand "
    "count record how many ballots were counted for each candidate, not whether each ballot was "
    "lawfully cast; a claim of fraud needs evidence this data does not hold (the ballots and "
    "envelopes in question, signature checks, investigations, court records). A risk-limiting "
    "audit settles a narrower question: whether the paper ballots, counted by hand, show the "
    "reported winner."
)


def claims_2020_doc() -> dict[str, Any]:
    """The claims of November 2020 checked against the record (the ``claims.json`` document)."""
    data = record_data()
    return {
        "election": "2020 United States presidential election",
        "claims": [
            {
                "said": said,
                "reading": reading,
                "checks": [check_claim(c, data).to_json() for c in checks],
            }
            for said, reading, checks in CLAIMS_2020
        ],
        "cannot_settle": CANNOT_SETTLE,
    }


_BADGE = {"true": "#1b7f3b", "false": "#b3261e", "cannot be decided from this data": "#6b6b6b"}


def render_claims_page(doc: dict[str, Any], *, audit_link: str | None = None) -> str:
    """``doc`` (from :func:`claims_2020_doc`) as a self-contained HTML page, no script."""
    parts = []
    for item in doc["claims"]:
        rows = []
        for c in item["checks"]:
            colour = _BADGE.get(c["verdict"], "#6b6b6b")
            evidence = "".join(
                f"<tr><td><code>{escape(e['quantity'])}</code></td><td>{escape(e['value'])}</td>"
                f"<td>{escape(e['source'])}</td><td>{escape(e['rows'])}</td></tr>"
                for e in c["evidence"]
            )
            rows.append(
                f'<div class="check"><p><code>{escape(c["claim"])}</code> '
                f'<b style="color:{colour}">{escape(c["verdict"])}</b></p>'
                f"<p>{escape(c['sentence'])}</p>"
                + (
                    "<table><tr><th>quantity</th><th>value</th><th>file</th><th>rows</th></tr>"
                    f"{evidence}</table>"
                    if evidence
                    else ""
                )
                + "</div>"
            )
        parts.append(
            f"<section><h2>{escape(item['said'])}</h2><p><i>{escape(item['reading'])}</i></p>"
            + "".join(rows)
            + "</section>"
        )
    audit = (
        f' The <a href="{escape(audit_link)}">audit page</a> shows one, replayed on Georgia’s '
        "hand-count batches."
        if audit_link
        else ""
    )
    return reflow(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ballotproof — Claims and the record</title>
<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;font-size:.9em}}td,th{{border:1px solid #ccc;padding:.2em .5em;
text-align:left}}.check{{margin:0 0 1.2em 1em}}{RESPONSIVE_CSS}</style></head><body>
<h1>Claims and the record</h1>
<p>Claims made about the {escape(doc["election"])}, checked with <code>ballotproof check</code>
against the built-in data. Each answer is true, false, or cannot be decided from this data, with
the numbers used and the file rows they come from.</p>
{"".join(parts)}
<section><h2>What the data cannot settle</h2><p>{escape(doc["cannot_settle"])}{audit}</p>
</section>
</body></html>
""")
