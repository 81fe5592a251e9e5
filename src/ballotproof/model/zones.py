"""The time zone of each U.S. state: where a date such as a certification day begins and ends.

A state's zone is its most populous one where it spans two; national events use Eastern time;
a unit that is not a U.S. state falls back to UTC.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["NATIONAL_ZONE", "STATE_ZONES", "zone_for"]

NATIONAL_ZONE = "America/New_York"

_EASTERN = "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV"
_CENTRAL = "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI"
_MOUNTAIN = "CO ID MT NM UT WY"
STATE_ZONES: dict[str, str] = {
    **dict.fromkeys(_EASTERN.split(), "America/New_York"),
    **dict.fromkeys(_CENTRAL.split(), "America/Chicago"),
    **dict.fromkeys(_MOUNTAIN.split(), "America/Denver"),
    "AZ": "America/Phoenix",  # no daylight saving time
    "CA": "America/Los_Angeles",
    "NV": "America/Los_Angeles",
    "OR": "America/Los_Angeles",
    "WA": "America/Los_Angeles",
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
}


def zone_for(unit: str | None) -> tzinfo:
    """The time zone of a state (``"PA"``, or a district such as ``"NE-2"``); the national
    zone for ``None``; UTC for a unit that is not a U.S. state."""
    if unit is None:
        return ZoneInfo(NATIONAL_ZONE)
    name = STATE_ZONES.get(unit.split("-")[0])
    return ZoneInfo(name) if name else UTC
