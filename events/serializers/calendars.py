"""iCalendar (RFC 5545) bodies for one event or a community's feed, with the icalendar library.

Calendar apps match entries by UID and take the one with the highest SEQUENCE, so a UID
never changes for an event, SEQUENCE grows with every change a calendar shows, and a
cancelled event stays in the feed with STATUS:CANCELLED (instead of vanishing) so
subscribed calendars remove it rather than keep a stale copy.
"""

from collections.abc import Callable, Iterable
from datetime import date

import icalendar
from django.conf import settings

from events.models import Event, EventStatus
from events.zones import zone

PRODUCT_ID = "-//Community Service//Events//EN"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{settings.APP_NAME}"


def _component(event: Event, *, show_url: bool) -> icalendar.Event:
    tz = zone(event.timezone)
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("sequence", event.sequence)
    # Without a METHOD, DTSTAMP is when the entry was last revised.
    entry.add("dtstamp", event.updated_at)
    entry.add("created", event.created_at)
    entry.add("last-modified", event.updated_at)
    entry.add("dtstart", event.starts_at.astimezone(tz))
    entry.add("dtend", event.ends_at.astimezone(tz))
    entry.add("summary", event.title)
    description = event.description
    if event.status == EventStatus.CANCELLED:
        description = f"Cancelled: {event.cancel_reason}\n\n{description}".strip()
    if description:
        entry.add("description", description)
    location = event.location or (event.online_url if show_url else "") or ("Online" if event.online_url else "")
    if location:
        entry.add("location", location)
    if show_url and event.online_url:
        entry.add("url", event.online_url)
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry


def calendar_body(events: Iterable[Event], *, name: str, show_url: Callable[[Event], bool]) -> bytes:
    """A VCALENDAR with one VEVENT per event and a VTIMEZONE for every zone they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # The calendar's name is one line: icalendar does not escape a line break in NAME or
    # X-WR-CALNAME (it refuses to write them), and a community name may hold one.
    name = " ".join(name.split())
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    events = list(events)
    for event in events:
        calendar.add_component(_component(event, show_url=show_url(event)))
    if events:
        # Zone rules for the whole years the events fall in (both DST changes, as calendar
        # apps expect), not the decades icalendar writes by default.
        calendar.add_missing_timezones(first_date=date(min(e.starts_at for e in events).year, 1, 1),
                                       last_date=date(max(e.ends_at for e in events).year + 1, 1, 1))
    return calendar.to_ical()
