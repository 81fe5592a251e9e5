"""The contests file of a multi-contest audit (``audit start --contests FILE``).

A JSON object with one key, ``contests``, a list of objects (docs/formats.md)::

    {"contests": [
      {"name": "Mayor", "winners": ["Ann Archer"]},
      {"name": "City Council At Large", "winners": ["Cy Cole", "Di Dunn"], "votes_allowed": 2},
      {"name": "Measure A", "rule": "supermajority", "share_to_win": "2/3",
       "winners": ["Yes"], "targeted": false}
    ]}

``name`` as in the CVRs; ``winners`` the reported winners; ``targeted`` (default true) whether
the audit must confirm the contest (false: its risk is reported from the same sample);
``rule`` ``plurality`` (default) or ``supermajority``; ``votes_allowed`` (default: as the CVR
file says, else 1); ``share_to_win`` a fraction written as text (``"2/3"``, ``"0.6"``),
supermajority only; ``choices`` (default: the CVR file's).  Errors name the file, the line of
the contest's entry and the field (``contests[1].winners``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ballotproof.errors import InputError

__all__ = ["ContestEntry", "load_contests"]

_KEYS = {"name", "winners", "targeted", "rule", "votes_allowed", "share_to_win", "choices"}


@dataclass(frozen=True, slots=True)
class ContestEntry:
    """One contest of the file, as written (defaults not yet filled from the CVRs)."""

    name: str
    winners: tuple[str, ...]
    targeted: bool
    rule: str
    votes_allowed: int | None
    share_to_win: Fraction | None
    choices: tuple[str, ...] | None
    line: int


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(x, str) and x for x in value):
        return tuple(value)
    return None


def load_contests(path: Path) -> tuple[ContestEntry, ...]:
    """The contests of the file (module notes); :class:`InputError` names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM is accepted, as by every reader
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", path=path) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", path=path, line=exc.lineno) from None
    items = data.get("contests") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(path=path, field="contests", expected="a list of contests")
    out: list[ContestEntry] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"contests[{i}]"
        if not isinstance(item, dict):
            raise InputError(path=path, field=where, expected="an object")
        name = item.get("name")
        line = None
        if isinstance(name, str) and name:
            at = text.find(json.dumps(name, ensure_ascii=False))
            line = text.count("\n", 0, at) + 1 if at >= 0 else None

        def fail(
            field: str, expected: str, got: object, line: int | None = line, where: str = where
        ) -> InputError:
            return InputError(
                path=path, line=line, field=f"{where}.{field}", expected=expected, got=got
            )

        unknown = sorted(set(item) - _KEYS)
        if unknown:
            raise fail(unknown[0], "one of " + ", ".join(sorted(_KEYS)), unknown[0])
        if not isinstance(name, str) or not name:
            raise fail("name", "the contest's name as in the CVRs", name)
        if name in seen:
            raise fail("name", "each contest once", name)
        seen.add(name)
        winners = _strings(item.get("winners"))
        if winners is None:
            raise fail("winners", "a list of the reported winners", item.get("winners"))
        targeted = item.get("targeted", True)
        if not isinstance(targeted, bool):
            raise fail("targeted", "true or false", targeted)
        rule = item.get("rule", "plurality")
        if rule not in ("plurality", "supermajority"):
            raise fail("rule", "plurality or supermajority", rule)
        votes = item.get("votes_allowed")
        if votes is not None and (isinstance(votes, bool) or not isinstance(votes, int)):
            raise fail("votes_allowed", "a whole number", votes)
        share = item.get("share_to_win")
        fraction = None
        if share is not None:
            try:
                fraction = Fraction(share) if isinstance(share, str) else None
            except (ValueError, ZeroDivisionError):
                fraction = None
            if fraction is None or not 0 < fraction < 1:
                raise fail(
                    "share_to_win", 'a fraction in (0, 1) written as text, e.g. "2/3"', share
                )
        choices = None
        if "choices" in item:
            choices = _strings(item["choices"])
            if choices is None:
                raise fail("choices", "a list of the contest's choices", item["choices"])
        out.append(ContestEntry(name, winners, targeted, rule, votes, fraction, choices, line or 1))
    return tuple(out)
