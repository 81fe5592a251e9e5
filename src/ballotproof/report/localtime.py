"""Times as a reader of a U.S. election expects them: in the state's own time zone.

Reports show each state's times in that state's zone (its most populous zone where a state
spans two) and national times in Eastern time, with UTC beside them on hover; the JSON keeps
UTC. Units that are not U.S. states fall back to UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["NATIONAL_ZONE", "STATE_ZONES", "local", "zone_for"]

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


def local(iso_utc: str | None, unit: str | None) -> str:
    """``'2020-11-07T16:25:00Z'`` → ``'7 Nov 11:25 EST'`` in the unit's zone.

    >>> local("2020-11-07T16:25:00Z", "PA"), local("2020-11-07T16:25:00Z", "AZ")
    ('7 Nov 11:25 EST', '7 Nov 09:25 MST')
    """
    if iso_utc is None:
        return ""
    t = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(zone_for(unit))
    return f"{t.day} {t:%b %H:%M} {t.tzname()}"
