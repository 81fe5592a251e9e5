"""Times as a reader of a U.S. election expects them: in the state's own time zone.

Reports show each state's times in that state's zone (its most populous zone where a state
spans two) and national times in Eastern time, with UTC beside them on hover; the JSON keeps
UTC. Units that are not U.S. states fall back to UTC.
"""

from __future__ import annotations

from datetime import datetime

from ballotproof.model.zones import NATIONAL_ZONE, STATE_ZONES, zone_for

__all__ = ["NATIONAL_ZONE", "STATE_ZONES", "local", "zone_for"]


def local(iso_utc: str | None, unit: str | None) -> str:
    """``'2020-11-07T16:25:00Z'`` → ``'7 Nov 11:25 EST'`` in the unit's zone.

    >>> local("2020-11-07T16:25:00Z", "PA"), local("2020-11-07T16:25:00Z", "AZ")
    ('7 Nov 11:25 EST', '7 Nov 09:25 MST')
    """
    if iso_utc is None:
        return ""
    t = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(zone_for(unit))
    return f"{t.day} {t:%b %H:%M} {t.tzname()}"
