"""NIST SP 1500-100 v2 XML import and export, validated against NIST's XML Schema.

The XML form carries the same document as the JSON form (:mod:`ballotproof.io.nist`): this
module converts between the two and lets ``xmlschema`` order, type-check and validate the
elements against the packaged ``NIST_V2_election_results_reporting.xsd`` (its provenance in
``data/nist/PROVENANCE.md``). What differs from JSON:

* a class is named by ``xsi:type`` where the element's declared type is abstract (``GpUnit``,
  ``Contest``, ``ContestSelection``) or extended (``Coalition``), not by ``@type``;
* identifiers are ``ObjectId`` attributes of type ``xsd:ID`` (an XML name: no leading digit,
  no spaces), and references are IDREF(S). Ballotproof writes each id as ``_`` followed by the
  id, with every character other than an ASCII letter, digit, ``-`` or ``.`` written as
  ``_<hex code>_``; it reads such ids back, and takes ids of other producers as they are;
* text is ``<Text Language="en">…</Text>``; counts that the schema types as ``xsd:double``
  (``Count``, ``Overvotes``, ``Undervotes``) are written as ``12.0``.

XML 1.0 cannot carry most control characters, and parsers turn a carriage return into a line
feed: names containing them are refused on export (export JSON instead).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.nist import NS, from_nist, to_nist
from ballotproof.model import Election

__all__ = ["load_nist_xml", "nist_xml_text", "write_nist_xml"]

NAMESPACE = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_TYPED = {
    "ReportingUnit",
    "ReportingDevice",
    "CandidateContest",
    "BallotMeasureContest",
    "PartyContest",
    "RetentionContest",
    "CandidateSelection",
    "BallotMeasureSelection",
    "PartySelection",
    "Coalition",
}
_DOUBLES = {"Count", "Overvotes", "Undervotes"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_([0-9A-F]+)_")


@cache
def _schema() -> Any:
    import xmlschema

    xsd = (
        resources.files("ballotproof") / "data" / "nist" / "NIST_V2_election_results_reporting.xsd"
    )
    with resources.as_file(xsd) as path:
        return xmlschema.XMLSchema(str(path))


def _is_ref(key: str) -> bool:
    return key.endswith(("Id", "Ids")) and key != "VendorApplicationId"


def xml_id(value: str) -> str:
    """An id as an XML name (reversible, see the module docstring)."""
    return "_" + "".join(
        c if c.isascii() and (c.isalnum() or c in "-.") else f"_{ord(c):X}_" for c in value
    )


def plain_id(value: str) -> str:
    """The id :func:`xml_id` wrote (other producers' ids unchanged)."""
    if not value.startswith("_"):
        return value
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value[1:])


def _to_xml(node: Any, key: str = "", where: str = "") -> Any:
    if isinstance(node, list):
        return [_to_xml(v, key, f"{where}/{i}") for i, v in enumerate(node)]
    if isinstance(node, str):
        bad = _NOT_XML.search(node)
        if bad:
            raise IntegrityError(
                f"XML 1.0 cannot carry the character U+{ord(bad.group()):04X}; export JSON instead",
                field=where,
            )
        return xml_id(node) if _is_ref(key) else node
    if isinstance(node, int) and not isinstance(node, bool) and key in _DOUBLES:
        return float(node)
    if not isinstance(node, dict):
        return node
    kind = str(node.get("@type", "")).removeprefix(NS)
    if kind == "LanguageString":
        return {"@Language": node["Language"], "$": _to_xml(node["Content"], "", where)}
    out: dict[str, Any] = {}
    if kind in _TYPED:
        out["@xsi:type"] = kind
    for k, v in node.items():
        if k == "@type":
            continue
        if k == "@id":
            out["@ObjectId"] = xml_id(v)
        elif v == []:
            continue  # no element (an empty list would become one empty element)
        elif k == "Label":  # an attribute in the XML form
            out["@Label"] = _to_xml(v, k, f"{where}/{k}")
        else:
            out[k] = _to_xml(v, k, f"{where}/{k}")
    return out


def nist_xml_text(election: Election) -> str:
    """The NIST SP 1500-100 v2 XML of ``election`` (UTF-8 text, validated on the way)."""
    import xml.etree.ElementTree as ET

    import xmlschema
    from xmlschema.converters import UnorderedConverter

    doc = _to_xml(to_nist(election))
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    try:
        root = _schema().encode(
            doc,
            path="ElectionReport",
            converter=UnorderedConverter,
            namespaces={"": NAMESPACE, "xsi": XSI},
        )
    except xmlschema.XMLSchemaValidationError as exc:
        reason = " ".join(str(exc.reason).split())
        raise IntegrityError(
            f"the NIST XML would not be valid against NIST's XML Schema: {reason}",
            field=exc.path,
        ) from exc
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_nist_xml(election: Election, path: str | Path) -> None:
    """Write the NIST XML of ``election`` to ``path``."""
    try:
        text = nist_xml_text(election)
    except IntegrityError as exc:
        raise IntegrityError(str(exc), path=str(path)) from exc
    Path(path).write_text(text, encoding="utf-8")


def _from_xml(node: Any, key: str = "") -> Any:
    if isinstance(node, list):
        return [_from_xml(v, key) for v in node]
    if node is None:
        return ""
    if isinstance(node, str):
        return plain_id(node) if _is_ref(key) else node
    if not isinstance(node, dict):
        return node
    if "@Language" in node:
        return {
            "@type": NS + "LanguageString",
            "Language": node["@Language"],
            "Content": node.get("$") or "",
        }
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k.startswith("@xmlns"):
            continue
        if k == "@xsi:type":
            out["@type"] = NS + str(v).rsplit(":", 1)[-1]
        elif k == "@ObjectId":
            out["@id"] = plain_id(str(v))
        elif k == "@Label":
            out["Label"] = "" if v is None else str(v)
        else:
            out[k] = _from_xml(v, k)
    return out


def load_nist_xml(path: str | Path) -> Election:
    """Read a NIST SP 1500-100 v2 XML file, validating it against the schema first.

    Raises
    ------
    InputError
        Unreadable or malformed XML (with its line), a schema violation (its XPath), or what
        the JSON reader refuses (its path).
    """
    import xmlschema

    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(path))
    import xml.etree.ElementTree as ET

    try:
        ET.parse(p)  # syntax first: its errors carry the line
    except ET.ParseError as exc:
        raise InputError(
            f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
            path=str(path),
            line=exc.position[0],
        ) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    schema = _schema()
    try:
        error = next(iter(schema.iter_errors(str(p))), None)
    except xmlschema.XMLSchemaException as exc:
        raise InputError(f"not NIST SP 1500-100 v2 XML: {exc}", path=str(path)) from exc
    if error is not None:
        reason = " ".join(str(error.reason or error.message).split())
        raise InputError(
            f"not valid against the NIST SP 1500-100 v2 XML Schema: {reason}",
            path=str(path),
            field=error.path,
        )
    data = _from_xml(schema.to_dict(str(p)))
    data["@type"] = NS + "ElectionReport"
    return from_nist(data, path=str(path))
