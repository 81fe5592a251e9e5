"""NIST SP 1500-100 v2 JSON: every export validates against NIST's own schema, any schema-valid
file within ballotproof's concepts imports, and export → import gives the same election."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from ballotproof.errors import InputError
from ballotproof.io.medsl import load_history_year
from ballotproof.io.nist import from_nist, to_nist
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import Election
from ballotproof.testing.strategies import elections, exchange_elections

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "nist"
YEARS = tuple(range(1976, 2021, 4))


@cache
def _validator() -> Any:
    schema = json.loads((SCHEMA / "NIST_V2_election_results_reporting.json").read_text("utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(doc: object) -> list[str]:
    """Every schema violation, as ``<JSON path>: <message>`` (empty: the document conforms)."""
    return [
        f"{e.json_path}: {e.message[:200]}"
        for e in _validator().iter_errors(json.loads(json.dumps(doc)))
    ]


def _round_trip(e: Election) -> Election:
    return from_nist(json.loads(json.dumps(to_nist(e), ensure_ascii=False)), path="rt.json")


def test_built_in_2020_validates_and_round_trips(us2020: Election) -> None:
    doc = to_nist(us2020)
    assert schema_errors(doc) == []
    assert _round_trip(us2020) == us2020


def test_2020_with_counties_validates_and_round_trips() -> None:
    e = load_us2020(include_counties=True)
    assert schema_errors(to_nist(e)) == []
    assert _round_trip(e) == e


@pytest.mark.parametrize("year", YEARS)
def test_every_built_in_year_validates_and_round_trips(year: int) -> None:
    e = load_history_year(year).election
    assert schema_errors(to_nist(e)) == []
    assert _round_trip(e) == e


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(exchange_elections())
def test_random_elections_validate_and_round_trip(e: Election) -> None:
    assert schema_errors(to_nist(e)) == []
    assert _round_trip(e) == e


@settings(max_examples=20)
@given(elections(with_methods=True))
def test_random_presidential_elections_round_trip(e: Election) -> None:
    assert _round_trip(e) == e


def _strip_extensions(node: Any) -> Any:
    """A copy without ballotproof's ExternalIdentifier entries: what another producer writes."""
    if isinstance(node, dict):
        return {k: _strip_extensions(v) for k, v in node.items() if k != "ExternalIdentifier"}
    if isinstance(node, list):
        return [_strip_extensions(v) for v in node]
    return node


def test_a_file_without_ballotproof_extensions_imports(us2020: Election) -> None:
    doc = _strip_extensions(to_nist(us2020))
    assert schema_errors(doc) == []
    back = from_nist(doc, path="plain.json")
    assert back.contests[0].counts == us2020.contests[0].counts
    assert [c.id for c in back.contests[0].choices] == [c.id for c in us2020.contests[0].choices]
    assert all(u.electors == 0 for u in back.units)  # nothing says who has electors


FOREIGN: dict[str, Any] = {
    "@type": "ElectionResults.ElectionReport",
    "Format": "precinct-level",
    "GeneratedDate": "2024-11-06T03:00:00-05:00",
    "Issuer": "Some County",
    "IssuerAbbreviation": "SC",
    "SequenceStart": 1,
    "SequenceEnd": 1,
    "Status": "certified",
    "VendorApplicationId": "other 1.0",
    "GpUnit": [
        {
            "@type": "ElectionResults.ReportingUnit",
            "@id": "county",
            "Type": "county",
            "ComposingGpUnitIds": ["p1", "dev1"],
        },
        {"@type": "ElectionResults.ReportingUnit", "@id": "p1", "Type": "polling-place"},
        {"@type": "ElectionResults.ReportingDevice", "@id": "dev1"},
    ],
    "Party": [
        {
            "@type": "ElectionResults.Party",
            "@id": "pa",
            "Name": {
                "@type": "ElectionResults.InternationalizedText",
                "Text": [
                    {"@type": "ElectionResults.LanguageString", "Language": "en", "Content": "A"}
                ],
            },
        }
    ],
    "Election": [
        {
            "@type": "ElectionResults.Election",
            "ElectionScopeId": "county",
            "StartDate": "2024-10-20",
            "EndDate": "2024-11-05",
            "Type": "general",
            "Name": {
                "@type": "ElectionResults.InternationalizedText",
                "Text": [
                    {"@type": "ElectionResults.LanguageString", "Language": "en", "Content": "G"}
                ],
            },
            "Contest": [
                {
                    "@type": "ElectionResults.BallotMeasureContest",
                    "@id": "m1",
                    "Name": "Measure 1",
                    "ElectionDistrictId": "county",
                    "ContestSelection": [
                        {
                            "@type": "ElectionResults.BallotMeasureSelection",
                            "@id": "yes",
                            "Selection": {
                                "@type": "ElectionResults.InternationalizedText",
                                "Text": [
                                    {
                                        "@type": "ElectionResults.LanguageString",
                                        "Language": "en",
                                        "Content": "Yes",
                                    }
                                ],
                            },
                            "VoteCounts": [
                                {
                                    "@type": "ElectionResults.VoteCounts",
                                    "GpUnitId": "p1",
                                    "Type": "total",
                                    "Count": 10,
                                }
                            ],
                        }
                    ],
                },
                {
                    "@type": "ElectionResults.PartyContest",
                    "@id": "pc",
                    "Name": "Party list",
                    "ElectionDistrictId": "county",
                    "ContestSelection": [
                        {
                            "@type": "ElectionResults.PartySelection",
                            "@id": "sel-a",
                            "PartyIds": ["pa"],
                            "VoteCounts": [
                                {
                                    "@type": "ElectionResults.VoteCounts",
                                    "GpUnitId": "dev1",
                                    "Type": "election-day",
                                    "Count": 7.0,
                                }
                            ],
                        }
                    ],
                    "OtherCounts": [
                        {"@type": "ElectionResults.OtherCounts", "GpUnitId": "p1", "Undervotes": 2}
                    ],
                },
            ],
        }
    ],
}


def test_a_foreign_schema_valid_file_imports() -> None:
    assert schema_errors(FOREIGN) == []
    e = from_nist(copy.deepcopy(FOREIGN), path="county.json")
    assert e.date is not None and e.date.isoformat() == "2024-11-05"  # election day: EndDate
    assert [u.parent for u in e.units] == [None, "county", "county"]
    measure, party = e.contests
    assert [c.name for c in measure.choices] == ["Yes"]
    assert [(c.name, c.party, c.is_candidate) for c in party.choices] == [
        ("A", "A", True),
        ("Undervotes (blank)", "", False),
    ]
    assert party.totals["dev1"]["sel-a"] == 7
    assert party.totals["p1"]["undervotes"] == 2


def _count(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["Election"][0]["Contest"][0]["ContestSelection"][0]["VoteCounts"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("Round", 2, "cannot represent ranked-choice rounds"),
        ("IsSuppressedForPrivacy", True, "cannot represent a count suppressed for privacy"),
        ("Type", "absentee", "cannot represent count type 'absentee'"),
    ],
)
def test_what_cannot_be_represented_is_named_by_json_path(
    key: str, value: object, message: str
) -> None:
    doc = copy.deepcopy(FOREIGN)
    _count(doc)[key] = value
    assert schema_errors(doc) == []
    with pytest.raises(InputError, match=message) as info:
        from_nist(doc, path="county.json")
    assert str(info.value).startswith(
        f"county.json: field '/Election/0/Contest/0/ContestSelection/0/VoteCounts/0/{key}'"
    )


def test_two_elections_in_one_report_are_refused() -> None:
    doc = copy.deepcopy(FOREIGN)
    doc["Election"].append(copy.deepcopy(doc["Election"][0]))
    assert schema_errors(doc) == []
    with pytest.raises(InputError, match="field '/Election': expected exactly one Election"):
        from_nist(doc, path="two.json")


@pytest.mark.parametrize("args", [[], ["--election", "1992"]])
def test_cli_export_validates_and_reloads(tmp_path: Path, args: list[str]) -> None:
    from typer.testing import CliRunner

    from ballotproof.cli.app import app

    out = tmp_path / "e.json"
    result = CliRunner().invoke(app, ["export", str(out), *args])
    assert result.exit_code == 0, result.output
    assert schema_errors(json.loads(out.read_text("utf-8"))) == []
    expected = load_history_year(1992).election if args else load_us2020()
    result = CliRunner().invoke(app, ["export", str(tmp_path / "again.json"), "--data", str(out)])
    assert result.exit_code == 0, result.output
    assert from_nist(json.loads((tmp_path / "again.json").read_text("utf-8"))) == expected


def test_ids_that_would_coincide_in_the_file_are_refused(tmp_path: Path) -> None:
    from ballotproof.errors import IntegrityError
    from ballotproof.io.nist import write_nist
    from ballotproof.model import Choice, ChoiceId, Contest, ContestId, Unit, UnitId, UnitType

    e = Election(
        "E",
        None,
        (
            Unit(UnitId("president"), "P", UnitType.STATE),
            Unit(UnitId("cand-1"), "C", UnitType.OTHER),
        ),
        (Contest(ContestId("president"), "President", (Choice(ChoiceId("a"), "A"),), ()),),
    )
    with pytest.raises(IntegrityError) as info:
        write_nist(e, tmp_path / "e.json")
    assert str(info.value) == (
        f"{tmp_path / 'e.json'}: field 'id': contest president: its NIST id 'president' is "
        "already the id of a unit, contest or selection (ids are unique across a NIST file): "
        "rename one"
    )
    renamed = Election(
        "E", None, e.units, (Contest(ContestId("p"), "P", e.contests[0].choices, ()),)
    )
    doc = to_nist(renamed)
    assert doc["Election"][0]["Candidate"][0]["@id"] == "cand-2"  # cand-1 is a unit
    assert schema_errors(doc) == [] and _round_trip(renamed) == renamed
