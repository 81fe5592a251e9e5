"""Every cast vote record knows where it is in its file, so an error about it can say so.

Oracle: the place a loader reports must lead back to that record: the CSV line holds the
record's own id, the JSON pointer resolves to an object with the record's batch and id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ballotproof.errors import IntegrityError
from ballotproof.io.cvr import ContestInfo, CvrFile, CvrFormat, CvrRecord
from ballotproof.io.cvr_dominion import load_dominion_csv, load_dominion_json
from ballotproof.io.cvr_ess import load_ess_csv
from ballotproof.io.cvr_nist import load_nist_cvr

CVRS = Path(__file__).resolve().parents[1] / "data" / "cvrs"


def _resolve(doc: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def test_dominion_csv_records_name_their_line() -> None:
    path = CVRS / "dominion" / "cvr.csv"
    cvrs = load_dominion_csv(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(cvrs.origins) == len(cvrs.records) > 0
    for i, r in enumerate(cvrs.records):
        place = cvrs.place(i, "ballot")
        assert place["path"] == str(path) and place["field"] == "ballot"
        fields = lines[place["line"] - 1].replace('="', "").replace('"', "").split(",")
        assert fields[4] == r.imprinted_id


def test_ess_records_name_their_line() -> None:
    path = CVRS / "ess" / "cvr.csv"
    cvrs = load_ess_csv(path, [CVRS / "ess" / "ballots_1.csv", CVRS / "ess" / "ballots_2.csv"])
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, r in enumerate(cvrs.records):
        line = cvrs.place(i)["line"]
        assert lines[line - 1].split(",")[0] == str(r.cvr_number)


@pytest.mark.parametrize(
    ("name", "load"),
    [
        (
            "dominion/CvrExport_7.json",
            lambda p: load_dominion_json(
                p,
                contest_manifest=CVRS / "dominion" / "ContestManifest.json",
                candidate_manifest=CVRS / "dominion" / "CandidateManifest.json",
            ),
        ),
        ("nist/cvr.json", load_nist_cvr),
    ],
)
def test_json_records_name_their_pointer(name: str, load: Any) -> None:
    path = CVRS / name
    cvrs = load(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert len(cvrs.origins) == len(cvrs.records) > 0
    for i, r in enumerate(cvrs.records):
        place = cvrs.place(i, "Mayor")
        assert "line" not in place
        pointer, _, rest = place["field"].partition(" ")
        assert rest == "(Mayor)"
        record = _resolve(doc, pointer)
        assert str(record.get("BatchId")) == r.batch
        # and the record itself, not another of its batch
        own = record.get("RecordId", record.get("BatchSequenceId"))
        if own == "X":  # a redacted RecordId: the record's number is in its image's name
            assert record["ImageMask"].split("_")[-1].startswith(f"{r.record_id:06d}")
        elif own is not None:
            assert int(own) == r.record_id
        else:
            assert record.get("BallotAuditId", r.imprinted_id) == r.imprinted_id


def test_records_built_in_code_have_no_place_and_origins_must_match() -> None:
    rec = CvrRecord("1", "1", 1, 1, "1-1-1", {"Mayor": frozenset({"Ann"})})
    info = {"Mayor": ContestInfo("Mayor", 1, ("Ann",))}
    assert CvrFile("x.csv", CvrFormat.DOMINION_CSV, info, (rec,)).place(0) == {"path": "x.csv"}
    with pytest.raises(IntegrityError, match="2 record origins for 1 records"):
        CvrFile("x.csv", CvrFormat.DOMINION_CSV, info, (rec,), origins=(2, 3))
