"""Derive Maine's 2016 presidential results by congressional district (see data/history/PROVENANCE.md).

Input: OpenElections `2016/20161108__me__general__precinct.csv` (openelections-data-me @ 1f24720,
blob 8b1a875). Each town's district is the `district` of its own U.S. House rows; county "total"
rows (empty precinct) and the statewide rows (county `ME`: `MAINE`) are left out; the statewide
overseas and military ballots (`STATE UOCAVA`) are kept as `ME-UOCAVA`. Candidates are mapped to
the MEDSL choice ids of 2016; MEDSL reports the write-in candidates (McMullin, Castle, Kotlikoff,
Fox) as one unnamed line, so they are summed to `scattering`; `Blanks` are `undervotes`.

Usage: python scripts/data/derive_me_districts_2016.py PRECINCT_CSV > OUT_CSV
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict

CHOICE = {
    "Hillary Clinton": "clinton",
    "Donald Trump": "trump",
    "Gary Johnson": "johnson",
    "Jill Stein": "stein",
    "Blanks": "undervotes",
    "Evan McMullin": "scattering",
    "Darrell Castle": "scattering",
    "Laurence Kotlikoff": "scattering",
    "Cherunda Fox": "scattering",
}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    district: dict[tuple[str, str], str] = {}
    for r in rows:
        town = (r["county"].strip(), r["precinct"].strip())
        if r["office"] == "U.S. House" and town[1] and town[0] != "ME":
            if district.setdefault(town, r["district"]) != r["district"]:
                raise SystemExit(f"{town}: House rows in two districts")
    votes: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        if r["office"] != "President" or r["candidate"] == "ballots cast":
            continue
        county, precinct = r["county"].strip(), r["precinct"].strip()
        if county == "ME":
            if precinct != "STATE UOCAVA":
                continue
            unit = "ME-UOCAVA"
        elif not precinct:
            continue  # county total row
        else:
            unit = f"ME-{district[(county, precinct)]}"
        votes[(unit, CHOICE[r["candidate"]])] += int(r["votes"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["year", "state_po", "district", "choice", "votes", "derivation"])
    for (unit, choice), n in sorted(votes.items()):
        how = "statewide UOCAVA row" if unit.endswith("UOCAVA") else "towns by U.S. House district"
        out.writerow([2016, "ME", unit, choice, n, how])


if __name__ == "__main__":
    main(sys.argv[1])
