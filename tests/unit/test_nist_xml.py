"""NIST SP 1500-100 v2 XML: every export validates against NIST's XML Schema and reads back as
the same election; bad files are refused in one line naming the file and where."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.load import load_election
from ballotproof.io.medsl import load_history_year
from ballotproof.io.nist_xml import load_nist_xml, nist_xml_text, plain_id, write_nist_xml, xml_id
from ballotproof.model import Election
from ballotproof.testing.strategies import exchange_elections

XSD = (
    Path(__file__).resolve().parents[2]
    / "src/ballotproof/data/nist/NIST_V2_election_results_reporting.xsd"
)


@cache
def _xsd() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def _round_trip(e: Election, tmp: Path) -> Election:
    path = tmp / "e.xml"
    write_nist_xml(e, path)
    _xsd().validate(str(path))  # NIST's XML Schema, independently of the writer's own check
    return load_nist_xml(path)


def test_built_in_2020_validates_and_round_trips(us2020: Election, tmp_path: Path) -> None:
    assert _round_trip(us2020, tmp_path) == us2020
    assert load_election(tmp_path / "e.xml") == us2020


@pytest.mark.parametrize("year", range(1976, 2021, 4))
def test_built_in_years_validate_and_round_trip(year: int, tmp_path: Path) -> None:
    e = load_history_year(year).election
    assert _round_trip(e, tmp_path) == e


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(exchange_elections(xml_safe=True))
def test_random_elections_validate_and_round_trip(e: Election) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert _round_trip(e, Path(tmp)) == e


@pytest.mark.parametrize("value", ["WI", "01001", "NE-2", "a b", "x_y", "é:1", "_5F_"])
def test_ids_become_xml_names_and_come_back(value: str) -> None:
    assert plain_id(xml_id(value)) == value
    assert xml_id(value)[0] == "_" and " " not in xml_id(value)


def test_a_name_xml_cannot_carry_is_refused(us2020: Election, tmp_path: Path) -> None:
    from dataclasses import replace

    e = replace(us2020, name="bell \x07")
    with pytest.raises(
        IntegrityError, match=r"XML 1\.0 cannot carry the character U\+0007"
    ) as info:
        write_nist_xml(e, tmp_path / "e.xml")
    assert str(info.value).startswith(f"{tmp_path / 'e.xml'}: field '/Election/0/Name")


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.xml"
    p.write_text('<?xml version="1.0"?>\n<ElectionReport>\n<Election>\n</ElectionReport>\n')
    with pytest.raises(InputError, match="malformed XML") as info:
        load_nist_xml(p)
    assert info.value.line == 4


def test_schema_invalid_xml_names_where(us2020: Election, tmp_path: Path) -> None:
    p = tmp_path / "e.xml"
    p.write_text(nist_xml_text(us2020).replace("<Count>", "<Count>x", 1), encoding="utf-8")
    with pytest.raises(
        InputError, match="not valid against the NIST SP 1500-100 v2 XML Schema"
    ) as info:
        load_nist_xml(p)
    assert "Count" in str(info.value.field)
    assert "\n" not in str(info.value)
