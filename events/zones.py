"""IANA time zones: which names we accept, and local wall-clock times made exact.

A local time without an offset is read in the event's zone. Across a DST change, a time
the clocks skip (02:30 on a spring-forward night) is refused; a time they pass twice
(02:30 on a fall-back night) means the first occurrence, as RFC 5545 (iCalendar) reads it.
"""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone of a stored (already validated) name."""
    return ZoneInfo(name)


class NonexistentLocalTime(ValueError):
    pass


def localize(naive: datetime, name: str) -> datetime:
    """`naive` read as wall-clock time in zone `name`. Raises NonexistentLocalTime in a DST gap."""
    tz = zone(name)
    aware = naive.replace(tzinfo=tz, fold=0)
    # In a gap the round trip through UTC lands on another wall-clock time.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{naive:%H:%M} does not exist in {name} on {naive:%Y-%m-%d} (the clocks skip it); "
            "choose another time or send one with an offset."
        )
    return aware


def local_isoformat(moment: datetime, name: str) -> str:
    """ISO 8601 with the zone's offset at that moment: 2026-06-01T09:00:00+09:00."""
    return moment.astimezone(zone(name)).isoformat()
