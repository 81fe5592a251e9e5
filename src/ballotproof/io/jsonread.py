"""Reading JSON files with errors that name the file and the JSON path of what is wrong.

The JSON loaders (Dominion's CVR export, :mod:`ballotproof.io.cvr_dominion`; NIST SP 1500-103,
:mod:`ballotproof.io.cvr_nist`) read through :func:`read_json`, which decodes strictly as
UTF-8 (with or without a byte-order mark) and translates decoding and syntax errors into
:class:`~ballotproof.errors.InputError` with the line, and :class:`JsonReader`, whose typed
accessors name the JSON path (``/List/3/VoteFor``) and show a wrong value as it is written
(``true``, ``null``, ``an array``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ballotproof.errors import InputError

__all__ = ["JsonReader", "read_json", "shown"]


class _Shown(str):
    """A JSON literal shown as it is written (``true``, ``null``, ``an array``), unquoted."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def shown(value: object) -> object:
    """``value`` as an error's ``got``: JSON literals and containers as JSON writes them."""
    if isinstance(value, bool):
        return _Shown("true" if value else "false")
    if value is None:
        return _Shown("null")
    if isinstance(value, list):
        return _Shown("an array")
    if isinstance(value, dict):
        return _Shown("an object")
    return value


class JsonReader:
    """Typed access to parsed JSON that reports the JSON path of whatever is wrong."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, expected: str, value: object, why: str | None = None) -> InputError:
        return InputError(
            why, path=self.path, field=where or "/", expected=expected, got=shown(value)
        )

    def member(self, parent: dict[str, object], key: str, where: str, expected: str) -> object:
        if key not in parent:
            raise InputError(
                "the key is missing", path=self.path, field=f"{where}/{key}", expected=expected
            )
        return parent[key]

    def obj(self, value: object, where: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(where, "an object", value)
        return value

    def array(self, parent: dict[str, object], key: str, where: str) -> list[object]:
        value = self.member(parent, key, where, "an array")
        if not isinstance(value, list):
            raise self.fail(f"{where}/{key}", "an array", value)
        return value

    def whole(self, parent: dict[str, object], key: str, where: str, minimum: int = 0) -> int:
        expected = f"an integer ≥ {minimum}"
        value = self.member(parent, key, where, expected)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{where}/{key}", expected, value)
        return value

    def flag(self, parent: dict[str, object], key: str, where: str) -> bool:
        value = self.member(parent, key, where, "true or false")
        if not isinstance(value, bool):
            raise self.fail(f"{where}/{key}", "true or false", value)
        return value

    def text(self, parent: dict[str, object], key: str, where: str) -> str:
        value = self.member(parent, key, where, "a non-empty string")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}/{key}", "a non-empty string", value)
        return value.strip()


def read_json(path: str | Path, name: str, *, not_xml: str | None = None) -> object:
    """The parsed JSON of ``path`` (``name`` is how errors call the file).

    ``not_xml``: the message for a file that is XML (it begins with ``<``), where a format
    also exists as XML and the user may have exported the wrong one.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=name) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            path=name,
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from exc
    if not_xml is not None and text.lstrip().startswith("<"):
        raise InputError(not_xml, path=name, line=1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} (column {exc.colno})", path=name, line=exc.lineno
        ) from exc
    except RecursionError as exc:  # pragma: no cover - absurdly deep nesting
        raise InputError("malformed JSON: nested too deeply", path=name) from exc
