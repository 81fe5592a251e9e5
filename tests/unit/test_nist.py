"""NIST SP 1500-100 v2 JSON: export → import round trips; bad files are named precisely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.nist import from_nist, load_nist, to_nist, write_nist
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import Election
from ballotproof.testing.strategies import elections


def test_round_trip_with_counties(tmp_path: Path) -> None:
    e = load_us2020(include_counties=True)
    write_nist(e, tmp_path / "e.json")
    assert load_nist(tmp_path / "e.json") == e


@settings(max_examples=40)
@given(elections(with_methods=True))
def test_round_trip_of_random_elections(e: Election) -> None:
    assert from_nist(json.loads(json.dumps(to_nist(e)))) == e


def test_document_uses_the_standard_vocabulary(us2020: Election) -> None:
    doc = to_nist(us2020)
    assert doc["@type"] == "ElectionResults.ElectionReport"
    contest = doc["Election"][0]["Contest"][0]
    assert contest["@type"] == "ElectionResults.CandidateContest"
    sel = contest["ContestSelection"][0]
    assert sel["@type"] == "ElectionResults.CandidateSelection"
    assert {v["Type"] for v in sel["VoteCounts"]} == {"total"}
    wi = next(g for g in doc["GpUnit"] if g["@id"] == "WI")
    assert wi["Type"] == "state"
    assert wi["ExternalIdentifier"][0] == {
        "@type": "ElectionResults.ExternalIdentifier",
        "Type": "other",
        "OtherType": "ballotproof-electors",
        "Value": "10",
    }
    # Blank/over-votes go to OtherCounts, as the standard has them.
    assert any("OtherCounts" in c for c in doc["Election"][0]["Contest"])


def _doc(us2020: Election) -> dict:  # type: ignore[type-arg]
    return json.loads(json.dumps(to_nist(us2020)))


def test_bad_count_is_named_by_json_path(us2020: Election) -> None:
    doc = _doc(us2020)
    doc["Election"][0]["Contest"][0]["ContestSelection"][1]["VoteCounts"][2]["Count"] = -3
    with pytest.raises(InputError) as info:
        from_nist(doc, path="x.json")
    assert str(info.value) == (
        "x.json: field '/Election/0/Contest/0/ContestSelection/1/VoteCounts/2/Count': "
        "expected a non-negative integer, got -3"
    )


def test_unknown_unit_is_an_integrity_error(us2020: Election) -> None:
    doc = _doc(us2020)
    doc["Election"][0]["Contest"][0]["ContestSelection"][0]["VoteCounts"][0]["GpUnitId"] = "ZZ"
    with pytest.raises(IntegrityError, match="expected a known unit, got 'ZZ'"):
        from_nist(doc, path="x.json")


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{\n  "@type": "ElectionReport",\n  "Election": [,]\n}\n')
    with pytest.raises(InputError) as info:
        load_nist(p)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{p}:3: malformed JSON")
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_non_utf8_json(tmp_path: Path) -> None:
    p = tmp_path / "latin.json"
    p.write_bytes('{"Notes": "élection"}'.encode("latin-1"))
    with pytest.raises(InputError, match="byte 0xe9 is not UTF-8") as info:
        load_nist(p)
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


def test_wrong_top_level_type() -> None:
    with pytest.raises(
        InputError, match=r"field '/@type': expected ElectionResults\.ElectionReport"
    ):
        from_nist({"@type": "Something"}, path="x.json")


def test_files_written_before_the_v2_prefix_still_import(us2020: Election) -> None:
    """Earlier ballotproof files: bare ``@type`` names and an ``ExternalIdentifiers`` wrapper."""
    text = json.dumps(to_nist(us2020)).replace('"ElectionResults.', '"')
    doc = json.loads(text)
    for unit in doc["GpUnit"]:
        if "ExternalIdentifier" in unit:
            unit["ExternalIdentifiers"] = {
                "@type": "ExternalIdentifiers",
                "ExternalIdentifier": unit.pop("ExternalIdentifier"),
            }
    assert from_nist(doc, path="old.json") == us2020
