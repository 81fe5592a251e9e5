"""One entry point that picks the right loader for what the user pointed at."""

from __future__ import annotations

from pathlib import Path

from ballotproof.errors import InputError
from ballotproof.io.generic import RESULTS, load_generic
from ballotproof.io.nist import load_nist
from ballotproof.io.us2020 import STATE_FILE, load_us2020
from ballotproof.model import Election

__all__ = ["load_election"]


def load_election(
    data: str | Path | None = None, *, include_counties: bool = False, year: int | None = None
) -> Election:
    """Load an election.

    ``data`` is ``None`` (the built-in 2020 election), a folder in the generic CSV format
    (holding ``results.csv``), a folder of the 2020 files (as in ``../shared/data/us2020``), or
    a NIST SP 1500-100 JSON or XML file (``*.json``, ``*.xml``). With ``year``: the built-in
    presidential election of that year (1976–2020), or that year of ``data`` if it is a
    MEDSL-format CSV.
    """
    if year is not None:
        from ballotproof.io.medsl import load_history_year, load_medsl

        if data is None:
            return load_history_year(year).election
        if Path(data).suffix.lower() == ".csv":
            return load_medsl(data, year=year)
        raise InputError(
            "--election picks a year of the built-in record or of a MEDSL .csv file",
            path=str(data),
        )
    if data is None:
        return load_us2020(include_counties=include_counties)
    path = Path(data)
    if path.is_dir():
        if (path / RESULTS).is_file():
            return load_generic(path)
        if (path / STATE_FILE).is_file():
            return load_us2020(path, include_counties=include_counties)
        raise InputError(
            f"no {RESULTS} (generic format) or {STATE_FILE} (2020 files) in this folder",
            path=str(path),
        )
    if path.suffix.lower() == ".json":
        return load_nist(path)
    if path.suffix.lower() == ".xml":
        from ballotproof.io.nist_xml import load_nist_xml  # xmlschema: only for XML

        return load_nist_xml(path)
    if not path.exists():
        raise InputError("no such file or folder", path=str(path))
    raise InputError(
        "expected a folder in the generic CSV format or a NIST SP 1500-100 .json or .xml file",
        path=str(path),
    )
